/**
 * The outbox: stream consumer of the support table (INSERT of tickets, messages and closures:
 * functions/streams.ts). A new ticket becomes TicketOpened, support's answer TicketAnswered, a
 * closure's audit entry TicketClosed: identifiers and codes only, never a subject or a text.
 * Published at least once (a failed record is delivered again, with those after it).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { errorFacts, logger } from '#shared/logger.ts';
import { events } from '../composition.ts';
import { eventOfImage } from '../outbox.ts';

const bus = events();

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const records = event.Records ?? [];
    for (const [index, record] of records.entries()) {
      if (record.eventName !== 'INSERT') continue;
      const found = eventOfImage(record.dynamodb?.NewImage);
      if (!found) continue;
      try {
        await bus.publish(found.contract, found.data, { correlationId: found.data.ticketId });
      } catch (error) {
        logger.warn('Support event not published; delivered again', { error: errorFacts(error) });
        return {
          batchItemFailures: records
            .slice(index)
            .flatMap((r) => (r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [])),
        };
      }
    }
    return { batchItemFailures: [] };
  });
