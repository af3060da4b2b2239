/**
 * The outbox: stream consumer of the messaging table (INSERT of message items:
 * functions/streams.ts). Every stored message becomes MessageSent, with ids only (never the text).
 * Published at least once (a failed record is delivered again, with those after it): the mail is
 * claimed once per unread stretch and the push sends the message as it is, so a duplicate is harmless.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { MessageSent } from '#events/catalogue.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { events } from '../composition.ts';

const bus = events();

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const records = event.Records ?? [];
    for (const [index, record] of records.entries()) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || image?.entity?.S !== 'message') continue;
      const data = {
        conversationId: image.conversationId?.S ?? '',
        messageId: image.id?.S ?? '',
        senderId: image.senderId?.S ?? '',
        recipientId: image.recipientId?.S ?? '',
      };
      try {
        await bus.publish(MessageSent, data, { correlationId: data.messageId });
      } catch (error) {
        logger.warn('MessageSent not published; delivered again', { error: errorFacts(error) });
        return {
          batchItemFailures: records
            .slice(index)
            .flatMap((r) => (r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [])),
        };
      }
    }
    return { batchItemFailures: [] };
  });
