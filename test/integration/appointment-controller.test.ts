/**
 * The practitioner's controller operations against DynamoDB Local: an erasure deletes the
 * appointments and their slot locks in one transaction (the time is free again), never a stale
 * read or a held appointment; the export reads every appointment through the practitioner index;
 * each action leaves a log item built from its entity type (5 years, subject the practitioner,
 * identifiers only); an account deletion cancels the upcoming appointments and frees their slots.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cancelAppointmentsOfDeletedAccount } from '#functions/bookings/account-deletion.ts';
import {
  type AppointmentStore,
  appointmentIdFor,
  dynamoAppointmentStore,
} from '#functions/bookings/adapters/appointment-store.ts';
import {
  type ControllerActionStore,
  dynamoControllerActionStore,
} from '#functions/bookings/adapters/controller-action-store.ts';
import { dynamoPaymentStore } from '#functions/bookings/adapters/payment-store.ts';
import { eraseClientAppointments, exportAppointments, listControllerActions } from '#functions/bookings/controller.ts';
import { type Appointment, complete, confirm, newAppointment } from '#functions/bookings/domain/appointment.ts';
import { unknownClient } from '#functions/bookings/domain/export.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { manualClock } from '#shared/clock.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { localDocumentClient, slotLocksOf } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let store: AppointmentStore;
let actions: ControllerActionStore;
let tableName: string;
afterAll(() => db.destroy());

beforeAll(async () => {
  const names = await ensureTables(cloud.urls.dynamodb, `it-ctrl-${randomUUID().slice(0, 8)}-`);
  tableName = names.TABLE_BOOKINGS!;
  store = dynamoAppointmentStore({ client: db, tableName });
  actions = dynamoControllerActionStore({ client: db, tableName });
});

// Dates after the machine's clock (and their expiries 5 years later): DynamoDB Local's own TTL
// must not race the tests.
const bookedAt = new Date('2027-01-04T08:00:00Z');
const appointment = (practitionerId: string, clientId: string, start: string): Appointment =>
  confirm(
    newAppointment({
      id: appointmentIdFor(clientId, randomUUID()),
      practitionerId,
      clientId,
      service: { id: 'svc_1', name: 'Séance', durationMinutes: 60, priceCents: 6000 },
      start: new Date(start),
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
      requestFingerprint: 'fp',
      now: bookedAt,
    }),
    bookedAt,
  );

const locksOf = (practitionerId: string) => slotLocksOf(db, tableName, practitionerId);

async function actionItems(practitionerId: string) {
  const page = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CONTROLLER-ACTIONS#${practitionerId}` },
    }),
  );
  return page.Items ?? [];
}

const names = { firstName: 'Zoé', lastName: 'Martin', email: 'zoe@example.test' };

describe('the store’s erasure', () => {
  it('deletes an appointment, its partition and its locks: the slot can be booked again', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const a = appointment(practitionerId, randomUUID(), '2027-02-01T09:00:00Z');
    await store.create(a, bookedAt);
    // Items the appointment's partition holds besides it (a notice's receipt, a payment record).
    for (const sk of ['NOTICE#confirmed#v2#client', 'PAYMENT'])
      await db.send(
        new PutCommand({ TableName: tableName, Item: { pk: `APPOINTMENT#${a.id}`, sk, entity: 'test-owned' } }),
      );
    expect(await locksOf(practitionerId)).toHaveLength(12);
    expect((await store.erase(a)).kind).toBe('erased');
    expect(await store.find(a.id, bookedAt)).toBeUndefined();
    expect(await locksOf(practitionerId)).toHaveLength(0);
    const partition = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `APPOINTMENT#${a.id}` },
      }),
    );
    expect(partition.Items).toEqual([]);
    expect((await store.erase(a)).kind).toBe('absent');
    expect((await store.create(appointment(practitionerId, randomUUID(), '2027-02-01T09:00:00Z'), bookedAt)).kind).toBe(
      'created',
    );
  });

  it('refuses a stale read and an appointment under a legal hold, and leaves them whole', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const a = appointment(practitionerId, randomUUID(), '2027-02-02T09:00:00Z');
    await store.create(a, bookedAt);
    const done = complete(a, new Date('2027-02-02T10:00:00Z'));
    await store.change(a, done, new Date('2027-02-02T10:00:00Z'));
    expect((await store.erase(a)).kind).toBe('stale');
    // A hold moves expiresAt to heldExpiresAt (as functions/retention does): erasure must keep it.
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `APPOINTMENT#${a.id}`, sk: 'APPOINTMENT' },
        UpdateExpression: 'SET heldExpiresAt = expiresAt REMOVE expiresAt, expiryDay',
      }),
    );
    expect((await store.erase(done)).kind).toBe('held');
    expect(await store.find(a.id, bookedAt)).toMatchObject({ state: 'completed' });
  });
});

describe('erasure of a client’s appointments', () => {
  it('erases every appointment of the client with this practitioner, frees the upcoming slots, and logs it', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const clientId = randomUUID();
    const otherClient = randomUUID();
    const now = new Date('2027-02-10T12:00:00Z');
    const past = appointment(practitionerId, clientId, '2027-02-03T09:00:00Z');
    const upcoming = appointment(practitionerId, clientId, '2027-02-20T09:00:00Z');
    const keep = appointment(practitionerId, otherClient, '2027-02-20T11:00:00Z');
    const elsewhere = appointment(`${practitionerId}x`, clientId, '2027-02-21T09:00:00Z');
    for (const a of [past, upcoming, keep, elsewhere]) await store.create(a, bookedAt);
    await store.change(past, complete(past, now), now);
    const deps = {
      store,
      actions,
      payments: dynamoPaymentStore({ client: db, tableName }),
      events: recordingPublisher(),
      clock: manualClock(now),
    };

    const outcome = await eraseClientAppointments(deps, practitionerId, clientId);
    expect(outcome).toMatchObject({ clientId, erased: 2, upcomingErased: 1, keptUnderHold: 0 });
    expect(await store.find(past.id, now)).toBeUndefined();
    expect(await store.find(upcoming.id, now)).toBeUndefined();
    expect(await store.find(keep.id, now)).toBeDefined();
    expect(await store.find(elsewhere.id, now)).toBeDefined();
    expect(new Set((await locksOf(practitionerId)).map((l) => l.appointmentId))).toEqual(new Set([keep.id]));

    expect(await eraseClientAppointments(deps, practitionerId, clientId)).toMatchObject({ erased: 0 });

    const logged = await actionItems(practitionerId);
    expect(logged).toHaveLength(2);
    const first = logged.find((i) => i.actionId === outcome.actionId)!;
    expect(first).toMatchObject({
      entity: 'controller-action',
      action: 'erase',
      practitionerId,
      clientId,
      count: 2,
      at: now.toISOString(),
      subjectKey: `account#${practitionerId}`,
      retentionPurpose: 'retention-audit',
      expiresAt: epochSeconds(addPeriod(now, { years: 5 })),
    });
  });
});

describe('export', () => {
  it('reads every appointment of the practitioner through the index, names each client, and logs it', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const zoe = randomUUID();
    const gone = randomUUID();
    const starts = ['2027-03-01T09:00:00Z', '2027-03-02T09:00:00Z', '2027-03-03T09:00:00Z', '2027-09-01T09:00:00Z'];
    for (const [i, start] of starts.entries())
      await store.create(appointment(practitionerId, i === 2 ? gone : zoe, start), bookedAt);
    await store.create(appointment(`${practitionerId}x`, zoe, '2027-03-01T09:00:00Z'), bookedAt);
    const clients = { identity: async (id: string) => (id === zoe ? names : unknownClient) };
    const clock = manualClock('2027-03-02T12:00:00Z');

    const answer = await exportAppointments({ store, clients, actions, clock }, practitionerId, 'csv');
    if (answer.format !== 'csv') throw new Error('csv expected');
    const lines = answer.csv.split('\r\n');
    expect(lines).toHaveLength(1 + starts.length + 1);
    expect(lines.filter((l) => l.includes('Zoé,Martin,zoe@example.test'))).toHaveLength(3);
    expect(lines.filter((l) => l.includes(`${gone},,,`))).toHaveLength(1);

    const [logged] = await actionItems(practitionerId);
    expect(logged).toMatchObject({ action: 'export', format: 'csv', count: 4, entity: 'controller-action' });
    expect(JSON.stringify(logged)).not.toMatch(/Zoé|zoe@/);
  });

  it('pages the log newest first with a cursor, and refuses a forged cursor', async () => {
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const clock = manualClock('2027-04-01T08:00:00Z');
    const deps = {
      store,
      actions,
      payments: dynamoPaymentStore({ client: db, tableName }),
      events: recordingPublisher(),
      clock,
    };
    for (let i = 0; i < 3; i++) {
      await eraseClientAppointments(deps, practitionerId, randomUUID());
      clock.advance(60_000);
    }
    const first = await listControllerActions(deps, practitionerId, { limit: 2 });
    expect(first.items.map((a) => a.at)).toEqual(['2027-04-01T08:02:00.000Z', '2027-04-01T08:01:00.000Z']);
    const second = await listControllerActions(deps, practitionerId, { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((a) => a.at)).toEqual(['2027-04-01T08:00:00.000Z']);
    const forged = Buffer.from(JSON.stringify({ pk: 'CONTROLLER-ACTIONS#someone-else', sk: 'x' })).toString(
      'base64url',
    );
    await expect(listControllerActions(deps, practitionerId, { limit: 2, cursor: forged })).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('account deletion', () => {
  it('cancels the upcoming appointments of the account, frees their slots, and changes nothing the second time', async () => {
    const deleted = randomUUID();
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const now = new Date('2027-05-10T12:00:00Z');
    const booked = appointment(practitionerId, deleted, '2027-05-20T09:00:00Z');
    const past = appointment(practitionerId, deleted, '2027-05-03T09:00:00Z');
    const other = appointment(practitionerId, randomUUID(), '2027-05-20T11:00:00Z');
    for (const a of [booked, past, other]) await store.create(a, bookedAt);
    const deps = { store, clock: manualClock(now) };

    expect((await cancelAppointmentsOfDeletedAccount(deps, deleted)).cancelled).toBe(1);
    expect(await store.find(booked.id, now)).toMatchObject({
      state: 'cancelled',
      cancellation: { by: 'platform', late: false, feePercent: 0 },
    });
    expect(await store.find(past.id, now)).toMatchObject({ state: 'confirmed' });
    expect(new Set((await locksOf(practitionerId)).map((l) => l.appointmentId))).toEqual(new Set([past.id, other.id]));
    const raw = async () =>
      (
        await db.send(
          new GetCommand({ TableName: tableName, Key: { pk: `APPOINTMENT#${booked.id}`, sk: 'APPOINTMENT' } }),
        )
      ).Item;
    const before = await raw();
    expect((await cancelAppointmentsOfDeletedAccount(deps, deleted)).cancelled).toBe(0);
    expect(await raw()).toEqual(before);

    // The practitioner deletes theirs: their client's upcoming appointment is cancelled, free.
    expect((await cancelAppointmentsOfDeletedAccount(deps, practitionerId)).cancelled).toBe(1);
    expect(await store.find(other.id, now)).toMatchObject({ cancellation: { by: 'platform', feePercent: 0 } });
  });
});
