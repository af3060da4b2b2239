/**
 * The wrapper of every EventBridge consumer: parses the event with its catalogue contract and
 * hands the typed data to the use case. A detail that does not parse is a bug upstream: it is
 * logged (identifiers only) and thrown, so retries and the dead-letter queue keep it.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { EventContract, EventData, EventMetadata } from '#events/envelope.ts';
import { errorFacts, logger } from '../logger.ts';

export function eventHandler<E extends EventContract>(
  contract: E,
  run: (data: EventData<E>, metadata: EventMetadata, context: Context) => Promise<void>,
) {
  return middy<EventBridgeEvent<string, unknown>, void>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      if (event['detail-type'] !== contract.detailType || event.source !== contract.source) {
        throw new Error(`Unexpected event ${event.source}/${event['detail-type']} for ${contract.detailType}`);
      }
      const parsed = contract.detail.safeParse(event.detail);
      if (!parsed.success) {
        logger.error('Event detail does not match its contract', {
          eventId: event.id,
          detailType: event['detail-type'],
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
        });
        throw new Error(`Invalid ${contract.detailType} detail`);
      }
      const { metadata, data } = parsed.data;
      logger.appendKeys({ eventId: metadata.eventId, correlationId: metadata.correlationId });
      try {
        await run(data as EventData<E>, metadata, context);
      } catch (error) {
        // Thrown again without its message (it may quote a value): Lambda retries, then the DLQ.
        logger.error('Event handling failed', { eventId: metadata.eventId, error: errorFacts(error) });
        throw new Error(`${contract.detailType} handling failed: ${(error as Error)?.name ?? 'error'}`);
      }
    });
}

type EventBridgeHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;

/**
 * One function for several events: each detail-type goes to its own `eventHandler` (which parses
 * it with its own contract); any other event is an error, as in `eventHandler`.
 */
export function eventHandlers(byDetailType: Readonly<Record<string, EventBridgeHandler>>): EventBridgeHandler {
  return async (event, context) => {
    const detailType = event['detail-type'];
    const handler = Object.hasOwn(byDetailType, detailType) ? byDetailType[detailType] : undefined;
    if (!handler) throw new Error(`Unexpected event ${event.source}/${detailType}`);
    await handler(event, context);
  };
}
