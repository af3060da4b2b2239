/**
 * Appointments in the bookings table, and the slot locks that keep one slot to one appointment.
 *
 * An appointment item (pk `APPOINTMENT#<id>`) is written in one transaction with a lock item per
 * 5-minute block it covers (pk `SLOT#<practitionerId>#<epoch minute>`), every lock with an
 * `attribute_not_exists` condition: two bookings that overlap by even one block cannot both
 * commit, whatever the concurrency; the database decides, there is no read-then-write. A
 * reschedule releases the blocks it leaves and takes the ones it enters in the same transaction;
 * a cancellation releases them. Every change of an appointment is conditioned on the version it
 * read (and so on its state). TransactionConflict (another transaction on the same items at the
 * same moment) is retried with jitter until the condition decides.
 *
 * The same transactions write the client's holdings with the practitioner (./holdings-tally.ts):
 * a booking is refused beyond the limits (domain/holdings.ts), decided on the holdings read and
 * written on condition they are still what was read; a change or an erasure moves them with it.
 *
 * Events are not published here: the table's stream is the outbox (./booking-events.ts reads the
 * change and publishes it), so a committed change is never lost between the write and the bus.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { queryAll, withoutDue } from '#shared/dynamo/reads.ts';
import { type TransactItem, transact } from '#shared/dynamo/transactions.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { HELD_EXPIRES_AT, isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { type Appointment, type AppointmentState, blocksOf, holdsItsTime } from '../domain/appointment.ts';
import { afterChange, type Holding, type HoldingLimit, limitExceededBy, withBooking } from '../domain/holdings.ts';
import { appointmentEntity, slotLockEntity } from '../entities.ts';
import { type HoldingsRead, holdingsKey, holdingsTally } from './holdings-tally.ts';

export const PRACTITIONER_INDEX = 'byPractitioner';
export const HOLD_INDEX = 'byHold';
export const CLIENT_INDEX = 'byClient';

/** What a booking's write found. */
export type CreateOutcome =
  | { readonly kind: 'created' }
  /** An appointment with this id exists already (the same Idempotency-Key was used before). */
  | { readonly kind: 'exists'; readonly appointment: Appointment | undefined }
  | { readonly kind: 'slot-taken' }
  /** The client already holds as much of this practitioner's agenda as they may (domain/holdings.ts). */
  | { readonly kind: 'limit'; readonly limit: HoldingLimit }
  /** Other bookings of the client with this practitioner kept committing first: nothing was written. */
  | { readonly kind: 'contended' };

export type ChangeOutcome = { readonly kind: 'changed' } | { readonly kind: 'stale' } | { readonly kind: 'slot-taken' };

/** What an erasure found: done, changed since it was read, gone already, or kept by a legal hold. */
export type EraseOutcome =
  /** With the key of every item deleted (for the erasure log: replayed after a backup restore). */
  | { readonly kind: 'erased'; readonly keys: readonly { readonly pk: string; readonly sk: string }[] }
  | { readonly kind: 'stale' }
  | { readonly kind: 'absent' }
  | { readonly kind: 'held' };

export interface AppointmentPage {
  readonly items: Appointment[];
  readonly nextCursor?: string;
}

