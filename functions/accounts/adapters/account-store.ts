/**
 * Account items in the accounts table: pk `ACCOUNT#<sub>`, sk `ACCOUNT`. Built by the retention
 * builders (shared/dynamo/items.ts): an `account` expires 5 years after the last activity
 * (sliding), a `deleted-account` 6 months after the deletion request. Staff actions on an account
 * (`account-staff-action`) live in a partition of their own, `ACCOUNT-STAFF-ACTIONS#<sub>` (sk
 * `<at>#<actionId>`), kept 5 years from the action: not in the account's partition, which the
 * account item owns and takes with it.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { notDue } from '#shared/dynamo/reads.ts';
import { slideExpiry } from '#shared/dynamo/sliding.ts';
import { EXPIRES_AT, EXPIRY_DAY, epochSeconds, expiryFor, HELD_EXPIRES_AT, isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { EXPIRY_INDEX } from '#shared/tables.ts';
import type { AccountStatus, AccountType } from '../contract.ts';
import type { Account } from '../domain/account.ts';
import { accountEntity, accountStaffActionEntity, deletedAccountEntity } from '../entities.ts';
import type {
  AccountStaffAction,
  AccountStatuses,
  AccountStore,
  DeletionOutcome,
  ExpiringAccount,
  StatusChangeOutcome,
  StoredAccount,
} from '../ports.ts';

interface AccountItem {
  pk: string;
  sk: 'ACCOUNT';
  entity: string;
  accountId: string;
  type: AccountType;
  status: AccountStatus;
  cgu: { version: string; acceptedAt: string };
  createdAt: string;
  deletionRequestedAt?: string;
  /** The expiry (epoch seconds) the inactivity notice announced, and when it was sent. */
  inactivityNoticeFor?: number;
  inactivityNoticeAt?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

const ONE_DAY_SECONDS = 24 * 3600;
const NOTICE_FOR = 'inactivityNoticeFor';

export const accountKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' as const });

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

const isTransactionConditionFailure = (error: unknown) =>
  (error as Error).name === 'TransactionCanceledException' &&
  ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).some(
    (reason) => reason.Code === 'ConditionalCheckFailed',
  );

export const staffActionsKey = (accountId: string) => `ACCOUNT-STAFF-ACTIONS#${accountId}`;

/** The audit entry of a staff action on an account: identifiers, reason and reference; kept 5 years from the action. */
export function staffActionItem(action: AccountStaffAction, now: Date) {
  const at = action.at.toISOString();
  return retainedItem(
    accountStaffActionEntity,
    {
      pk: staffActionsKey(action.accountId),
      sk: `${at}#${action.actionId}`,
      actionId: action.actionId,
      action: action.action,
      accountId: action.accountId,
      actor: action.actor,
      reason: action.reason,
      ...(action.reference !== undefined ? { reference: action.reference } : {}),
      at,
    },
    { clockStartedAt: action.at, subjectKey: subjectKeyForAccount(action.accountId), now },
  );
}

function toAccount(item: AccountItem): Account {
  const expiry = item.expiresAt ?? item.heldExpiresAt;
  return {
    accountId: item.accountId,
    type: item.type,
    status: item.status,
    cgu: { version: item.cgu.version, acceptedAt: new Date(item.cgu.acceptedAt) },
    createdAt: new Date(item.createdAt),
    ...(expiry !== undefined ? { retainedUntil: new Date(expiry * 1000) } : {}),
    ...(item.deletionRequestedAt ? { deletionRequestedAt: new Date(item.deletionRequestedAt) } : {}),
  };
}

