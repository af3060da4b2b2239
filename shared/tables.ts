/**
 * The tables: one per bounded context, so that IAM grants and the architecture test keep each
 * context to its own data. Read by the CDK app (infra/constructs/data.ts) and by the local cloud
 * (local/services/dynamodb.ts), so both create exactly these keys and indexes.
 *
 * Every table has the same primary key (pk, sk), the TTL attribute `expiresAt`, a stream (the
 * retention audit reads deletions from it) and two retention indexes, both sparse:
 * - `byExpiry` (expiryDay, expiresAt): only items with an expiry are in it, so the purge reads
 *   exactly the due items, day by day, and never scans;
 * - `bySubject` (subjectKey): every item about a data subject, for legal holds and erasure.
 * The item metadata behind them is written by shared/dynamo/items.ts.
 */
import { EXPIRES_AT, EXPIRY_DAY, HELD_EXPIRES_AT, SUBJECT_KEY } from './retention/expiry.ts';

export type AttributeType = 'S' | 'N';

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: AttributeType };
  readonly sortKey?: { readonly name: string; readonly type: AttributeType };
  readonly projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** With INCLUDE: the attributes copied into the index besides the keys. */
  readonly nonKeyAttributes?: readonly string[];
}

export interface TableDefinition {
  /** Logical name; the physical name comes from CDK in AWS and from the local prefix locally. */
  readonly name: string;
  /** Environment variable through which functions receive the physical table name. */
  readonly envVar: string;
  readonly partitionKey: { readonly name: 'pk'; readonly type: 'S' };
  readonly sortKey: { readonly name: 'sk'; readonly type: 'S' };
  readonly ttlAttribute: typeof EXPIRES_AT;
  readonly indexes: readonly IndexDefinition[];
}

export const EXPIRY_INDEX = 'byExpiry';
export const SUBJECT_INDEX = 'bySubject';

const retentionIndexes: readonly IndexDefinition[] = [
  {
    name: EXPIRY_INDEX,
    partitionKey: { name: EXPIRY_DAY, type: 'S' },
    sortKey: { name: EXPIRES_AT, type: 'N' },
    projection: 'INCLUDE',
    nonKeyAttributes: ['entity', 'retentionPurpose', SUBJECT_KEY],
  },
  {
    name: SUBJECT_INDEX,
    partitionKey: { name: SUBJECT_KEY, type: 'S' },
    projection: 'INCLUDE',
    nonKeyAttributes: ['entity', 'retentionPurpose', EXPIRES_AT, HELD_EXPIRES_AT],
  },
];

function table(name: string, indexes: readonly IndexDefinition[] = []): TableDefinition {
  return {
    name,
    envVar: `TABLE_${name.toUpperCase().replaceAll('-', '_')}`,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: EXPIRES_AT,
    indexes: [...retentionIndexes, ...indexes],
  };
}

