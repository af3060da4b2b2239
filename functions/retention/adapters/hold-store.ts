/**
 * Legal holds and staff actions in the retention table.
 *
 * | item                | pk                        | sk                              | entity                  |
 * | ------------------- | ------------------------- | ------------------------------- | ----------------------- |
 * | the hold            | `HOLD#<holdId>`           | `HOLD`                          | legal-hold              |
 * | an active hold      | `ACTIVE-HOLDS`            | `<holdId>` (+ `subjectKey`)     | active-hold             |
 * | the listing line    | `LEGAL-HOLDS`             | `<holdId>`                      | legal-hold-listing      |
 * | a staff action      | `STAFF-ACTIONS#<day>`     | `<at>#<action>#<holdId/erasureId>` | retention-audit-entry |
 *
 * `ACTIVE-HOLDS` is the contract with the purge: it loads that one partition and skips every
 * item whose `subjectKey` is held. The hold, its active line and its audit entry are written in
 * one transaction, and so is the lift, so the three never disagree.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { openItem, plainItem, retainedItem } from '#shared/dynamo/items.ts';
import { expiryFor, isDue, utcDay } from '#shared/retention/expiry.ts';
import type { SubjectKey } from '#shared/retention/subject.ts';
import type { ActiveHold, HoldReason, LegalHold, StaffAction } from '../domain/hold.ts';
import { activeHoldEntity, holdAuditEntity, legalHoldEntity, legalHoldListingEntity } from '../entities.ts';

export const ACTIVE_HOLDS_PK = 'ACTIVE-HOLDS';
const LISTING_PK = 'LEGAL-HOLDS';

export interface HoldStore {
  /** Stores a new active hold, its ACTIVE-HOLDS line, its listing line and the audit entry, at once. */
  create(hold: LegalHold, action: StaffAction): Promise<void>;
  get(holdId: string, now: Date): Promise<LegalHold | undefined>;
  /** Marks it lifted (its own 5-year clock starts), removes its ACTIVE-HOLDS line, audits; false if not active. */
  lift(lifted: LegalHold, action: StaffAction): Promise<boolean>;
  addItemsHeld(holdId: string, count: number): Promise<void>;
  recordItemsReleased(holdId: string, count: number): Promise<void>;
  /** The ACTIVE-HOLDS partition, read strongly consistent. */
  active(): Promise<ActiveHold[]>;
  /** Every hold still kept (active, or lifted less than 5 years ago). */
  list(now: Date): Promise<LegalHold[]>;
  recordAction(action: StaffAction): Promise<void>;
}

interface HoldItem {
  pk: string;
  sk: 'HOLD';
  id: string;
  subjectKey: SubjectKey;
  status: 'active' | 'lifted';
  reason: HoldReason;
  authority: string;
  reference: string;
  placedAt: string;
  placedBy: string;
  liftedAt?: string;
  liftedBy?: string;
  itemsHeld: number;
  itemsReleased?: number;
  expiresAt?: number;
}

const holdKey = (holdId: string) => ({ pk: `HOLD#${holdId}`, sk: 'HOLD' as const });
const activeKey = (holdId: string) => ({ pk: ACTIVE_HOLDS_PK, sk: holdId });
const listingKey = (holdId: string) => ({ pk: LISTING_PK, sk: holdId });

function fromItem(item: HoldItem): LegalHold {
  return {
    id: item.id,
    subjectKey: item.subjectKey,
    status: item.status,
    reason: item.reason,
    authority: item.authority,
    reference: item.reference,
    placedAt: new Date(item.placedAt),
    placedBy: item.placedBy,
    ...(item.liftedAt ? { liftedAt: new Date(item.liftedAt) } : {}),
    ...(item.liftedBy ? { liftedBy: item.liftedBy } : {}),
    itemsHeld: item.itemsHeld,
    ...(item.itemsReleased !== undefined ? { itemsReleased: item.itemsReleased } : {}),
  };
}

/** A staff action as a retention-audit-entry item: identifiers and counts only, kept 5 years. */
export function staffActionItem(action: StaffAction) {
  const at = action.at.toISOString();
  const ref = action.holdId ?? action.erasureId ?? 'none';
  return retainedItem(
    holdAuditEntity,
    {
      pk: `STAFF-ACTIONS#${utcDay(action.at)}`,
      sk: `${at}#${action.action}#${ref}`,
      action: action.action,
      at,
      actor: action.actor,
      ...(action.holdId ? { holdId: action.holdId } : {}),
      ...(action.erasureId ? { erasureId: action.erasureId } : {}),
      ...(action.counts ? { counts: action.counts } : {}),
    },
    { clockStartedAt: action.at, subjectKey: action.subjectKey, now: action.at },
  );
}

