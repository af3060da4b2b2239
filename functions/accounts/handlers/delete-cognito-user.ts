/**
 * Stream consumer of the accounts table (REMOVE records, functions/streams.ts): an account item
 * deleted by the purge, DynamoDB's TTL or an erasure takes its Cognito user with it. Reads only
 * the keys of the record. Answers a partial batch response: a user that could not be deleted is
 * delivered again.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import { identityRemovalDeps } from '../composition.ts';
import { removeIdentity } from '../use-cases.ts';

const deps = identityRemovalDeps();

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const failures: string[] = [];
    for (const record of event.Records ?? []) {
      const pk = record.dynamodb?.Keys?.pk?.S;
      const sk = record.dynamodb?.Keys?.sk?.S;
      if (record.eventName !== 'REMOVE' || sk !== 'ACCOUNT' || !pk?.startsWith('ACCOUNT#')) continue;
      const accountId = pk.slice('ACCOUNT#'.length);
      try {
        const outcome = await removeIdentity(deps, accountId);
        logger.info('Cognito user of a removed account', { accountId, outcome });
      } catch (error) {
        logger.warn('Cognito user not deleted; delivered again', { accountId, error: (error as Error).name });
        if (record.dynamodb?.SequenceNumber) failures.push(record.dynamodb.SequenceNumber);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  });