export const tables = {
  /** The accounts context: one item per account (type, status, CGU acceptance); identity stays in Cognito. */
  accounts: table('accounts'),
  /**
   * The bookings context: appointments (with the payments issue, their payment records), the
   * 5-minute slot locks that keep one slot to one appointment, and controller-action audits.
   * An appointment is found by its practitioner or its client and start time.
   */
  bookings: table('bookings', [
    {
      name: 'byPractitioner',
      partitionKey: { name: 'practitionerKey', type: 'S' },
      sortKey: { name: 'startKey', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byClient',
      partitionKey: { name: 'clientKey', type: 'S' },
      sortKey: { name: 'startKey', type: 'S' },
      projection: 'ALL',
    },
    /** Sparse: only bookings waiting for their payment, by the end of their hold. */
    {
      name: 'byHold',
      partitionKey: { name: 'holdKey', type: 'S' },
      sortKey: { name: 'holdUntil', type: 'S' },
      projection: 'ALL',
    },
    /** Sparse: only payments with a dispute, by the latest, for staff. */
    {
      name: 'byDispute',
      partitionKey: { name: 'disputeKey', type: 'S' },
      sortKey: { name: 'lastDisputeAt', type: 'S' },
      projection: 'ALL',
    },
  ]),
  contact: table('contact'),
  /**
   * The practitioners context: one profile item per practitioner (the root of its partition),
   * listed through `byListing`; and, for a published profile, one search entry per key it can be
   * found by (specialty, city, postcode and their pairs), found through `bySearch` (keys only:
   * the search then reads the profiles themselves, which decide whether they are shown).
   */
  practitioners: table('practitioners', [
    {
      name: 'byListing',
      partitionKey: { name: 'listingPk', type: 'S' },
      sortKey: { name: 'listingSk', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'bySearch',
      partitionKey: { name: 'searchPk', type: 'S' },
      sortKey: { name: 'searchSk', type: 'S' },
      projection: 'KEYS_ONLY',
    },
  ]),
  /**
   * The reviews context (functions/reviews/, ADR 0015): review invitations (from BookingCompleted),
   * reviews and their replies, reports, appeals, moderation claims and decisions, reporter bars,
   * and the per-practitioner summary projection. Three sparse indexes:
   * - `byListing`: published reviews of a practitioner, newest first (listingPk = the practitioner);
   * - `byQueue`: open moderation items (reviews, replies, reports, appeals), oldest first;
   * - `byParty`: what one account wrote or filed (its reviews, its reports), for its own views,
   *   account deletion and the reporter bar.
   */
  reviews: table('reviews', [
    {
      name: 'byListing',
      partitionKey: { name: 'listingPk', type: 'S' },
      sortKey: { name: 'listingSk', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byQueue',
      partitionKey: { name: 'queuePk', type: 'S' },
      sortKey: { name: 'queueSk', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byParty',
      partitionKey: { name: 'partyPk', type: 'S' },
      sortKey: { name: 'partySk', type: 'S' },
      projection: 'ALL',
    },
  ]),
  /**
   * The messaging context (functions/messaging/, ADR 0016): conversations (one per client and
   * practitioner, the root of their partition, owning its messages) and the WebSocket API's
   * open connections. Three sparse indexes:
   * - `byClient` and `byPractitioner`: one party's conversations, latest activity first;
   * - `byOwner`: one account's open WebSocket connections, for the live push.
   */
  messaging: table('messaging', [
    {
      name: 'byClient',
      partitionKey: { name: 'clientKey', type: 'S' },
      sortKey: { name: 'activityKey', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byPractitioner',
      partitionKey: { name: 'practitionerKey', type: 'S' },
      sortKey: { name: 'activityKey', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byOwner',
      partitionKey: { name: 'ownerKey', type: 'S' },
      sortKey: { name: 'pk', type: 'S' },
      projection: 'KEYS_ONLY',
    },
  ]),
  /**
   * The privacy context (functions/privacy/, ADR 0017): rights requests received by post or email,
   * the DPO's register of them. Sparse index `byDeadline`: the open requests, by deadline.
   */
  privacy: table('privacy', [
    {
      name: 'byDeadline',
      partitionKey: { name: 'openPk', type: 'S' },
      sortKey: { name: 'openSk', type: 'S' },
      projection: 'ALL',
    },
  ]),
  /**
   * The newsletter context (functions/newsletter/, ADR 0020): one partition per address, keyed by
   * a keyed hash of it (`ADDR#<digest>`): its subscription (pending, then confirmed) and its
   * suppression entry; campaigns and the jobs' checkpoints. Sparse index `byAudience`: the
   * confirmed subscriptions, which a campaign is sent to page by page.
   */
  newsletter: table('newsletter', [
    {
      name: 'byAudience',
      partitionKey: { name: 'audiencePk', type: 'S' },
      sortKey: { name: 'audienceSk', type: 'S' },
      projection: 'ALL',
    },
  ]),
  /**
   * The support context (functions/support/, ADR 0019): tickets (the root of their partition,
   * owning their messages, deleted with them at the closure), the closures' audit entries and the
   * counts of closed tickets per month. Three sparse indexes, on open tickets only:
   * - `byQueue`: the tickets of one state (waiting for support, waiting for the user), oldest first;
   * - `byOpener`: one account's tickets, newest first;
   * - `byWaiting`: the tickets waiting for their user's answer, by the time they began to wait
   *   (the daily job's day-23 notice and day-30 closure).
   */
  support: table('support', [
    {
      name: 'byQueue',
      partitionKey: { name: 'queuePk', type: 'S' },
      sortKey: { name: 'queueSk', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byOpener',
      partitionKey: { name: 'openerPk', type: 'S' },
      sortKey: { name: 'openerSk', type: 'S' },
      projection: 'ALL',
    },
    {
      name: 'byWaiting',
      partitionKey: { name: 'waitingPk', type: 'S' },
      sortKey: { name: 'waitingSk', type: 'S' },
      projection: 'ALL',
    },
  ]),
  /** The retention context's own data: purge checkpoints, audit counts, legal holds, erasure log. */
  retention: table('retention'),
  /** Fraud prevention, shared by every API function: rate-limit counters and connection records. */
  security: table('security'),
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof tables;

/** The physical table name a function was given, read from its environment. */
export function tableNameFromEnv(name: TableName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[tables[name].envVar];
  if (!value) throw new Error(`Missing environment variable ${tables[name].envVar} (table ${name})`);
  return value;
}
