/**
 * What one client may hold of one practitioner's agenda at once, over HTTP against the local
 * cloud: the unpaid hold after 2 and the appointment after 4 are refused with a 409 problem that
 * says which; a paid booking counts as upcoming; a cancellation makes room; concurrent bookings
 * never pass the limit together. And the answers of a reschedule and a cancellation carry the
 * appointment's payment as GET /bookings/{appointmentId} shows it.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { holdingLimits } from '#functions/bookings/domain/holdings.ts';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate, type SlotView } from '../support/bookings.ts';
import type { Reply } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { emulator, eventually, onboardedAgenda } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.62';

const json = (reply: Reply) => JSON.parse(reply.body) as Record<string, unknown> & { id: string; state: string };

/** Slots of the agenda from `fromDay` on, enough for `count` bookings (open 08:00–20:00 every day, 60 min). */
async function slotsFrom(agenda: OpenAgenda, fromDay: number, count: number): Promise<SlotView[]> {
  const slots = await freeSlots(cloud, IP, agenda, parisDate(fromDay), parisDate(fromDay + 2));
  if (slots.length < count) throw new Error(`only ${slots.length} free slots`);
  return slots.slice(0, count);
}

function expectRefused(reply: Reply, title: string) {
  expect(reply.status, reply.body).toBe(409);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(reply.body)).toMatchObject({ status: 409, title });
}

const tooManyHolds = 'Too many holds with this practitioner';
const tooManyAppointments = 'Too many appointments with this practitioner';

let practitioner: Person;
let paidPractitioner: Person;
let onSite: OpenAgenda;
let paidOnline: OpenAgenda;
beforeAll(async () => {
  [practitioner, paidPractitioner] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'practitioner'),
  ]);
  onSite = await openAgenda(cloud, IP, practitioner);
  paidOnline = await onboardedAgenda(cloud, IP, paidPractitioner);
}, 90_000);

