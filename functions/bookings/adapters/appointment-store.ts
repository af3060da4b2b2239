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
 * Events are not published here: the table's stream is the outbox (./booking-events.ts reads the
 * change and publishes it), so a committed change is never lost between the write and the bus.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { withoutDue } from '#shared/dynamo/reads.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { HELD_EXPIRES_AT, isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { type Appointment, type AppointmentState, blocksOf, holdsItsTime } from '../domain/appointment.ts';
import { appointmentEntity, slotLockEntity } from '../entities.ts';
import { type TransactItem, transact } from './transactions.ts';

export const PRACTITIONER_INDEX = 'byPractitioner';
export const HOLD_INDEX = 'byHold';
export const CLIENT_INDEX = 'byClient';

/** What a booking's write found. */
export type CreateOutcome =
  | { readonly kind: 'created' }
  /** An appointment with this id exists already (the same Idempotency-Key was used before). */
  | { readonly kind: 'exists'; readonly appointment: Appointment | undefined }
  | { readonly kind: 'slot-taken' };

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
  create(appointment: Appointment, now: Date): Promise<CreateOutcome>;
  /** Writes `next` over `previous` (same id), if the stored version is still `previous.version`. */
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

export function dynamoAppointmentStore(deps: { client: DynamoDBDocumentClient; tableName: string }): AppointmentStore {
  const { client, tableName } = deps;

  async function findItem(id: string): Promise<AppointmentItem | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: appointmentKey(id), ConsistentRead: true }),
    );
    return Item as AppointmentItem | undefined;
  }

  /** Deletes the items of an appointment's partition other than the appointment itself. */
  async function deleteOwnedItems(id: string): Promise<{ pk: string; sk: string }[]> {
    const { pk } = appointmentKey(id);
    const deleted: { pk: string; sk: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const key of (page.Items ?? []) as { pk: string; sk: string }[]) {
        if (key.sk !== appointmentKey(id).sk) {
          await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: key.pk, sk: key.sk } }));
          deleted.push({ pk: key.pk, sk: key.sk });
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return deleted;
  }

  return {
    async create(a, now) {
      const blocks = holdsItsTime(a) ? blocksOf(a.start, a.end) : [];
      const result = await transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: itemOf(a, now, false),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...blocks.map((b) => takeLock(tableName, a, b, now)),
      ]);
      if (result.committed) return { kind: 'created' };
      if (result.reasons[0] === 'ConditionalCheckFailed') {
        const item = await findItem(a.id);
        return { kind: 'exists', appointment: item && !isDue(item, now) ? toAppointment(item) : undefined };
      }
      return { kind: 'slot-taken' };
    },

    async change(previous, next, now) {
      const current = await findItem(previous.id);
      if (!current || current.version !== previous.version) return { kind: 'stale' };
      const held = current.heldExpiresAt !== undefined;
      const before = new Set(holdsItsTime(previous) ? blocksOf(previous.start, previous.end) : []);
      const after = new Set(holdsItsTime(next) ? blocksOf(next.start, next.end) : []);
      const released = [...before].filter((b) => !after.has(b));
      const taken = [...after].filter((b) => !before.has(b));
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
      ]);
      if (result.committed) return { kind: 'changed' };
      if (result.reasons[0] === 'ConditionalCheckFailed') return { kind: 'stale' };
      const firstTaken = 1 + released.length;
      if (result.reasons.slice(firstTaken).includes('ConditionalCheckFailed')) return { kind: 'slot-taken' };
      // A lock we meant to release was not ours: the agenda and the appointment disagree.
      throw new Error(`Slot locks of appointment ${previous.id} are inconsistent: ${result.reasons.join(',')}`);
    },

    async erase(a) {
      const current = await findItem(a.id);
      if (!current) return { kind: 'absent' };
      if (current.version !== a.version) return { kind: 'stale' };
      if (current.heldExpiresAt !== undefined) return { kind: 'held' };
      const owned = await deleteOwnedItems(a.id);
      const blocks = holdsItsTime(a) ? blocksOf(a.start, a.end) : [];
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
      ]);
      if (!result.committed) {
        if (result.reasons[0] === 'ConditionalCheckFailed') return { kind: 'stale' };
        throw new Error(`Slot locks of appointment ${a.id} are inconsistent: ${result.reasons.join(',')}`);
      }
      // What was written in the partition meanwhile (a notice sent at that moment) goes too.
      owned.push(...(await deleteOwnedItems(a.id)));
      return {
        kind: 'erased',
        keys: [appointmentKey(a.id), ...owned, ...blocks.map((b) => lockKey(a.practitionerId, b))],
      };
    },

    async listExpiredHolds(now) {
      const found: Appointment[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: HOLD_INDEX,
            KeyConditionExpression: 'holdKey = :hold AND holdUntil <= :now',
            ExpressionAttributeValues: { ':hold': 'HOLD', ':now': now.toISOString() },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of (page.Items ?? []) as AppointmentItem[]) found.push(toAppointment(item));
        start = page.LastEvaluatedKey;
      } while (start);
      return found;
    },

    async find(id, now) {
      const item = await findItem(id);
      return item && !isDue(item, now) ? toAppointment(item) : undefined;
    },

    async listForPractitioner(practitionerId, range, now) {
      const found: Appointment[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand(
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
                ...(start ? { ExclusiveStartKey: start } : {}),
              },
              now,
            ),
          ),
        );
        for (const item of (page.Items ?? []) as AppointmentItem[]) found.push(toAppointment(item));
        start = page.LastEvaluatedKey;
      } while (start);
      return found.filter((a) => a.start.getTime() < range.to.getTime());
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
