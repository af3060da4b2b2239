/**
 * The moderation queue in the reviews table (ADR 0015): every item waiting for a moderator carries
 * `queuePk`/`queueSk` (the sparse `byQueue` index, oldest first), and while claimed `claimedBy` and
 * `claimExpiresAt` (epoch ms). A claim is a conditional write on the claim's absence or expiry; a
 * decision (reviews, replies, reports, appeals: parts A and B) ANDs `decisionCondition` with its
 * own condition and REMOVEs `QUEUE_REMOVALS` in the same write, so two moderators never both decide.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { notDue, withoutDue } from '#shared/dynamo/reads.ts';
import { isDue } from '#shared/retention/expiry.ts';
import {
  type ClaimState,
  claimExpiry,
  itemKey,
  parseQueueSk,
  QUEUE_PK,
  type QueueKind,
  type QueuePosition,
  queueKeys,
  STALE_REALERT_HOURS,
} from '../domain/moderation.ts';

export const QUEUE_INDEX = 'byQueue';
const LIST_PAGE_SIZE = 50;

/** A condition fragment with its own names and values, to AND with the caller's. */
export interface ConditionFragment {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * What a decision's write requires: the item is still queued and `moderatorId` holds a live claim
 * on it. Its placeholders (`#queueClaimedBy`, `:queueClaimant`...) do not collide with the caller's.
 * When the write fails on it, the answer is 409 (no live claim of the caller).
 */
export function decisionCondition(moderatorId: string, now: Date): ConditionFragment {
  return {
    ConditionExpression:
      '(#queueClaimedBy = :queueClaimant AND #queueClaimExpiresAt > :queueNow AND attribute_exists(#queuePk))',
    ExpressionAttributeNames: {
      '#queueClaimedBy': 'claimedBy',
      '#queueClaimExpiresAt': 'claimExpiresAt',
      '#queuePk': 'queuePk',
    },
    ExpressionAttributeValues: { ':queueClaimant': moderatorId, ':queueNow': now.getTime() },
  };
}

/** The REMOVE clause fragment a decision adds: the item leaves the queue, its claim with it. */
export const QUEUE_REMOVALS = 'queuePk, queueSk, claimedBy, claimExpiresAt';

/**
 * Puts (back) an existing item in the queue, e.g. a pending revision of a published review: the
 * SET and REMOVE fragments of an UpdateItem and their values.
 */
export function enqueueUpdate(
  kind: QueueKind,
  id: string,
  since: Date,
): { set: string; remove: string; values: Record<string, string> } {
  const keys = queueKeys(kind, id, since);
  return {
    set: 'queuePk = :queuePk, queueSk = :queueSk',
    remove: 'claimedBy, claimExpiresAt',
    values: { ':queuePk': keys.queuePk, ':queueSk': keys.queueSk },
  };
}

/** One waiting item as the queue shows it: no personal data, only kind, id, age and claim. */
export interface QueueEntry extends QueuePosition {
  readonly claimedBy?: string;
  readonly claimExpiresAt?: Date;
  /** When the moderators were last alerted that it waits too long. */
  readonly staleAlertedAt?: Date;
}

export type ClaimOutcome =
  | { readonly outcome: 'claimed'; readonly expiresAt: Date }
  | { readonly outcome: 'held'; readonly expiresAt: Date }
  | { readonly outcome: 'not-queued' };

export interface QueuePage {
  readonly items: readonly QueueEntry[];
  /** The `queueSk` to continue after (exclusive), while there may be more. */
  readonly after?: string;
}

export interface ModerationQueue {
  /** Waiting items, oldest first, `limit` at most, optionally of one kind, after `after`. */
  list(query: { kind?: QueueKind; limit: number; after?: string }, now: Date): Promise<QueuePage>;
  /** Claims an item for CLAIM_MINUTES: unless someone else holds a live claim on it. */
  claim(kind: QueueKind, id: string, moderatorId: string, now: Date): Promise<ClaimOutcome>;
  /** Every item waiting since before `before` (for the stale alert), oldest first. */
  waitingSince(before: Date, now: Date): Promise<QueueEntry[]>;
  /**
   * Records a stale alert about a still-queued entry, unless one was recorded within
   * STALE_REALERT_HOURS; false when it was (or the entry left the queue).
   */
  markStaleAlerted(entry: QueuePosition, now: Date): Promise<boolean>;
}

interface QueuedItem extends ClaimState {
  pk: string;
  sk: string;
  queuePk?: string;
  queueSk?: string;
  staleAlertedAt?: number;
  expiresAt?: number;
  heldExpiresAt?: number;
}

function toEntry(item: QueuedItem): QueueEntry | undefined {
  const position = item.queueSk ? parseQueueSk(item.queueSk) : undefined;
  if (!position) return undefined;
  return {
    ...position,
    ...(item.claimedBy ? { claimedBy: item.claimedBy } : {}),
    ...(item.claimExpiresAt !== undefined ? { claimExpiresAt: new Date(item.claimExpiresAt) } : {}),
    ...(item.staleAlertedAt !== undefined ? { staleAlertedAt: new Date(item.staleAlertedAt) } : {}),
  };
}

export function dynamoModerationQueue(deps: { client: DynamoDBDocumentClient; tableName: string }): ModerationQueue {
  return {
    async list({ kind, limit, after }, now) {
      const items: QueueEntry[] = [];
      let start: Record<string, unknown> | undefined;
      if (after) {
        const position = parseQueueSk(after);
        if (!position) return { items };
        start = { queuePk: QUEUE_PK, queueSk: after, ...itemKey(position.kind, position.id) };
      }
      // The kind is read from queueSk (an index key, which a filter expression cannot name): read
      // pages on until `limit` entries of the kind, and give a cursor only when one more exists.
      const skOf = (entry: QueueEntry) => queueKeys(entry.kind, entry.id, entry.since).queueSk;
      do {
        const page = await deps.client.send(
          new QueryCommand(
            withoutDue(
              {
                TableName: deps.tableName,
                IndexName: QUEUE_INDEX,
                KeyConditionExpression: 'queuePk = :queuePk',
                ExpressionAttributeValues: { ':queuePk': QUEUE_PK },
                Limit: LIST_PAGE_SIZE,
                ...(start ? { ExclusiveStartKey: start } : {}),
              },
              now,
            ),
          ),
        );
        for (const item of (page.Items ?? []) as QueuedItem[]) {
          const entry = toEntry(item);
          if (!entry || (kind && entry.kind !== kind)) continue;
          const last = items.at(-1);
          if (items.length === limit && last) return { items, after: skOf(last) };
          items.push(entry);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return { items };
    },

    async claim(kind, id, moderatorId, now) {
      const expiresAt = claimExpiry(now);
      const live = notDue(now);
      try {
        await deps.client.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: itemKey(kind, id),
            UpdateExpression: 'SET claimedBy = :me, claimExpiresAt = :until',
            ConditionExpression: `attribute_exists(queuePk) AND (attribute_not_exists(claimedBy) OR claimedBy = :me OR claimExpiresAt <= :nowMs) AND ${live.expression}`,
            ExpressionAttributeNames: live.names,
            ExpressionAttributeValues: {
              ...live.values,
              ':me': moderatorId,
              ':until': expiresAt.getTime(),
              ':nowMs': now.getTime(),
            },
          }),
        );
        return { outcome: 'claimed', expiresAt };
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
      // Why it failed: not queued (or gone), or held by someone else.
      const { Item } = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: itemKey(kind, id), ConsistentRead: true }),
      );
      const item = Item as QueuedItem | undefined;
      if (!item?.queuePk || isDue(item, now) || !item.claimedBy || item.claimExpiresAt === undefined) {
        return { outcome: 'not-queued' };
      }
      return { outcome: 'held', expiresAt: new Date(item.claimExpiresAt) };
    },

    async waitingSince(before, now) {
      const found: QueueEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await deps.client.send(
          new QueryCommand(
            withoutDue(
              {
                TableName: deps.tableName,
                IndexName: QUEUE_INDEX,
                KeyConditionExpression: 'queuePk = :queuePk AND queueSk < :before',
                ExpressionAttributeValues: { ':queuePk': QUEUE_PK, ':before': before.toISOString() },
                ...(start ? { ExclusiveStartKey: start } : {}),
              },
              now,
            ),
          ),
        );
        for (const item of (page.Items ?? []) as QueuedItem[]) {
          const entry = toEntry(item);
          if (entry) found.push(entry);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return found;
    },

    async markStaleAlerted(entry, now) {
      try {
        await deps.client.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: itemKey(entry.kind, entry.id),
            UpdateExpression: 'SET staleAlertedAt = :now',
            ConditionExpression:
              'queueSk = :queueSk AND (attribute_not_exists(staleAlertedAt) OR staleAlertedAt <= :realertBefore)',
            ExpressionAttributeValues: {
              ':now': now.getTime(),
              ':queueSk': queueKeys(entry.kind, entry.id, entry.since).queueSk,
              ':realertBefore': now.getTime() - STALE_REALERT_HOURS * 3_600_000,
            },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
