/**
 * The stream consumers: DynamoDB stream records routed to functions. Read by the CDK app (an event
 * source mapping per table, with a filter on the event names, retries and an on-failure queue)
 * and by the local cloud's stream poller (local/stream-poller.ts), which applies the same filter.
 */
import type { TableName } from '#shared/tables.ts';
import { tables } from '#shared/tables.ts';
import type { FunctionName } from './catalogue.ts';

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

export interface StreamConsumer {
  /** Kebab-case, unique. */
  readonly name: string;
  readonly description: string;
  readonly tables: readonly TableName[];
  readonly target: FunctionName;
  /** Only records of these kinds reach the function (an event filter in AWS). */
  readonly eventNames: readonly StreamEventName[];
  readonly batchSize: number;
  /** Retries of a failing batch before it goes to the on-failure queue; the batch is split on error. */
  readonly maximumRetryAttempts: number;
}

export const streamConsumers: readonly StreamConsumer[] = [
  {
    name: 'retention-deletion-audit',
    description: 'Counts every deletion per purpose, day and cause; cascades TTL deletions of partition roots.',
    tables: Object.keys(tables) as TableName[],
    target: 'recordDeletions',
    eventNames: ['REMOVE'],
    batchSize: 100,
    maximumRetryAttempts: 5,
  },
  {
    name: 'accounts-cognito-user-removal',
    description: 'Deletes the Cognito user of every account item removed (purge, TTL or erasure).',
    tables: ['accounts'],
    target: 'deleteCognitoUser',
    eventNames: ['REMOVE'],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
  {
    name: 'bookings-outbox',
    description: 'Publishes a Booking* event for every committed change of an appointment (the transactional outbox).',
    tables: ['bookings'],
    target: 'publishBookingEvents',
    eventNames: ['INSERT', 'MODIFY'],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
];
