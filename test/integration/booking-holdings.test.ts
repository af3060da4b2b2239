/**
 * What one client may hold of one practitioner's agenda, against DynamoDB Local through the
 * appointment store: the limits are decided on the client's holdings item and written in the
 * booking's own transaction on condition of the version read, so concurrent bookings never pass
 * them together; every change that ends or moves an appointment moves the holdings with it; an
 * absent item is rebuilt from the client's index; an erasure takes it; it is a retained item.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type AppointmentStore,
  appointmentIdFor,
  dynamoAppointmentStore,
} from '#functions/bookings/adapters/appointment-store.ts';
import { holdingsKey } from '#functions/bookings/adapters/holdings-tally.ts';
import { type Appointment, cancel, complete, confirm, newAppointment } from '#functions/bookings/domain/appointment.ts';
import { holdingLimits } from '#functions/bookings/domain/holdings.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let store: AppointmentStore;
let tableName: string;
afterAll(() => db.destroy());

beforeAll(async () => {
  const names = await ensureTables(cloud.urls.dynamodb, `it-hold-${randomUUID().slice(0, 8)}-`);
  tableName = names.TABLE_BOOKINGS!;
  store = dynamoAppointmentStore({ client: db, tableName });
});

// After the machine's clock (and 5 years on for their expiry): DynamoDB Local's TTL stays out.
const now = new Date('2027-02-01T08:00:00Z');
const minute = 60_000;

/** A booking by `clientId` with `practitionerId`, `hour` hours after 2027-02-02 08:00Z; unpaid (held) when `online`. */
function booking(practitionerId: string, clientId: string, hour: number, online = false): Appointment {
  const requested = newAppointment({
    id: appointmentIdFor(clientId, randomUUID()),
    practitionerId,
    clientId,
    service: { id: 'svc_1', name: 'Séance', durationMinutes: 60, priceCents: 6000 },
    start: new Date(Date.parse('2027-02-02T08:00:00Z') + hour * 60 * minute),
    cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
    requestFingerprint: 'fp',
    now,
    ...(online ? { holdUntil: new Date(now.getTime() + 15 * minute) } : {}),
  });
  return online ? requested : confirm(requested, now);
}

const people = () => ({ practitionerId: `prac_${randomUUID().slice(0, 8)}`, clientId: randomUUID() });

async function holdingsItem(clientId: string, practitionerId: string) {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: holdingsKey(clientId, practitionerId), ConsistentRead: true }),
  );
  return Item;
}

describe('the limits, decided in the booking’s transaction', () => {
  it(`refuses the unpaid hold after ${holdingLimits.unpaidHolds}, and the appointment after ${holdingLimits.upcoming}`, async () => {
    const { practitionerId, clientId } = people();
    for (let i = 0; i < holdingLimits.unpaidHolds; i++)
      expect((await store.create(booking(practitionerId, clientId, i, true), now)).kind).toBe('created');
    expect(await store.create(booking(practitionerId, clientId, 10, true), now)).toEqual({
      kind: 'limit',
      limit: 'unpaid-holds',
    });
    // on site, next to the holds, up to the upcoming limit
    for (let i = holdingLimits.unpaidHolds; i < holdingLimits.upcoming; i++)
      expect((await store.create(booking(practitionerId, clientId, i), now)).kind).toBe('created');
    expect(await store.create(booking(practitionerId, clientId, 11), now)).toEqual({
      kind: 'limit',
      limit: 'upcoming',
    });
    // another practitioner, or another client of the same practitioner: their own holdings
    expect((await store.create(booking(`${practitionerId}x`, clientId, 12), now)).kind).toBe('created');
    expect((await store.create(booking(practitionerId, randomUUID(), 13), now)).kind).toBe('created');
  });

  it('counts a paid hold as upcoming; after a cancellation, a new booking passes', async () => {
    const { practitionerId, clientId } = people();
    const holds = [booking(practitionerId, clientId, 0, true), booking(practitionerId, clientId, 1, true)];
    for (const h of holds) expect((await store.create(h, now)).kind).toBe('created');
    // paid: confirmed, no longer a hold, still upcoming
    const paid = confirm(holds[0]!, now);
    expect((await store.change(holds[0]!, paid, now)).kind).toBe('changed');
    expect((await store.create(booking(practitionerId, clientId, 2, true), now)).kind).toBe('created');
    expect((await store.create(booking(practitionerId, clientId, 3), now)).kind).toBe('created');
    // 4 upcoming: one paid, two unpaid, one on site
    expect(await store.create(booking(practitionerId, clientId, 4), now)).toEqual({ kind: 'limit', limit: 'upcoming' });
    expect((await store.change(paid, cancel(paid, 'client', now), now)).kind).toBe('changed');
    expect((await store.create(booking(practitionerId, clientId, 4), now)).kind).toBe('created');
  });

  it('lets a booking whose slot is taken add nothing, and the same request again find its appointment', async () => {
    const { practitionerId, clientId } = people();
    const first = booking(practitionerId, clientId, 0);
    expect((await store.create(first, now)).kind).toBe('created');
    // another client took this slot: the transaction writes nothing of the booking
    const taken = booking(practitionerId, randomUUID(), 5);
    expect((await store.create(taken, now)).kind).toBe('created');
    expect((await store.create(booking(practitionerId, clientId, 5), now)).kind).toBe('slot-taken');
    expect(Object.keys((await holdingsItem(clientId, practitionerId))!.holdings)).toEqual([first.id]);
    // fill up to the limit, then the first request again: it is found, not refused
    for (let i = 1; i < holdingLimits.upcoming; i++)
      expect((await store.create(booking(practitionerId, clientId, i), now)).kind).toBe('created');
    const again = await store.create(first, now);
    expect(again.kind).toBe('exists');
    expect(again.kind === 'exists' && again.appointment?.id).toBe(first.id);
  });

  it('stops counting an appointment once it has started, and forgets it once completed', async () => {
    const { practitionerId, clientId } = people();
    const booked = Array.from({ length: holdingLimits.upcoming }, (_, i) => booking(practitionerId, clientId, i * 24));
    for (const a of booked) expect((await store.create(a, now)).kind).toBe('created');
    expect((await store.create(booking(practitionerId, clientId, 200), now)).kind).toBe('limit');
    const afterFirst = new Date(booked[0]!.start.getTime() + minute);
    expect((await store.create(booking(practitionerId, clientId, 200), afterFirst)).kind).toBe('created');
    // the practitioner records the first as held: the item no longer names it
    expect((await store.change(booked[0]!, complete(booked[0]!, afterFirst), afterFirst)).kind).toBe('changed');
    expect(Object.keys((await holdingsItem(clientId, practitionerId))!.holdings)).not.toContain(booked[0]!.id);
  });
});