export function dynamoAccountStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): AccountStore & AccountStatuses {
  const read = async (accountId: string) => {
    const { Item } = await deps.client.send(
      new GetCommand({ TableName: deps.tableName, Key: accountKey(accountId), ConsistentRead: true }),
    );
    return Item as AccountItem | undefined;
  };

  /** One attempt at rewriting a live account as a deleted account; false when it changed meanwhile. */
  const rewriteAsDeleted = async (item: AccountItem, now: Date): Promise<Date | false> => {
    const { inactivityNoticeFor: _n, inactivityNoticeAt: _a, expiresAt: _e, heldExpiresAt: _h, ...kept } = item;
    const deleted = retainedItem(
      deletedAccountEntity,
      { ...kept, status: 'deletion-requested' as const, deletionRequestedAt: now.toISOString() },
      { clockStartedAt: now, subjectKey: subjectKeyForAccount(item.accountId), now },
    );
    const held = item.heldExpiresAt !== undefined;
    // Under a legal hold the new expiry waits in heldExpiresAt, as the hold left every expiry.
    const { expiresAt, expiryDay: _d, ...withoutExpiry } = deleted;
    const next = held ? { ...withoutExpiry, [HELD_EXPIRES_AT]: expiresAt } : deleted;
    try {
      await deps.client.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: next,
          ConditionExpression: `#entity = :account AND ${held ? 'attribute_exists' : 'attribute_not_exists'}(#held)`,
          ExpressionAttributeNames: { '#entity': 'entity', '#held': HELD_EXPIRES_AT },
          ExpressionAttributeValues: { ':account': accountEntity.name },
        }),
      );
      return new Date(expiresAt * 1000);
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  return {
    async open(account, now) {
      const item: Omit<AccountItem, 'entity'> = {
        ...accountKey(account.accountId),
        accountId: account.accountId,
        type: account.type,
        status: account.status,
        cgu: { version: account.cgu.version, acceptedAt: account.cgu.acceptedAt.toISOString() },
        createdAt: account.createdAt.toISOString(),
      };
      try {
        await deps.client.send(
          new PutCommand({
            TableName: deps.tableName,
            Item: retainedItem(accountEntity, item, {
              clockStartedAt: now,
              subjectKey: subjectKeyForAccount(account.accountId),
              now,
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'opened';
      } catch (error) {
        if (isConditionFailure(error)) return 'already-open';
        throw error;
      }
    },

    async get(accountId, now): Promise<StoredAccount | undefined> {
      const item = await read(accountId);
      if (!item || isDue(item, now)) return undefined;
      if (item.entity === deletedAccountEntity.name) {
        const expiry = item.expiresAt ?? item.heldExpiresAt;
        return {
          kind: 'deleted',
          requestedAt: new Date(item.deletionRequestedAt ?? item.createdAt),
          keptUntil: expiry !== undefined ? new Date(expiry * 1000) : undefined,
        };
      }
      if (item.entity !== accountEntity.name) return undefined;
      return { kind: 'account', account: toAccount(item) };
    },

    async requestDeletion(accountId, now): Promise<DeletionOutcome> {
      for (let attempt = 0; attempt < 3; attempt++) {
        const item = await read(accountId);
        if (!item || isDue(item, now)) return { kind: 'missing' };
        if (item.entity === deletedAccountEntity.name) {
          const expiry = item.expiresAt ?? item.heldExpiresAt ?? epochSeconds(now);
          return {
            kind: 'already-requested',
            requestedAt: new Date(item.deletionRequestedAt ?? now.toISOString()),
            keptUntil: new Date(expiry * 1000),
          };
        }
        if (item.entity !== accountEntity.name) return { kind: 'missing' };
        const keptUntil = await rewriteAsDeleted(item, now);
        if (keptUntil) return { kind: 'requested', requestedAt: now, keptUntil };
      }
      throw new Error('The account kept changing during its deletion');
    },

    async recordActivity(accountId, at, now) {
      // An eventually consistent read (half the cost of a write) skips what needs no write.
      const { Item } = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: accountKey(accountId) }),
      );
      const item = Item as AccountItem | undefined;
      if (!item) return 'missing';
      if (item.entity !== accountEntity.name) return 'not-an-account';
      if (isDue(item, now)) return 'expired';
      const next = expiryFor(accountEntity.retention.purpose, at, now).expiresAt;
      const current = item.expiresAt ?? item.heldExpiresAt;
      if (current !== undefined && current >= next - ONE_DAY_SECONDS) return 'unchanged';
      return slideExpiry(deps, accountEntity, accountKey(accountId), at, now);
    },

    async expiringOn(day, now) {
      const found: ExpiringAccount[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        // Items under a legal hold have no expiry day; the key condition leaves out what is due.
        const page = await deps.client.send(
          new QueryCommand({
            TableName: deps.tableName,
            IndexName: EXPIRY_INDEX,
            KeyConditionExpression: '#day = :day AND #expiresAt > :now',
            FilterExpression: '#entity = :account',
            ExpressionAttributeNames: { '#day': EXPIRY_DAY, '#expiresAt': EXPIRES_AT, '#entity': 'entity' },
            ExpressionAttributeValues: { ':day': day, ':now': epochSeconds(now), ':account': accountEntity.name },
            ExclusiveStartKey: start,
          }),
        );
        for (const entry of page.Items ?? []) {
          const pk = String(entry.pk);
          if (pk.startsWith('ACCOUNT#') && entry.sk === 'ACCOUNT') {
            found.push({ accountId: pk.slice('ACCOUNT#'.length), expiresAt: Number(entry[EXPIRES_AT]) });
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return found;
    },

    async claimNotice(account, now) {
      const live = notDue(now);
      try {
        await deps.client.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: accountKey(account.accountId),
            UpdateExpression: 'SET #for = :expiresAt, inactivityNoticeAt = :at',
            ConditionExpression: `#entity = :account AND #status = :active AND #expiresAt = :expiresAt AND (attribute_not_exists(#for) OR #for <> :expiresAt) AND ${live.expression}`,
            ExpressionAttributeNames: { ...live.names, '#for': NOTICE_FOR, '#entity': 'entity', '#status': 'status' },
            ExpressionAttributeValues: {
              ...live.values,
              ':expiresAt': account.expiresAt,
              ':at': now.toISOString(),
              ':account': accountEntity.name,
              ':active': 'active',
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async changeStatus({ from, to, action }, now): Promise<StatusChangeOutcome> {
      for (let attempt = 0; attempt < 3; attempt++) {
        const item = await read(action.accountId);
        if (!item || isDue(item, now)) return { kind: 'missing' };
        if (item.entity === deletedAccountEntity.name) return { kind: 'deleted' };
        if (item.entity !== accountEntity.name) return { kind: 'missing' };
        if (item.status !== from) return { kind: 'conflict', status: item.status };
        const live = notDue(now);
        try {
          // The status and its audit entry, both or neither: no unaudited suspension, no audit of one that failed.
          await deps.client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: deps.tableName,
                    Key: accountKey(action.accountId),
                    UpdateExpression: 'SET #status = :to',
                    ConditionExpression: `#entity = :account AND #status = :from AND ${live.expression}`,
                    ExpressionAttributeNames: { ...live.names, '#entity': 'entity', '#status': 'status' },
                    ExpressionAttributeValues: {
                      ...live.values,
                      ':account': accountEntity.name,
                      ':from': from,
                      ':to': to,
                    },
                  },
                },
                {
                  Put: {
                    TableName: deps.tableName,
                    Item: staffActionItem(action, now),
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          );
          return { kind: 'changed' };
        } catch (error) {
          // Changed meanwhile (another staff action, a deletion): read it again and say what it is now.
          if (!isTransactionConditionFailure(error)) throw error;
        }
      }
      throw new Error('The account kept changing during a staff action');
    },

    async releaseNotice(account) {
      try {
        await deps.client.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: accountKey(account.accountId),
            UpdateExpression: 'REMOVE #for, inactivityNoticeAt',
            ConditionExpression: '#for = :expiresAt',
            ExpressionAttributeNames: { '#for': NOTICE_FOR },
            ExpressionAttributeValues: { ':expiresAt': account.expiresAt },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
