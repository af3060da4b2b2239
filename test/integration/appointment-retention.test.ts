/**
 * Time travel with an appointment: kept 5 years from its date (the policy's "5 ans à compter des
 * dates de rendez-vous"). A day before the end it is read and the purge leaves it; a day after,
 * reads skip it and a purge run deletes it with its slot locks, its payment record and the
 * client's holdings item that lists it.
 *
 * Its date lies after the machine's clock, and so does its expiry: DynamoDB Local deletes
 * expired items by itself, which would race the purge for items already expired for real. The
 * store's and the purge's clocks are injected; DynamoDB Local's is not.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { appointmentIdFor, dynamoAppointmentStore } from '#functions/bookings/adapters/appointment-store.ts';
import { holdingsKey } from '#functions/bookings/adapters/holdings-tally.ts';
import { dynamoPaymentStore } from '#functions/bookings/adapters/payment-store.ts';
import { blocksOf, confirm, newAppointment } from '#functions/bookings/domain/appointment.ts';
import { entities } from '#functions/entities.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { manualClock } from '#shared/clock.ts';
import { addPeriod, utcDay } from '#shared/retention/expiry.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const DAY = 86_400_000;

describe('appointment retention: time travel', () => {
  it('is there 5 years minus a day after its date, and gone after a purge 5 years plus a day after', async () => {
    const names = await freshTables(cloud.urls.dynamodb, 'apt-retention');
    const store = dynamoAppointmentStore({ client: db, tableName: names.bookings });
    const bookedAt = new Date('2028-03-01T10:00:00Z');
    const practitionerId = `prac_${randomUUID().slice(0, 8)}`;
    const clientId = randomUUID();
    const a = confirm(
      newAppointment({
        id: appointmentIdFor(clientId, randomUUID()),
        practitionerId,
        clientId,
        service: { id: 'svc_1', name: 'Séance', durationMinutes: 45, priceCents: 5000 },
        start: new Date('2028-03-15T09:00:00Z'),
        cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
        requestFingerprint: 'fp',
        now: bookedAt,
      }),
      bookedAt,
    );
    expect((await store.create(a, bookedAt)).kind).toBe('created');
    // Its payment, with a refund: kept with the appointment, as long (issue 6).
    const payments = dynamoPaymentStore({ client: db, tableName: names.bookings });
    await payments.open({
      appointmentId: a.id,
      clientId,
      paymentIntentId: 'pi_0000000000000001',
      amountCents: 5000,
      applicationFeeCents: 500,
      status: 'succeeded',
      createdAt: bookedAt.toISOString(),
    });
    await payments.recordRefund(
      a.id,
      {
        refundId: 're_0000000000000001',
        amountCents: 1000,
        status: 'succeeded',
        cause: 'staff',
        actorId: randomUUID(),
        reason: 'goodwill',
        idempotencyKey: 'refund-key',
        at: bookedAt.toISOString(),
      },
      bookedAt,
    );

    const end = addPeriod(a.start, { years: 5 });
    expect(end.toISOString()).toBe('2033-03-15T09:00:00.000Z');
    const dayBefore = new Date(end.getTime() - DAY);
    const dayAfter = new Date(end.getTime() + DAY);
    const clock = manualClock(dayBefore);
    const events = recordingPublisher();
    const deps = {
      store: dynamoRetentionTables({ client: db, tableNames: names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
      events,
      clock,
      entities,
      tables: Object.keys(tables) as TableName[],
      // The tables are new: nothing in them expires before this appointment.
      options: { startDay: utcDay(new Date(end.getTime() - 30 * DAY)) },
    };
    const appointmentKey = { pk: `APPOINTMENT#${a.id}`, sk: 'APPOINTMENT' };
    const paymentKey = { pk: `APPOINTMENT#${a.id}`, sk: 'PAYMENT' };
    const lockKeys = blocksOf(a.start, a.end).map((b) => ({ pk: `SLOT#${practitionerId}#${b}`, sk: 'LOCK' }));
    expect(lockKeys).toHaveLength(9);
    const stored = async (key: { pk: string; sk: string }) =>
      (await db.send(new GetCommand({ TableName: names.bookings, Key: key, ConsistentRead: true }))).Item;

    // 5 years minus a day: read as usual, and the purge leaves it.
    expect(await store.find(a.id, clock.now())).toMatchObject({ id: a.id, state: 'confirmed' });
    expect((await store.listForClient(clientId, { limit: 10, now: clock.now() })).items).toHaveLength(1);
    expect(await purgeExpiredItems(deps)).toMatchObject({ complete: true, itemsDeleted: 0 });
    expect(await stored(appointmentKey)).toBeDefined();
    expect(await stored(paymentKey)).toBeDefined();
    for (const key of lockKeys) expect(await stored(key)).toBeDefined();

    // 5 years plus a day: no read shows it any more, even before the purge…
    clock.set(dayAfter);
    expect(await store.find(a.id, clock.now())).toBeUndefined();
    expect((await store.listForClient(clientId, { limit: 10, now: clock.now() })).items).toEqual([]);
    expect(
      await store.listForPractitioner(
        practitionerId,
        { from: new Date('2028-01-01T00:00:00Z'), to: new Date('2029-01-01T00:00:00Z') },
        clock.now(),
      ),
    ).toEqual([]);
    expect(await stored(appointmentKey)).toBeDefined();

    // …and the purge deletes it with its slot locks, its payment record, and the client's holdings
    // with this practitioner (which list it: 5 years from that same date).
    expect(await stored(holdingsKey(clientId, practitionerId))).toBeDefined();
    const report = await purgeExpiredItems(deps);
    expect(report).toMatchObject({ complete: true, itemsDeleted: 3 + lockKeys.length });
    expect(report.deletedByPurpose).toEqual({ appointment: 3 + lockKeys.length });
    expect(await stored(holdingsKey(clientId, practitionerId))).toBeUndefined();
    expect(await stored(appointmentKey)).toBeUndefined();
    expect(await stored(paymentKey)).toBeUndefined();
    for (const key of lockKeys) expect(await stored(key)).toBeUndefined();
    const left = await db.send(
      new QueryCommand({
        TableName: names.bookings,
        IndexName: 'byClient',
        KeyConditionExpression: 'clientKey = :c',
        ExpressionAttributeValues: { ':c': `CLIENT#${clientId}` },
      }),
    );
    expect(left.Items).toEqual([]);
  });
});
