/**
 * The appointment store against DynamoDB Local: one slot never holds two appointments, whatever
 * the concurrency (the slot locks' conditions decide), and every change moves the locks with it.
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type AppointmentStore,
  appointmentIdFor,
  dynamoAppointmentStore,
} from '#functions/bookings/adapters/appointment-store.ts';
import {
  type Appointment,
  blocksOf,
  cancel,
  confirm,
  newAppointment,
  reschedule,
} from '#functions/bookings/domain/appointment.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { localDocumentClient, slotLocksOf } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let store: AppointmentStore;
let tableName: string;
afterAll(() => db.destroy());

beforeAll(async () => {
  const names = await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`);
  tableName = names.TABLE_BOOKINGS!;
  store = dynamoAppointmentStore({ client: db, tableName });
});

const now = new Date('2027-01-04T08:00:00Z');
const appointment = (
  practitionerId: string,
  start: string,
  durationMinutes = 60,
  clientId = randomUUID(),
): Appointment =>
  confirm(
    newAppointment({
      id: appointmentIdFor(clientId, randomUUID()),
      practitionerId,
      clientId,
      service: { id: 'svc_1', name: 'Séance', durationMinutes, priceCents: 6000 },
      start: new Date(start),
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
      requestFingerprint: 'fp',
      now,
    }),
    now,
  );

const locksOf = (practitionerId: string) => slotLocksOf(db, tableName, practitionerId);

async function appointmentsOf(practitionerId: string) {
  const page = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'byPractitioner',
      KeyConditionExpression: 'practitionerKey = :p',
      ExpressionAttributeValues: { ':p': `PRACTITIONER#${practitionerId}` },
    }),
  );
  return page.Items ?? [];
}

describe('one slot, one appointment', () => {
  // 100 at once: with 200, DynamoDB Local's item locks time out under a loaded CI run
  // ("This request will succeed in actual DynamoDB API"), which says nothing of our conditions.
  it('100 concurrent bookings of one slot: exactly one is created, the others find it taken, nothing half-written', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const attempts = Array.from({ length: 100 }, () => appointment(practitionerId, '2027-01-11T09:00:00Z'));
    const outcomes = await Promise.all(attempts.map((a) => store.create(a, now)));
    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'created')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'slot-taken')).toHaveLength(99);
    const winner = attempts[kinds.indexOf('created')]!;
    const stored = await appointmentsOf(practitionerId);
    expect(stored.map((i) => i.id)).toEqual([winner.id]);
    const locks = await locksOf(practitionerId);
    expect(locks).toHaveLength(12);
    expect(new Set(locks.map((l) => l.appointmentId))).toEqual(new Set([winner.id]));
  }, 120_000);

  it('overlapping services of different lengths conflict by one block; back-to-back ones do not', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    expect((await store.create(appointment(practitionerId, '2027-01-11T09:00:00Z', 60), now)).kind).toBe('created');
    expect((await store.create(appointment(practitionerId, '2027-01-11T09:55:00Z', 30), now)).kind).toBe('slot-taken');
    expect((await store.create(appointment(practitionerId, '2027-01-11T08:30:00Z', 35), now)).kind).toBe('slot-taken');
    expect((await store.create(appointment(practitionerId, '2027-01-11T10:00:00Z', 30), now)).kind).toBe('created');
    expect((await store.create(appointment(practitionerId, '2027-01-11T08:30:00Z', 30), now)).kind).toBe('created');
    // another practitioner's agenda is another set of locks
    expect((await store.create(appointment(`${practitionerId}x`, '2027-01-11T09:00:00Z'), now)).kind).toBe('created');
  });

  it('the same id twice is the same request: the second finds the first', async () => {
    const a = appointment(`prac_${randomUUID().slice(0, 8)}`, '2027-01-12T09:00:00Z');
    expect((await store.create(a, now)).kind).toBe('created');
    const again = await store.create(a, now);
    expect(again.kind).toBe('exists');
    expect(again.kind === 'exists' && again.appointment?.id).toBe(a.id);
  });
});

describe('changes move the locks', () => {
  it('a reschedule releases the blocks it leaves, takes those it enters, and refuses a taken time', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const a = appointment(practitionerId, '2027-01-13T09:00:00Z');
    const other = appointment(practitionerId, '2027-01-13T11:00:00Z');
    await store.create(a, now);
    await store.create(other, now);
    // overlapping its own old time is fine: the shared blocks stay, the others move
    const moved = reschedule(a, 'client', new Date('2027-01-13T09:30:00Z'), now);
    expect((await store.change(a, moved, now)).kind).toBe('changed');
    const locks = await locksOf(practitionerId);
    const ofA = locks.filter((l) => l.appointmentId === a.id).map((l) => Number(String(l.pk).split('#')[2]));
    expect(ofA.sort()).toEqual(blocksOf(moved.start, moved.end));
    // onto the other appointment: refused, nothing changed
    const clash = reschedule(moved, 'client', new Date('2027-01-13T10:30:00Z'), now);
    expect((await store.change(moved, clash, now)).kind).toBe('slot-taken');
    expect((await store.find(a.id, now))?.start.toISOString()).toBe('2027-01-13T09:30:00.000Z');
    expect((await locksOf(practitionerId)).filter((l) => l.appointmentId === a.id)).toHaveLength(12);
  });

  it('a change from a stale version is refused; a cancellation frees the slot for another booking', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const a = appointment(practitionerId, '2027-01-14T09:00:00Z');
    await store.create(a, now);
    const cancelled = cancel(a, 'client', now);
    expect((await store.change(a, cancelled, now)).kind).toBe('changed');
    expect((await store.change(a, reschedule(a, 'client', new Date('2027-01-15T09:00:00Z'), now), now)).kind).toBe(
      'stale',
    );
    expect(await locksOf(practitionerId)).toHaveLength(0);
    expect((await store.create(appointment(practitionerId, '2027-01-14T09:00:00Z'), now)).kind).toBe('created');
  });

  it('lists a practitioner’s appointments in a range and a client’s by start', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const clientId = randomUUID();
    for (const start of ['2027-01-18T09:00:00Z', '2027-01-19T09:00:00Z', '2027-01-20T09:00:00Z'])
      await store.create(appointment(practitionerId, start, 60, clientId), now);
    const inRange = await store.listForPractitioner(
      practitionerId,
      { from: new Date('2027-01-19T00:00:00Z'), to: new Date('2027-01-20T09:00:00Z') },
      now,
    );
    expect(inRange.map((a) => a.start.toISOString())).toEqual(['2027-01-19T09:00:00.000Z']);
    const first = await store.listForClient(clientId, { limit: 2, now });
    expect(first.items).toHaveLength(2);
    const second = await store.listForClient(clientId, { limit: 2, cursor: first.nextCursor!, now });
    expect([...first.items, ...second.items].map((a) => a.start.toISOString())).toEqual([
      '2027-01-18T09:00:00.000Z',
      '2027-01-19T09:00:00.000Z',
      '2027-01-20T09:00:00.000Z',
    ]);
  });
});