export interface AppointmentStore {
  /**
   * Writes a new appointment with its slot locks and the client's holdings with its practitioner,
   * in one transaction: refused when a slot is taken or when the client would hold more of that
   * agenda than the limits allow (decided on the holdings read, written on condition they are
   * still what was read).
   */
  create(appointment: Appointment, now: Date, holdings?: HoldingsRead): Promise<CreateOutcome>;
  /**
   * What the client holds of the practitioner's agenda now. A booking reads it together with its
   * other reads and gives it to `create`, which decides on it in its first round instead of
   * reading it then (a round trip less on the booking's path).
   */
  readHoldings(clientId: string, practitionerId: string, now: Date): Promise<HoldingsRead>;
  /**
   * Writes `next` over `previous` (same id), if the stored version is still `previous.version`,
   * with its locks and the client's holdings in the same transaction.
   */
  change(previous: Appointment, next: Appointment, now: Date): Promise<ChangeOutcome>;
  find(id: string, now: Date): Promise<Appointment | undefined>;
  /** A practitioner's appointments starting in [from, to), every state, by start. */
  listForPractitioner(practitionerId: string, range: { from: Date; to: Date }, now: Date): Promise<Appointment[]>;
  /** A client's appointments by start, from `from` if given, a page at a time. */
  listForClient(
    clientId: string,
    options: { limit: number; cursor?: string; from?: Date; now: Date },
  ): Promise<AppointmentPage>;
  /**
   * Deletes an appointment with everything its partition holds (notices, payment record…) and
   * the slot locks it holds (its time is free again), if the stored version is still
   * `appointment.version` and no legal hold covers it (the hold prevails over erasure). The
   * partition's other items go first and the appointment last, with its locks, in one
   * transaction: an erasure cut short leaves the appointment to be erased again, never an orphan.
   * For the practitioner's erasure of a client's data.
   */
  erase(appointment: Appointment): Promise<EraseOutcome>;
  /** Bookings still waiting for their payment whose hold ended at or before `now`. */
  listExpiredHolds(now: Date): Promise<Appointment[]>;
}

