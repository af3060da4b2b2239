/**
 * Revoked accounts: the list every signed-in request is checked against (shared/http/guards.ts).
 *
 * API Gateway's Cognito authorizer checks an ID token's signature and expiry, nothing else, so a
 * token issued before a suspension or a deletion would keep working for the rest of its hour.
 * The accounts context writes a revocation when staff suspend an account (lifted at the
 * reinstatement) and when its owner deletes it (final); the guard of every signed-in function
 * reads it before anything else of the request happens.
 *
 * One item per revoked account in the security table: pk `REVOKED#<accountId>`, sk `REVOKED`,
 * `reason` (suspended | deleted), `at`; purpose `fraud-prevention` (30 days from the action, its
 * subject the account). Cognito refuses the person's sign-in and refresh from the action on
 * (user disabled, global sign-out), so only tokens issued before it can be presented, the
 * longest-lived for an hour (ID and access tokens): 30 days cover them many times over, and
 * even a refresh token (30 days) a failed global sign-out would have left.
 *
 * Each function instance keeps what it read for a short while (`revocationCache`): an admission
 * 30 s, a refusal 5 s. A suspension or a deletion is therefore refused everywhere within 30 s
 * (at once by an instance that never saw the account, and by the instance that wrote it), and a
 * reinstatement is let in again within 5 s. A read that fails is not cached: the guard refuses
 * the request (503, fail-closed).
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.ts';
import { type Clock, systemClock } from '../clock.ts';
import { retainedItem } from '../dynamo/items.ts';
import { EXPIRES_AT, HELD_EXPIRES_AT, isDue } from '../retention/expiry.ts';
import { subjectKeyForAccount } from '../retention/subject.ts';
import { tableNameFromEnv } from '../tables.ts';
import { accountRevocationEntity } from './entities.ts';

export type RevocationReason = 'suspended' | 'deleted';

/** How long an instance trusts what it read: an account let in, an account refused. */
export const ADMISSION_CACHE_SECONDS = 30;
export const REFUSAL_CACHE_SECONDS = 5;
/** Accounts an instance remembers at most (a Lambda instance serves one request at a time). */
export const MAX_CACHED_ACCOUNTS = 10_000;

export interface RevocationReader {
  /** Why the account is revoked, or undefined when it is not. Throws when the list cannot be read. */
  reasonFor(accountId: string): Promise<RevocationReason | undefined>;
}

export interface RevocationWriter {
  /**
   * Revokes the account's tokens from `at`. A deletion is final: a suspension never replaces it
   * (a staff action racing the owner's deletion leaves the account deleted).
   */
  revoke(accountId: string, reason: RevocationReason, at: Date): Promise<void>;
  /**
   * Lifts a suspension's revocation written at or before `upTo` (a reinstatement). A deletion's
   * stays, and so does a later suspension's. Nothing to lift is fine.
   */
  liftSuspension(accountId: string, upTo: Date): Promise<void>;
}

export type RevocationList = RevocationReader & RevocationWriter;

const keyOf = (accountId: string) => ({ pk: `REVOKED#${accountId}`, sk: 'REVOKED' });
const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoRevocationList(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}): RevocationList {
  return {
    async reasonFor(accountId) {
      // Strongly consistent: the first read after a revocation sees it.
      const { Item } = await deps.client.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: keyOf(accountId),
          ConsistentRead: true,
          ProjectionExpression: '#reason, #exp, #held',
          ExpressionAttributeNames: { '#reason': 'reason', '#exp': EXPIRES_AT, '#held': HELD_EXPIRES_AT },
        }),
      );
      if (!Item || isDue(Item, deps.clock.now())) return undefined;
      return Item.reason === 'deleted' ? 'deleted' : 'suspended';
    },

    async revoke(accountId, reason, at) {
      const item = retainedItem(
        accountRevocationEntity,
        { ...keyOf(accountId), accountId, reason, at: at.toISOString() },
        { clockStartedAt: at, subjectKey: subjectKeyForAccount(accountId), now: at },
      );
      try {
        await deps.client.send(
          new PutCommand({
            TableName: deps.tableName,
            Item: item,
            ...(reason === 'suspended'
              ? {
                  ConditionExpression: 'attribute_not_exists(pk) OR #reason <> :deleted',
                  ExpressionAttributeNames: { '#reason': 'reason' },
                  ExpressionAttributeValues: { ':deleted': 'deleted' },
                }
              : {}),
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error; // the account is deleted: that revocation stays
      }
    },

    async liftSuspension(accountId, upTo) {
      try {
        await deps.client.send(
          new DeleteCommand({
            TableName: deps.tableName,
            Key: keyOf(accountId),
            ConditionExpression: '#reason = :suspended AND #at <= :upTo',
            ExpressionAttributeNames: { '#reason': 'reason', '#at': 'at' },
            ExpressionAttributeValues: { ':suspended': 'suspended', ':upTo': upTo.toISOString() },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error; // none, a deletion's, or a later suspension's
      }
    },
  };
}

/**
 * A per-instance cache in front of the list: admissions are trusted `admissionSeconds`, refusals
 * `refusalSeconds`; what this instance writes is known to it at once. A failed read caches
 * nothing and throws. Bounded: past `maxEntries` accounts it starts afresh.
 */
export function revocationCache(
  list: RevocationList,
  options: { clock: Clock; admissionSeconds?: number; refusalSeconds?: number; maxEntries?: number },
): RevocationList {
  const admissionMs = (options.admissionSeconds ?? ADMISSION_CACHE_SECONDS) * 1000;
  const refusalMs = (options.refusalSeconds ?? REFUSAL_CACHE_SECONDS) * 1000;
  const maxEntries = options.maxEntries ?? MAX_CACHED_ACCOUNTS;
  const entries = new Map<string, { reason: RevocationReason | undefined; until: number }>();

  const remember = (accountId: string, reason: RevocationReason | undefined) => {
    if (entries.size >= maxEntries && !entries.has(accountId)) entries.clear();
    const now = options.clock.now().getTime();
    entries.set(accountId, { reason, until: now + (reason ? refusalMs : admissionMs) });
  };

  return {
    async reasonFor(accountId) {
      const cached = entries.get(accountId);
      if (cached && cached.until > options.clock.now().getTime()) return cached.reason;
      entries.delete(accountId);
      const reason = await list.reasonFor(accountId);
      remember(accountId, reason);
      return reason;
    },

    async revoke(accountId, reason, at) {
      await list.revoke(accountId, reason, at);
      // A suspension may have met a deletion: the next read says which stands.
      if (reason === 'deleted') remember(accountId, reason);
      else entries.delete(accountId);
    },

    async liftSuspension(accountId, upTo) {
      await list.liftSuspension(accountId, upTo);
      entries.delete(accountId);
    },
  };
}

let instanceList: RevocationList | undefined;

/**
 * The list of this function instance, from its environment (TABLE_SECURITY): one cache shared by
 * the guard and the accounts use cases, so that what an instance revokes it refuses at once.
 * Built on first use: functions that serve no signed-in route never touch it.
 */
export function instanceRevocations(): RevocationList {
  instanceList ??= revocationCache(
    dynamoRevocationList({ client: documentClient(), tableName: tableNameFromEnv('security'), clock: systemClock }),
    { clock: systemClock },
  );
  return instanceList;
}