describe('concurrency', () => {
  it(`of 12 bookings of one client with one practitioner at once, ${holdingLimits.upcoming} pass, whatever the order`, async () => {
    const { practitionerId, clientId } = people();
    const attempts = Array.from({ length: 12 }, (_, i) => booking(practitionerId, clientId, i));
    const outcomes = await Promise.all(attempts.map((a) => store.create(a, now)));
    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'created')).toHaveLength(holdingLimits.upcoming);
    expect(kinds.filter((k) => k === 'limit')).toHaveLength(12 - holdingLimits.upcoming);
    const item = await holdingsItem(clientId, practitionerId);
    const created = attempts.filter((_, i) => kinds[i] === 'created').map((a) => a.id);
    expect(Object.keys(item!.holdings).sort()).toEqual(created.sort());
    const stored = await Promise.all(attempts.map((a) => store.find(a.id, now)));
    expect(
      stored
        .filter(Boolean)
        .map((a) => a!.id)
        .sort(),
    ).toEqual(created.sort());
  }, 120_000);

  it(`of 10 unpaid holds at once, ${holdingLimits.unpaidHolds} pass`, async () => {
    const { practitionerId, clientId } = people();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.create(booking(practitionerId, clientId, i, true), now)),
    );
    expect(outcomes.filter((o) => o.kind === 'created')).toHaveLength(holdingLimits.unpaidHolds);
    expect(outcomes.filter((o) => o.kind === 'limit')).toHaveLength(10 - holdingLimits.unpaidHolds);
  }, 120_000);

  it('a cancellation racing bookings is never lost: the holdings end up naming exactly the upcoming ones', async () => {
    const { practitionerId, clientId } = people();
    const booked = Array.from({ length: holdingLimits.upcoming }, (_, i) => booking(practitionerId, clientId, i));
    for (const a of booked) await store.create(a, now);
    const cancellations = booked.slice(0, 2).map((a) => store.change(a, cancel(a, 'client', now), now));
    const bookings = Array.from({ length: 6 }, (_, i) => store.create(booking(practitionerId, clientId, 10 + i), now));
    const [cancelled, created] = await Promise.all([Promise.all(cancellations), Promise.all(bookings)]);
    expect(cancelled.map((o) => o.kind)).toEqual(['changed', 'changed']);
    const passed = created.filter((o) => o.kind === 'created').length;
    expect(passed).toBeLessThanOrEqual(2);
    const item = await holdingsItem(clientId, practitionerId);
    expect(Object.keys(item!.holdings)).toHaveLength(holdingLimits.upcoming - 2 + passed);
    for (const a of booked.slice(0, 2)) expect(Object.keys(item!.holdings)).not.toContain(a.id);
  }, 120_000);
});

describe('the holdings item', () => {
  it('is a retained item of the client: 5 years from the latest date it lists; deleted once it lists nothing', async () => {
    const { practitionerId, clientId } = people();
    const early = booking(practitionerId, clientId, 0);
    const late = booking(practitionerId, clientId, 48);
    await store.create(early, now);
    await store.create(late, now);
    const item = await holdingsItem(clientId, practitionerId);
    expect(item).toMatchObject({
      entity: 'client-holdings',
      subjectKey: `account#${clientId}`,
      retentionPurpose: 'appointment',
      expiresAt: epochSeconds(addPeriod(late.start, { years: 5 })),
    });
    await store.change(late, cancel(late, 'practitioner', now), now);
    expect((await holdingsItem(clientId, practitionerId))!.expiresAt).toBe(
      epochSeconds(addPeriod(early.start, { years: 5 })),
    );
    await store.change(early, cancel(early, 'client', now), now);
    expect(await holdingsItem(clientId, practitionerId)).toBeUndefined();
  });

  it('is rebuilt from the client’s index when absent: deleting it loses no count', async () => {
    const { practitionerId, clientId } = people();
    for (let i = 0; i < holdingLimits.upcoming; i++) await store.create(booking(practitionerId, clientId, i), now);
    await db.send(new DeleteCommand({ TableName: tableName, Key: holdingsKey(clientId, practitionerId) }));
    expect(await store.create(booking(practitionerId, clientId, 10), now)).toEqual({
      kind: 'limit',
      limit: 'upcoming',
    });
  });

  it('goes with an erasure of the client’s appointment, and its key is logged for a replay', async () => {
    const { practitionerId, clientId } = people();
    const a = booking(practitionerId, clientId, 0);
    await store.create(a, now);
    const erased = await store.erase(a);
    expect(erased.kind).toBe('erased');
    expect(erased.kind === 'erased' && erased.keys).toContainEqual(holdingsKey(clientId, practitionerId));
    expect(await holdingsItem(clientId, practitionerId)).toBeUndefined();
  });
});
