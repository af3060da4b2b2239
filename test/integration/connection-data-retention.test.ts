/**
 * Fraud prevention keeps connection data "1 mois maximum": a connection record and a rate-limit
 * counter are there 29 days after the connection, and a purge 30 days and a second after it
 * leaves nothing of them (DynamoDB Local, own tables, the real purge with an injected clock).
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { manualClock } from '#shared/clock.ts';
import { subjectKeyForIp } from '#shared/retention/subject.ts';
import { dynamoConnectionLog } from '#shared/security/connection-log.ts';
import { dynamoRateLimiter } from '#shared/security/rate-limiter.ts';
import type { TableName } from '#shared/tables.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { memoryCheckpoints, recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let names: Record<TableName, string>;
afterAll(() => db.destroy());
beforeAll(async () => {
  names = tableNamesFrom(await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`));
});

// Years ahead of the machine's clock, so DynamoDB Local's own TTL sweep cannot interfere.
const connectedAt = new Date('2031-03-10T09:15:00Z');
const ip = '198.51.100.23';

const itemsOfIp = async () => {
  const subject = subjectKeyForIp(ip);
  const byPk = async (pk: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: names.security,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      )
    ).Items ?? [];
  return [...(await byPk(`CONNECTION#${subject}`)), ...(await byPk(`RATE#${subject}#submitContactRequest`))];
};

const purgeAt = (at: Date) =>
  purgeExpiredItems({
    store: dynamoRetentionTables({ client: db, tableNames: names }),
    checkpoints: memoryCheckpoints(),
    holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
    events: recordingPublisher(),
    clock: manualClock(at),
    entities,
    tables: ['security'],
    options: { startDay: '2031-03-01' },
  });

describe('connection data', () => {
  it('is kept 30 days at most', async () => {
    await dynamoConnectionLog({ client: db, tableName: names.security }).record({
      subjectKey: subjectKeyForIp(ip),
      ip,
      userAgent: 'test',
      operationId: 'submitContactRequest',
      status: 202,
      requestId: 'req-1',
      at: connectedAt,
    });
    await dynamoRateLimiter({ client: db, tableName: names.security }).check(
      { subjectKey: subjectKeyForIp(ip), label: 'IP' },
      'submitContactRequest',
      { requests: 10, windowSeconds: 600 },
      connectedAt,
    );
    expect(await itemsOfIp()).toHaveLength(2);

    const dayBefore = new Date(connectedAt.getTime() + 29 * 86_400_000);
    expect((await purgeAt(dayBefore)).itemsDeleted).toBe(0);
    expect(await itemsOfIp()).toHaveLength(2);

    const after = new Date(connectedAt.getTime() + 30 * 86_400_000 + 1000);
    const report = await purgeAt(after);
    expect(report.deletedByPurpose['fraud-prevention']).toBe(2);
    expect(await itemsOfIp()).toHaveLength(0);
  });
});