/** The appointment id of a client's booking request: derived from its Idempotency-Key. */
export function appointmentIdFor(clientId: string, idempotencyKey: string): string {
  return `apt_${createHash('sha256').update(`${clientId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

interface AppointmentItem {
  pk: string;
  sk: 'APPOINTMENT';
  id: string;
  practitionerId: string;
  clientId: string;
  service: Appointment['service'];
  start: string;
  end: string;
  state: AppointmentState;
  version: number;
  createdAt: string;
  updatedAt: string;
  cancellationPolicy: Appointment['cancellationPolicy'];
  cancellation?: { by: string; at: string; late: boolean; feePercent: number };
  confirmedAt?: string;
  requestFingerprint: string;
  holdUntil?: string;
  /** Set while a booking waits for its payment: the sparse index of holds to release. */
  holdKey?: 'HOLD';
  practitionerKey: string;
  clientKey: string;
  startKey: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

const appointmentKey = (id: string) => ({ pk: `APPOINTMENT#${id}`, sk: 'APPOINTMENT' as const });
const lockKey = (practitionerId: string, block: number) => ({ pk: `SLOT#${practitionerId}#${block}`, sk: 'LOCK' });
export const practitionerKeyOf = (practitionerId: string) => `PRACTITIONER#${practitionerId}`;
export const clientKeyOf = (clientId: string) => `CLIENT#${clientId}`;

export function toAppointment(item: AppointmentItem): Appointment {
  return {
    id: item.id,
    practitionerId: item.practitionerId,
    clientId: item.clientId,
    service: item.service,
    start: new Date(item.start),
    end: new Date(item.end),
    state: item.state,
    version: item.version,
    createdAt: new Date(item.createdAt),
    updatedAt: new Date(item.updatedAt),
    cancellationPolicy: item.cancellationPolicy,
    ...(item.cancellation
      ? {
          cancellation: {
            by: item.cancellation.by as NonNullable<Appointment['cancellation']>['by'],
            at: new Date(item.cancellation.at),
            late: item.cancellation.late,
            feePercent: item.cancellation.feePercent,
          },
        }
      : {}),
    requestFingerprint: item.requestFingerprint,
    ...(item.confirmedAt ? { confirmedAt: new Date(item.confirmedAt) } : {}),
    ...(item.holdUntil ? { holdUntil: new Date(item.holdUntil) } : {}),
  };
}

/** The stored item of an appointment; under a legal hold its expiry waits in heldExpiresAt. */
function itemOf(a: Appointment, now: Date, held: boolean) {
  const item: AppointmentItem = {
    ...appointmentKey(a.id),
    id: a.id,
    practitionerId: a.practitionerId,
    clientId: a.clientId,
    service: { ...a.service },
    start: a.start.toISOString(),
    end: a.end.toISOString(),
    state: a.state,
    version: a.version,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    cancellationPolicy: { ...a.cancellationPolicy },
    ...(a.cancellation ? { cancellation: { ...a.cancellation, at: a.cancellation.at.toISOString() } } : {}),
    requestFingerprint: a.requestFingerprint,
    ...(a.confirmedAt ? { confirmedAt: a.confirmedAt.toISOString() } : {}),
    ...(a.holdUntil ? { holdUntil: a.holdUntil.toISOString() } : {}),
    ...(a.holdUntil && a.state === 'requested' ? { holdKey: 'HOLD' as const } : {}),
    practitionerKey: practitionerKeyOf(a.practitionerId),
    clientKey: clientKeyOf(a.clientId),
    startKey: `${a.start.toISOString()}#${a.id}`,
  };
  // The clock is the appointment's date: a reschedule moves the expiry with it.
  const stored = retainedItem(appointmentEntity, item, {
    clockStartedAt: a.start,
    subjectKey: subjectKeyForAccount(a.clientId),
    now,
  });
  if (!held) return stored;
  const { expiresAt, expiryDay: _day, ...rest } = stored;
  return { ...rest, [HELD_EXPIRES_AT]: expiresAt };
}

function lockItem(a: Appointment, block: number, now: Date) {
  return retainedItem(
    slotLockEntity,
    { ...lockKey(a.practitionerId, block), appointmentId: a.id, practitionerId: a.practitionerId },
    { clockStartedAt: a.start, subjectKey: subjectKeyForAccount(a.practitionerId), now },
  );
}

/**
 * The items a new appointment is stored as, with its slot locks (the client's holdings aside):
 * for tools writing a history in bulk (`npm run bench:api`). A booking never writes through it:
 * `create` decides on the holdings and takes the locks on condition, in one transaction.
 */
export function storedItemsOf(a: Appointment, now: Date): object[] {
  const blocks = holdsItsTime(a) ? blocksOf(a.start, a.end) : [];
  return [itemOf(a, now, false), ...blocks.map((b) => lockItem(a, b, now))];
}

const takeLock = (tableName: string, a: Appointment, block: number, now: Date): TransactItem => ({
  Put: {
    TableName: tableName,
    Item: lockItem(a, block, now),
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

const releaseLock = (tableName: string, a: Appointment, block: number): TransactItem => ({
  Delete: {
    TableName: tableName,
    Key: lockKey(a.practitionerId, block),
    // Only this appointment's lock: never another's.
    ConditionExpression: 'appointmentId = :id',
    ExpressionAttributeValues: { ':id': a.id },
  },
});

/** Rounds of a write whose holdings changed meanwhile (another booking of the client with the practitioner). */
const HOLDINGS_ROUNDS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Full jitter before reading the holdings again: concurrent bookings of one client spread out. */
const backOff = (round: number) => sleep(Math.random() * Math.min(500, 20 * 2 ** round));
const failedAt = (reasons: readonly string[], index: number) => reasons[index] === 'ConditionalCheckFailed';

export function dynamoAppointmentStore(deps: { client: DynamoDBDocumentClient; tableName: string }): AppointmentStore {
  const { client, tableName } = deps;

  /** A client's appointments with a practitioner that hold time and start after `now`, from the client's index. */
  async function upcomingWith(clientId: string, practitionerId: string, now: Date): Promise<Holding[]> {
    const items = await queryAll<AppointmentItem>(
      client,
      withoutDue(
        {
          TableName: tableName,
          IndexName: CLIENT_INDEX,
          // startKey is `<start>#<id>`: every appointment starting after `now` sorts above it.
          KeyConditionExpression: 'clientKey = :c AND startKey > :after',
          FilterExpression: 'practitionerId = :p AND #state IN (:requested, :confirmed)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':c': clientKeyOf(clientId),
            ':after': now.toISOString(),
            ':p': practitionerId,
            ':requested': 'requested' satisfies AppointmentState,
            ':confirmed': 'confirmed' satisfies AppointmentState,
          },
        },
        now,
      ),
    );
    return items.map((item) => {
      const a = toAppointment(item);
      return { appointmentId: a.id, start: a.start, unpaid: a.state === 'requested' };
    });
  }

  const tally = holdingsTally({ client, tableName, upcoming: upcomingWith });

  async function findItem(id: string): Promise<AppointmentItem | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: appointmentKey(id), ConsistentRead: true }),
    );
    return Item as AppointmentItem | undefined;
  }

  /** Deletes the items of an appointment's partition other than the appointment itself. */
  async function deleteOwnedItems(id: string): Promise<{ pk: string; sk: string }[]> {
    const { pk } = appointmentKey(id);
    const keys = await queryAll<{ pk: string; sk: string }>(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    const deleted: { pk: string; sk: string }[] = [];
    for (const key of keys) {
      if (key.sk !== appointmentKey(id).sk) {
        await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: key.pk, sk: key.sk } }));
        deleted.push({ pk: key.pk, sk: key.sk });
      }
    }
    return deleted;
  }

  return {
    readHoldings: (clientId, practitionerId, now) => tally.read(clientId, practitionerId, now, true),

    async create(a, now, first) {
      const blocks = holdsItsTime(a) ? blocksOf(a.start, a.end) : [];
      const exists = async (): Promise<CreateOutcome> => {
        const item = await findItem(a.id);
        return { kind: 'exists', appointment: item && !isDue(item, now) ? toAppointment(item) : undefined };
      };
      for (let round = 0; round < HOLDINGS_ROUNDS; round++) {
        if (round > 0) await backOff(round);
        const given = round === 0 && first?.clientId === a.clientId && first.practitionerId === a.practitionerId;
        const held = given ? first : await tally.read(a.clientId, a.practitionerId, now, true);
        // The same request again (its Idempotency-Key): it is the first one's answer, not one more.
        if (held.holdings.some((h) => h.appointmentId === a.id)) return exists();
        const limit = limitExceededBy(held.holdings, a, now);
        if (limit) return { kind: 'limit', limit };
        const holdings = tally.write(held, withBooking(held.holdings, a, now), now);
        const result = await transact(client, [
          {
            Put: {
              TableName: tableName,
              Item: itemOf(a, now, false),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(holdings ? [holdings] : []),
          ...blocks.map((b) => takeLock(tableName, a, b, now)),
        ]);
        if (result.committed) return { kind: 'created' };
        if (failedAt(result.reasons, 0)) return exists();
        // The holdings changed since they were read: decide again on what they are now.
        if (holdings && failedAt(result.reasons, 1)) continue;
        return { kind: 'slot-taken' };
      }
      return { kind: 'contended' };
    },

    async change(previous, next, now) {
      // Only an appointment that holds its time is among the client's holdings.
      const readHoldings = holdsItsTime(previous)
        ? () => tally.read(previous.clientId, previous.practitionerId, now, false)
        : undefined;
      // The stored appointment and the holdings its first round decides on, read at once.
      const [current, firstRead] = await Promise.all([findItem(previous.id), readHoldings?.()]);
      if (!current || current.version !== previous.version) return { kind: 'stale' };
      const held = current.heldExpiresAt !== undefined;
      const before = new Set(holdsItsTime(previous) ? blocksOf(previous.start, previous.end) : []);
      const after = new Set(holdsItsTime(next) ? blocksOf(next.start, next.end) : []);
      const released = [...before].filter((b) => !after.has(b));
      const taken = [...after].filter((b) => !before.has(b));
      for (let round = 0; round < HOLDINGS_ROUNDS; round++) {
        if (round > 0) await backOff(round);
        const read = round === 0 ? firstRead : await readHoldings?.();
        const holdings = read ? tally.write(read, afterChange(read.holdings, next, now), now) : undefined;
        const result = await transact(client, [
          {
            Put: {
              TableName: tableName,
              Item: itemOf(next, now, held),
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': previous.version },
            },
          },
          ...released.map((b) => releaseLock(tableName, previous, b)),
          ...taken.map((b) => takeLock(tableName, next, b, now)),
          ...(holdings ? [holdings] : []),
        ]);
        if (result.committed) return { kind: 'changed' };
        if (failedAt(result.reasons, 0)) return { kind: 'stale' };
        const firstTaken = 1 + released.length;
        const holdingsAt = firstTaken + taken.length;
        if (result.reasons.slice(firstTaken, holdingsAt).includes('ConditionalCheckFailed'))
          return { kind: 'slot-taken' };
        // The holdings changed since they were read (a booking of the same client): read them again.
        if (holdings && failedAt(result.reasons, holdingsAt)) continue;
        // A lock we meant to release was not ours: the agenda and the appointment disagree.
        throw new Error(`Slot locks of appointment ${previous.id} are inconsistent: ${result.reasons.join(',')}`);
      }
      // Bookings of the same client kept changing their holdings: nothing was written.
      return { kind: 'stale' };
    },

    async erase(a) {
      const current = await findItem(a.id);
      if (!current) return { kind: 'absent' };
      if (current.version !== a.version) return { kind: 'stale' };
      if (current.heldExpiresAt !== undefined) return { kind: 'held' };
      const owned = await deleteOwnedItems(a.id);
      const blocks = holdsItsTime(a) ? blocksOf(a.start, a.end) : [];
      for (let round = 0; round < HOLDINGS_ROUNDS; round++) {
        if (round > 0) await backOff(round);
        // The client's holdings with the practitioner go too (they are rebuilt from what remains
        // at their next booking); unless a legal hold keeps them.
        const holdings = await tally.eraseItem(a.clientId, a.practitionerId);
        const result = await transact(client, [
          {
            Delete: {
              TableName: tableName,
              Key: appointmentKey(a.id),
              // A hold placed since the read keeps it: the hold takes expiresAt away, not the item.
              ConditionExpression: 'version = :version AND attribute_not_exists(heldExpiresAt)',
              ExpressionAttributeValues: { ':version': a.version },
            },
          },
          ...blocks.map((b) => releaseLock(tableName, a, b)),
          ...(holdings ? [holdings] : []),
        ]);
        if (!result.committed) {
          if (failedAt(result.reasons, 0)) return { kind: 'stale' };
          // The holdings changed since they were read (a booking, a hold): read them again.
          if (holdings && failedAt(result.reasons, 1 + blocks.length)) continue;
          throw new Error(`Slot locks of appointment ${a.id} are inconsistent: ${result.reasons.join(',')}`);
        }
        // What was written in the partition meanwhile (a notice sent at that moment) goes too.
        owned.push(...(await deleteOwnedItems(a.id)));
        return {
          kind: 'erased',
          keys: [
            appointmentKey(a.id),
            ...owned,
            ...blocks.map((b) => lockKey(a.practitionerId, b)),
            ...(holdings ? [holdingsKey(a.clientId, a.practitionerId)] : []),
          ],
        };
      }
      return { kind: 'stale' };
    },

    async listExpiredHolds(now) {
      const items = await queryAll<AppointmentItem>(client, {
        TableName: tableName,
        IndexName: HOLD_INDEX,
        KeyConditionExpression: 'holdKey = :hold AND holdUntil <= :now',
        ExpressionAttributeValues: { ':hold': 'HOLD', ':now': now.toISOString() },
      });
      return items.map(toAppointment);
    },

    async find(id, now) {
      const item = await findItem(id);
      return item && !isDue(item, now) ? toAppointment(item) : undefined;
    },

    async listForPractitioner(practitionerId, range, now) {
      const items = await queryAll<AppointmentItem>(
        client,
        withoutDue(
          {
            TableName: tableName,
            IndexName: PRACTITIONER_INDEX,
            KeyConditionExpression: 'practitionerKey = :p AND startKey BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':p': practitionerKeyOf(practitionerId),
              ':from': range.from.toISOString(),
              // startKey is `<start>#<id>`: every key of a start before `to` sorts below `to`.
              ':to': range.to.toISOString(),
            },
          },
          now,
        ),
      );
      return items.map(toAppointment).filter((a) => a.start.getTime() < range.to.getTime());
    },

    async listForClient(clientId, { limit, cursor, from, now }) {
      const exclusiveStartKey =
        cursor === undefined
          ? undefined
          : decodeCursor(cursor, ['pk', 'sk', 'clientKey', 'startKey'], { clientKey: clientKeyOf(clientId) });
      const page = await client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: tableName,
              IndexName: CLIENT_INDEX,
              KeyConditionExpression: from ? 'clientKey = :c AND startKey >= :from' : 'clientKey = :c',
              ExpressionAttributeValues: {
                ':c': clientKeyOf(clientId),
                ...(from ? { ':from': from.toISOString() } : {}),
              },
              Limit: limit,
              ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
            },
            now,
          ),
        ),
      );
      return {
        items: ((page.Items ?? []) as AppointmentItem[]).map(toAppointment),
        ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
      };
    },
  };
}
