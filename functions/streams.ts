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
  /** And, when set, only records whose new image is one of these entity types (same filter). */
  readonly newImageEntities?: readonly string[];
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
    // Slot locks, receipts and payment records change too: they are not the outbox's business.
    newImageEntities: ['appointment'],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
  // Reviews, part A (ADR 0015): the reviews table's outbox, changes and deletions of reviews.
  {
    name: 'reviews-outbox',
    description: 'Publishes a Review* event for every committed change of a review (the transactional outbox).',
    tables: ['reviews'],
    target: 'publishReviewEvents',
    eventNames: ['INSERT', 'MODIFY'],
    newImageEntities: ['review'],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
  {
    name: 'reviews-outbox-deletions',
    description:
      'Publishes ReviewWithdrawn for every deleted review (withdrawal, account deletion, erasure, purge, TTL); other items are skipped.',
    tables: ['reviews'],
    target: 'publishReviewWithdrawals',
    // A deletion has no new image to filter on: every REMOVE of the table comes, the function keeps reviews.
    eventNames: ['REMOVE'],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
  // Messaging (ADR 0016): the messaging table's outbox.
  {
    name: 'messaging-outbox',
    description: 'Publishes MessageSent for every stored message (the transactional outbox).',
    tables: ['messaging'],
    target: 'publishMessageEvents',
    eventNames: ['INSERT'],
    newImageEntities: ['message'],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
  // Support (ADR 0019): the support table's outbox.
  {
    name: 'support-outbox',
    description:
      'Publishes TicketOpened, TicketAnswered (support’s messages) and TicketClosed (closures’ audit entries): identifiers only.',
    tables: ['support'],
    target: 'publishSupportEvents',
    eventNames: ['INSERT'],
    // The outbox's entity types (functions/support/outbox.ts).
    newImageEntities: [
      'support-ticket',
      'message-report-ticket',
      'support-message',
      'support-ticket-closure',
      'message-report-closure',
    ],
    batchSize: 25,
    maximumRetryAttempts: 10,
  },
];

/**
 * Whether a stream record reaches a consumer: the rule its event filter states in AWS
 * (infra/constructs/streams.ts), applied by the local stream poller.
 */
export function consumerAccepts(
  consumer: StreamConsumer,
  record: { readonly eventName?: string; readonly dynamodb?: { readonly [key: string]: unknown } },
): boolean {
  if (!(consumer.eventNames as readonly string[]).includes(record.eventName ?? '')) return false;
  if (!consumer.newImageEntities) return true;
  const image = record.dynamodb?.NewImage as Record<string, { S?: string }> | undefined;
  const entity = image?.entity?.S;
  return entity !== undefined && consumer.newImageEntities.includes(entity);
}
