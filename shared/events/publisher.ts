/**
 * Publishes events of the catalogue on the bus, in the envelope of DESIGN.md §6. The data is
 * validated against the contract before it leaves, so no event with personal data or a wrong
 * shape reaches the bus, its archive or a dead-letter queue.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventContract, EventData } from '#events/envelope.ts';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';

export interface EventPublisher {
  publish<E extends EventContract>(
    contract: E,
    data: EventData<E>,
    options?: { correlationId?: string },
  ): Promise<string>;
}

export function eventBridgePublisher(deps: {
  client: EventBridgeClient;
  busName: string;
  clock: Clock;
}): EventPublisher {
  return {
    async publish(contract, data, options) {
      const eventId = newId('evt');
      const detail = {
        metadata: {
          eventId,
          occurredAt: deps.clock.now().toISOString(),
          version: contract.version,
          correlationId: options?.correlationId ?? eventId,
        },
        data: contract.data.parse(data),
      };
      const result = await deps.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: deps.busName,
              Source: contract.source,
              DetailType: contract.detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      if (result.FailedEntryCount) {
        const entry = result.Entries?.[0];
        throw new Error(`PutEvents refused ${contract.detailType}: ${entry?.ErrorCode ?? 'unknown'}`);
      }
      return eventId;
    },
  };
}
