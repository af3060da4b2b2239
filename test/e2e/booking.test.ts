/**
 * Booking over HTTP against the local cloud: search, free slots, book with an Idempotency-Key (a
 * retry is answered the same, a reused key for another request is refused, a taken slot is a
 * 409), the client's list and the practitioner's agenda, reschedule, and cancellations early and
 * late with the practitioner's policy applied.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, callApi } from '../support/api.ts';
import { book, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { localDocumentClient, slotLocksOf, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.93';
const hour = 3_600_000;

let practitioner: Person;
let client: Person;
let otherClient: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  [practitioner, client, otherClient] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'client'),
  ]);
  agenda = await openAgenda(cloud, IP, practitioner);
}, 60_000);

const json = (body: string) => JSON.parse(body) as Record<string, unknown> & { id: string; state: string };
const visitor = () => apiClient(cloud, IP);
const as = (person: Person) => apiClient(cloud, IP, person);

describe('finding a slot', () => {
  it('the practitioner is found by specialty and city, and offers free slots on their hours, in Paris time', async () => {
    const search = await visitor().GET('/practitioners', {
      params: { query: { specialty: 'naturopathy', city: 'lyon', limit: 50 } },
    });
    expect(search.response.status).toBe(200);
    expect(search.data?.items.map((p) => p.id)).toContain(agenda.practitionerId);

    const slots = await freeSlots(cloud, IP, agenda, parisDate(1), parisDate(3));
    expect(slots.length).toBeGreaterThanOrEqual(24);
    for (const slot of slots) {
      const localHour = Number(slot.local.slice(11, 13));
      expect(localHour).toBeGreaterThanOrEqual(8);
      expect(localHour).toBeLessThan(20);
      expect(slot.local.slice(14)).toBe('00');
      expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(hour);
    }
  });

  it('refuses a range of more than 92 days, an unknown service and an unknown practitioner', async () => {
    const slots = (practitionerId: string, serviceId: string, to: number) =>
      visitor().GET('/practitioners/{practitionerId}/slots', {
        params: { path: { practitionerId }, query: { serviceId, from: parisDate(0), to: parisDate(to) } },
      });
    const tooLong = await slots(agenda.practitionerId, 'svc_seance', 100);
    expect(tooLong.response.status).toBe(400);
    expect(tooLong.error?.errors?.map((e) => e.field)).toEqual(['query.to']);
    expect((await slots(agenda.practitionerId, 'svc_none', 1)).response.status).toBe(404);
    expect((await slots(randomUUID(), 'svc_seance', 1)).response.status).toBe(404);
  });
});

describe('booking a slot', () => {
  it('books once per Idempotency-Key, refuses a reused key and a taken slot, and the slot is no longer offered', async () => {
    const slots = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(2));
    const [slot, next] = [slots[0]!, slots[1]!];
    const key = randomUUID();
    const first = await book(cloud, IP, client, agenda, slot.start, key);
    expect(first.status).toBe(201);
    const booked = json(first.body);
    expect(booked).toMatchObject({ state: 'confirmed', start: slot.start, practitionerId: agenda.practitionerId });
    expect(first.headers.location).toBe(`/bookings/${booked.id}`);

    const retry = await book(cloud, IP, client, agenda, slot.start, key);
    expect(retry.status).toBe(200);
    expect(json(retry.body).id).toBe(booked.id);
    expect((await book(cloud, IP, client, agenda, next.start, key)).status).toBe(422);
    expect((await book(cloud, IP, otherClient, agenda, slot.start)).status).toBe(409);

    const after = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(2));
    expect(after.map((s) => s.start)).not.toContain(slot.start);
    expect(after.map((s) => s.start)).toContain(next.start);
  });

  it('needs an Idempotency-Key, and a start that is a free slot', async () => {
    const slots = await freeSlots(cloud, IP, agenda, parisDate(3), parisDate(3));
    // Without the header the typed client requires: the raw call, its answer validated alike.
    const noKey = await callApi(cloud, IP, 'POST', '/bookings', {
      person: client,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        practitionerId: agenda.practitionerId,
        serviceId: agenda.serviceId,
        start: slots[0]!.start,
      }),
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body).toContain('header.idempotency-key');
    // off the opening hours: 03:00 Paris
    const night = new Date(Date.parse(slots[0]!.start) - 6 * hour).toISOString();
    expect((await book(cloud, IP, client, agenda, night)).status).toBe(409);
    // beyond the 30-day horizon
    const far = new Date(Date.parse(slots[0]!.start) + 40 * 24 * hour).toISOString();
    expect((await book(cloud, IP, client, agenda, far)).status).toBe(409);
  });
});

describe('one slot under load', () => {
  it('200 concurrent bookings of one slot over HTTP: one 201, 199 409, one appointment and its locks only', async () => {
    const slot = (await freeSlots(cloud, IP, agenda, parisDate(7), parisDate(7)))[0]!;
    // Four clients, 50 requests each: under the per-account booking rate limit (120 per 10 minutes).
    const clients = [client, otherClient, ...(await Promise.all([1, 2].map(() => signedInPerson(cloud, 'client'))))];
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => book(cloud, IP, clients[i % clients.length]!, agenda, slot.start)),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    const winner = json(replies.find((r) => r.status === 201)!.body);

    // Nothing half-written: the practitioner's agenda holds the winner only, and the table holds
    // exactly the winner's 12 locks (5-minute blocks of one hour) at that time.
    const day = await as(practitioner).GET('/practitioners/me/agenda', {
      params: { query: { from: parisDate(7), to: parisDate(7) } },
    });
    expect(day.data?.items.map((a) => a.id)).toEqual([winner.id]);
    const db = localDocumentClient(cloud.urls.dynamodb);
    try {
      const locks = await slotLocksOf(db, tableNamesFrom(cloud.env).bookings, agenda.practitionerId);
      const atSlot = locks.filter((l) => {
        const minute = Number(String(l.pk).split('#')[2]) * 60_000;
        return minute >= Date.parse(slot.start) && minute < Date.parse(slot.end);
      });
      expect(atSlot).toHaveLength(12);
      expect(new Set(atSlot.map((l) => l.appointmentId))).toEqual(new Set([winner.id]));
    } finally {
      db.destroy();
    }
  }, 120_000);
});

describe('an appointment’s life', () => {
  it('is listed for the client and in the practitioner’s agenda, and moves to another free slot', async () => {
    const slots = await freeSlots(cloud, IP, agenda, parisDate(4), parisDate(4));
    const booked = json((await book(cloud, IP, client, agenda, slots[0]!.start)).body);

    const mine = await as(client).GET('/bookings', { params: { query: { upcoming: 'true', limit: 50 } } });
    expect(mine.data?.items.map((a) => a.id)).toContain(booked.id);
    const day = await as(practitioner).GET('/practitioners/me/agenda', {
      params: { query: { from: parisDate(4), to: parisDate(4) } },
    });
    expect(day.response.status).toBe(200);
    expect(day.data?.items.map((a) => a.id)).toEqual([booked.id]);

    const appointment = { params: { path: { appointmentId: booked.id } } };
    const moved = await as(client).POST('/bookings/{appointmentId}/reschedule', {
      ...appointment,
      body: { start: slots[3]!.start },
    });
    expect(moved.response.status).toBe(200);
    expect(moved.data).toMatchObject({ start: slots[3]!.start, state: 'confirmed', version: 3 });
    const free = (await freeSlots(cloud, IP, agenda, parisDate(4), parisDate(4))).map((s) => s.start);
    expect(free).toContain(slots[0]!.start);
    expect(free).not.toContain(slots[3]!.start);
    // the practitioner sees it too; it cannot be completed before it starts
    expect((await as(practitioner).GET('/bookings/{appointmentId}', appointment)).response.status).toBe(200);
    expect((await as(practitioner).POST('/bookings/{appointmentId}/complete', appointment)).response.status).toBe(409);
  });

  it('a client cancelling early cancels free; late, the policy’s fee applies; a practitioner cancels free', async () => {
    const farSlots = await freeSlots(cloud, IP, agenda, parisDate(5), parisDate(5));
    const early = json((await book(cloud, IP, client, agenda, farSlots[0]!.start)).body);
    const cancel = (person: Person, appointmentId: string) =>
      as(person).POST('/bookings/{appointmentId}/cancel', { params: { path: { appointmentId } } });
    const cancelled = await cancel(client, early.id);
    expect(cancelled.response.status).toBe(200);
    expect(cancelled.data).toMatchObject({
      state: 'cancelled',
      cancellation: { by: 'client', late: false, feePercent: 0 },
    });
    expect((await cancel(client, early.id)).response.status).toBe(409);

    // the first free slot is at most ~13 h away (open 08:00–20:00 every day, 1 h notice): inside the 24 h policy
    const soon = (await freeSlots(cloud, IP, agenda, parisDate(0), parisDate(1))).find(
      (s) => Date.parse(s.start) - Date.now() < 23 * hour,
    )!;
    const late = json((await book(cloud, IP, client, agenda, soon.start)).body);
    const lateCancel = await cancel(client, late.id);
    expect(lateCancel.data).toMatchObject({
      state: 'cancelled',
      cancellation: { by: 'client', late: true, feePercent: 50 },
    });

    const again = json((await book(cloud, IP, client, agenda, soon.start)).body);
    const byPractitioner = await cancel(practitioner, again.id);
    expect(byPractitioner.data).toMatchObject({
      cancellation: { by: 'practitioner', late: false, feePercent: 0 },
    });
  });
});
