/**
 * The deletion audit's stream consumer: REMOVE records of every table (functions/streams.ts), in
 * the AWS DynamoDBStreamEvent shape. Reads only the keys, the TTL mark and three retention
 * attributes of the old image (entity, expiresAt, retentionPurpose); never logs an image or a key.
 * Answers a partial batch response: the records it could not handle are delivered again (their
 * counts are idempotent, see adapters/audit-counts.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import type { TableName } from '#shared/tables.ts';
import { removedItemOf } from '../adapters/audit-stream-records.ts';
import { deletionAuditDeps } from '../composition-purge.ts';
import { type RemovedItem, recordDeletions } from '../deletion-audit.ts';

const deps = deletionAuditDeps();
const tableByPhysicalName = new Map(
  (Object.entries(deps.tableNames) as [TableName, string][]).map(([logical, physical]) => [physical, logical]),
);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const records = (event.Records ?? []).filter((r) => r.eventName === 'REMOVE');
    const removed: RemovedItem[] = [];
    const failures: string[] = [];
    const sequenceOf = new Map<string, string>();
    for (const record of records) {
      const item = removedItemOf(record, tableByPhysicalName, Math.floor(Date.now() / 1000));
      const sequence = record.dynamodb?.SequenceNumber;
      if (!item) {
        if (sequence) failures.push(sequence);
        continue;
      }
      if (sequence) sequenceOf.set(item.eventId, sequence);
      removed.push(item);
    }
    const outcome = await recordDeletions(deps, removed);
    for (const eventId of outcome.failed) {
      const sequence = sequenceOf.get(eventId);
      if (sequence) failures.push(sequence);
    }
    const summary = {
      records: records.length,
      counted: outcome.counted,
      ignored: outcome.ignored,
      byCause: outcome.byCause,
      cascaded: outcome.cascaded,
      cascadesHeld: outcome.cascadesHeld,
      failed: failures.length,
    };
    if (failures.length > 0) logger.warn('Deletions partly recorded; the rest is delivered again', summary);
    else logger.info('Deletions recorded', summary);
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  });