describe('what one client may hold of one practitioner’s agenda', () => {
  it(`refuses the appointment after ${holdingLimits.upcoming} upcoming ones; a cancellation makes room`, async () => {
    const client = await signedInPerson(cloud, 'client');
    const slots = await slotsFrom(onSite, 2, holdingLimits.upcoming + 2);
    const booked: string[] = [];
    for (const slot of slots.slice(0, holdingLimits.upcoming)) {
      const reply = await book(cloud, IP, client, onSite, slot.start);
      expect(reply.status, reply.body).toBe(201);
      booked.push(json(reply).id);
    }
    const refused = await book(cloud, IP, client, onSite, slots[holdingLimits.upcoming]!.start);
    expectRefused(refused, tooManyAppointments);
    // nothing of it was kept: the slot is still free
    expect((await freeSlots(cloud, IP, onSite, parisDate(2), parisDate(4))).map((s) => s.start)).toContain(
      slots[holdingLimits.upcoming]!.start,
    );
    // another client of the same practitioner is not concerned
    const other = await signedInPerson(cloud, 'client');
    expect((await book(cloud, IP, other, onSite, slots[holdingLimits.upcoming + 1]!.start)).status).toBe(201);

    expect((await callAs(cloud, IP, client, 'POST', `/bookings/${booked[0]}/cancel`)).status).toBe(200);
    expect((await book(cloud, IP, client, onSite, slots[holdingLimits.upcoming]!.start)).status).toBe(201);
  });

  it(`refuses the unpaid hold after ${holdingLimits.unpaidHolds}; a paid booking counts as upcoming`, async () => {
    const client = await signedInPerson(cloud, 'client');
    const slots = await slotsFrom(paidOnline, 2, 6);
    const hold = async (slot: SlotView) => {
      const reply = await book(cloud, IP, client, paidOnline, slot.start);
      expect(reply.status, reply.body).toBe(201);
      return json(reply) as ReturnType<typeof json> & { checkout: { paymentIntentId: string } };
    };
    const pay = async (held: Awaited<ReturnType<typeof hold>>) => {
      await emulator(cloud).pay(held.checkout.paymentIntentId);
      await eventually<{ state: string }>(cloud, IP, client, `/bookings/${held.id}`, (a) => a.state === 'confirmed');
    };
    const [a, b] = [await hold(slots[0]!), await hold(slots[1]!)];
    expectRefused(await book(cloud, IP, client, paidOnline, slots[2]!.start), tooManyHolds);
    await pay(a);
    const c = await hold(slots[2]!);
    await pay(b);
    await pay(c);
    // 3 paid and upcoming, and one more hold: 4
    await hold(slots[3]!);
    expectRefused(await book(cloud, IP, client, paidOnline, slots[4]!.start), tooManyAppointments);
  }, 120_000);

  it(`of 10 concurrent bookings of one client with one practitioner, ${holdingLimits.upcoming} pass`, async () => {
    const client = await signedInPerson(cloud, 'client');
    const slots = await slotsFrom(onSite, 6, 10);
    const replies = await Promise.all(slots.map((slot) => book(cloud, IP, client, onSite, slot.start)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(holdingLimits.upcoming);
    for (const refused of replies.filter((r) => r.status !== 201)) expectRefused(refused, tooManyAppointments);
    const mine = await callAs(cloud, IP, client, 'GET', '/bookings?upcoming=true&limit=50');
    expect((JSON.parse(mine.body) as { items: unknown[] }).items).toHaveLength(holdingLimits.upcoming);
  }, 120_000);
});

describe('the answers of a reschedule and a cancellation', () => {
  it('carry the payment as GET /bookings/{appointmentId} shows it', async () => {
    const client = await signedInPerson(cloud, 'client');
    const slots = await slotsFrom(paidOnline, 10, 2);
    const held = json(await book(cloud, IP, client, paidOnline, slots[0]!.start)) as ReturnType<typeof json> & {
      checkout: { paymentIntentId: string };
    };
    await emulator(cloud).pay(held.checkout.paymentIntentId);
    await eventually<{ state: string }>(cloud, IP, client, `/bookings/${held.id}`, (a) => a.state === 'confirmed');

    const moved = await callAs(cloud, IP, client, 'POST', `/bookings/${held.id}/reschedule`, {
      start: slots[1]!.start,
    });
    expect(moved.status).toBe(200);
    const shown = json(await callAs(cloud, IP, client, 'GET', `/bookings/${held.id}`));
    expect(json(moved)).toEqual(shown);
    expect(shown.payment).toMatchObject({
      paymentIntentId: held.checkout.paymentIntentId,
      status: 'succeeded',
      amountCents: 6000,
    });

    const cancelled = json(await callAs(cloud, IP, client, 'POST', `/bookings/${held.id}/cancel`));
    expect(cancelled.state).toBe('cancelled');
    // as GET showed it the moment it was cancelled: paid; the policy's refund follows, and shows there
    expect(cancelled.payment).toEqual(shown.payment);
    const refunded = await eventually<{ payment: { refundedCents: number } }>(
      cloud,
      IP,
      client,
      `/bookings/${held.id}`,
      (a) => a.payment.refundedCents === 6000,
    );
    expect(refunded).toMatchObject({ state: 'cancelled', payment: { status: 'succeeded' } });
  }, 120_000);

  it('carry no payment for an appointment paid on site, as GET shows none', async () => {
    const client = await signedInPerson(cloud, 'client');
    const [first, second] = await slotsFrom(onSite, 12, 2);
    const booked = json(await book(cloud, IP, client, onSite, first!.start));
    const moved = json(
      await callAs(cloud, IP, client, 'POST', `/bookings/${booked.id}/reschedule`, { start: second!.start }),
    );
    expect(moved).not.toHaveProperty('payment');
    expect(moved).toEqual(json(await callAs(cloud, IP, client, 'GET', `/bookings/${booked.id}`)));
    const cancelled = json(await callAs(cloud, IP, client, 'POST', `/bookings/${booked.id}/cancel`));
    expect(cancelled).not.toHaveProperty('payment');
    expect(cancelled).toEqual(json(await callAs(cloud, IP, client, 'GET', `/bookings/${booked.id}`)));
  });
});
