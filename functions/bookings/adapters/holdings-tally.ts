/**
 * What one client holds of one practitioner's agenda, as one item of the bookings table
 * (`HOLDINGS#<clientId>#<practitionerId>`): their appointments with that practitioner that hold
 * time and have not started, by id, with their start and whether they are unpaid holds
 * (domain/holdings.ts). The appointment store writes it in the same transaction as the
 * appointment (./appointment-store.ts), on condition of the version it read: two concurrent
 * bookings of one client with one practitioner cannot both pass the limits, the second reads again.
 *
 * It cannot drift: an appointment that starts stops counting by itself (its start is in the
 * item), and every change that ends one (cancelled, released, completed, a no-show) or moves it
 * is written with it. An absent item is rebuilt from the client's index (their upcoming
 * appointments), so deleting it is always safe: that is what an empty one, an erasure and an item
 * past its expiry come to. Kept as the appointments it lists are (5 years from the latest date).
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import type { TransactItem } from '#shared/dynamo/transactions.ts';
import { HELD_EXPIRES_AT, isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { type Holding, latestStart } from '../domain/holdings.ts';
import { clientHoldingsEntity } from '../entities.ts';

export const holdingsKey = (clientId: string, practitionerId: string) => ({
  pk: `HOLDINGS#${clientId}#${practitionerId}`,
  sk: 'HOLDINGS' as const,
});

interface HoldingsItem {
  pk: string;
  sk: 'HOLDINGS';
  clientId: string;
  practitionerId: string;
  version: number;
  holdings: Record<string, { start: string; unpaid: boolean }>;
  expiresAt?: number;
  heldExpiresAt?: number;
}

/** What was read of the item: its holdings (none when absent or due) and what a write is conditioned on. */
export interface HoldingsRead {
  readonly clientId: string;
  readonly practitionerId: string;
  readonly holdings: readonly Holding[];
  /** The stored item's version; undefined when there is no item. */
  readonly version: number | undefined;
  /** Under a legal hold: it keeps its expiry aside, and is never deleted. */
  readonly held: boolean;
}

const holdingsOf = (item: HoldingsItem): Holding[] =>
  Object.entries(item.holdings ?? {}).map(([appointmentId, h]) => ({
    appointmentId,
    start: new Date(h.start),
    unpaid: h.unpaid,
  }));

/** Serialized, to tell whether a write would change anything. */
const sameHoldings = (a: readonly Holding[], b: readonly Holding[]) => {
  const key = (hs: readonly Holding[]) =>
    hs
      .map((h) => `${h.appointmentId}|${h.start.toISOString()}|${h.unpaid}`)
      .sort()
      .join(',');
  return key(a) === key(b);
};

export function holdingsTally(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The client's appointments with the practitioner that hold time and start after `now` (their index). */
  upcoming: (clientId: string, practitionerId: string, now: Date) => Promise<Holding[]>;
}) {
  const { client, tableName } = deps;

  return {
    /**
     * What the client holds with the practitioner now. `rebuild`: when there is no item (or only a
     * due one), from the client's index, so appointments booked before it existed, or since it was
     * deleted, count.
     */
    async read(clientId: string, practitionerId: string, now: Date, rebuild: boolean): Promise<HoldingsRead> {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: holdingsKey(clientId, practitionerId), ConsistentRead: true }),
      );
      const item = Item as HoldingsItem | undefined;
      const base = {
        clientId,
        practitionerId,
        version: item?.version,
        held: item?.heldExpiresAt !== undefined,
      };
      if (item && !isDue(item, now)) return { ...base, holdings: holdingsOf(item) };
      return { ...base, holdings: rebuild ? await deps.upcoming(clientId, practitionerId, now) : [] };
    },

    /**
     * The transaction item that writes `holdings` in place of what was read, on condition that
     * the item is still what was read (its version, or still absent); undefined when nothing
     * changes. Empty, the item is deleted (unless a legal hold keeps it).
     */
    write(read: HoldingsRead, holdings: readonly Holding[], now: Date): TransactItem | undefined {
      const key = holdingsKey(read.clientId, read.practitionerId);
      if (read.version !== undefined && sameHoldings(read.holdings, holdings)) return undefined;
      if (read.version === undefined && holdings.length === 0) return undefined;
      const condition =
        read.version === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': read.version } };
      if (holdings.length === 0 && !read.held) return { Delete: { TableName: tableName, Key: key, ...condition } };
      const item: HoldingsItem = {
        ...key,
        clientId: read.clientId,
        practitionerId: read.practitionerId,
        version: (read.version ?? 0) + 1,
        holdings: Object.fromEntries(
          holdings.map((h) => [h.appointmentId, { start: h.start.toISOString(), unpaid: h.unpaid }]),
        ),
      };
      const stored = retainedItem(clientHoldingsEntity, item, {
        clockStartedAt: latestStart(holdings) ?? now,
        subjectKey: subjectKeyForAccount(read.clientId),
        now,
      });
      // Under a legal hold, its expiry waits aside (as the appointment's does).
      const { expiresAt, expiryDay: _day, ...rest } = stored;
      const Item = read.held ? { ...rest, [HELD_EXPIRES_AT]: expiresAt } : stored;
      return { Put: { TableName: tableName, Item, ...condition } };
    },

    /** Deletes the item with the appointment's erasure, unless a legal hold keeps it: undefined when there is none. */
    async eraseItem(clientId: string, practitionerId: string): Promise<TransactItem | undefined> {
      const key = holdingsKey(clientId, practitionerId);
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (!Item || (Item as HoldingsItem).heldExpiresAt !== undefined) return undefined;
      return {
        Delete: {
          TableName: tableName,
          Key: key,
          ConditionExpression: 'version = :version AND attribute_not_exists(heldExpiresAt)',
          ExpressionAttributeValues: { ':version': (Item as HoldingsItem).version },
        },
      };
    },
  };
}