export function dynamoHoldStore(deps: { client: DynamoDBDocumentClient; tableName: string }): HoldStore {
  const TableName = deps.tableName;

  async function queryAll(pk: string, consistent: boolean) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await deps.client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: consistent,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    async create(hold, action) {
      const item: HoldItem = {
        ...holdKey(hold.id),
        id: hold.id,
        subjectKey: hold.subjectKey,
        status: 'active',
        reason: hold.reason,
        authority: hold.authority,
        reference: hold.reference,
        placedAt: hold.placedAt.toISOString(),
        placedBy: hold.placedBy,
        itemsHeld: hold.itemsHeld,
      };
      await deps.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: openItem(legalHoldEntity, item, hold.subjectKey),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName, Item: openItem(activeHoldEntity, activeKey(hold.id), hold.subjectKey) } },
            { Put: { TableName, Item: plainItem(legalHoldListingEntity, listingKey(hold.id)) } },
            { Put: { TableName, Item: staffActionItem(action) } },
          ],
        }),
      );
    },

    async get(holdId, now) {
      const { Item } = await deps.client.send(
        new GetCommand({ TableName, Key: holdKey(holdId), ConsistentRead: true }),
      );
      const item = Item as HoldItem | undefined;
      return item && !isDue(item, now) ? fromItem(item) : undefined;
    },

    async lift(lifted, action) {
      const liftedAt = lifted.liftedAt!;
      const expiry = expiryFor(legalHoldEntity.retention.purpose, liftedAt, liftedAt);
      const expiryValues = {
        ':expiresAt': expiry.expiresAt,
        ':expiryDay': expiry.expiryDay,
        ':purpose': expiry.retentionPurpose,
      };
      try {
        await deps.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName,
                  Key: holdKey(lifted.id),
                  UpdateExpression:
                    'SET #status = :lifted, liftedAt = :at, liftedBy = :by, expiresAt = :expiresAt, expiryDay = :expiryDay, retentionPurpose = :purpose',
                  ConditionExpression: '#status = :active',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':lifted': 'lifted',
                    ':active': 'active',
                    ':at': liftedAt.toISOString(),
                    ':by': lifted.liftedBy,
                    ...expiryValues,
                  },
                },
              },
              { Delete: { TableName, Key: activeKey(lifted.id) } },
              {
                Update: {
                  TableName,
                  Key: listingKey(lifted.id),
                  UpdateExpression: 'SET expiresAt = :expiresAt, expiryDay = :expiryDay, retentionPurpose = :purpose',
                  ExpressionAttributeValues: expiryValues,
                },
              },
              { Put: { TableName, Item: staffActionItem(action) } },
            ],
          }),
        );
        return true;
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (
          (error as Error).name === 'TransactionCanceledException' &&
          reasons?.[0]?.Code === 'ConditionalCheckFailed'
        ) {
          return false;
        }
        throw error;
      }
    },

    async addItemsHeld(holdId, count) {
      if (count === 0) return;
      await deps.client.send(
        new UpdateCommand({
          TableName,
          Key: holdKey(holdId),
          UpdateExpression: 'ADD itemsHeld :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':n': count },
        }),
      );
    },

    async recordItemsReleased(holdId, count) {
      await deps.client.send(
        new UpdateCommand({
          TableName,
          Key: holdKey(holdId),
          UpdateExpression: 'SET itemsReleased = :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':n': count },
        }),
      );
    },

    async active() {
      return (await queryAll(ACTIVE_HOLDS_PK, true)).map((item) => ({
        holdId: item.sk as string,
        subjectKey: item.subjectKey as string,
      }));
    },

    async list(now) {
      const ids = (await queryAll(LISTING_PK, false)).map((item) => item.sk as string);
      const holds: LegalHold[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map(holdKey);
        for (let attempt = 0; keys?.length; attempt += 1) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
          const page: BatchGetCommandOutput = await deps.client.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } }),
          );
          for (const item of (page.Responses?.[TableName] ?? []) as HoldItem[]) {
            if (!isDue(item, now)) holds.push(fromItem(item));
          }
          keys = page.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return holds;
    },

    async recordAction(action) {
      await deps.client.send(new PutCommand({ TableName, Item: staffActionItem(action) }));
    },
  };
}
