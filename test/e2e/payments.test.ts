/**
 * Paying for an appointment over HTTP against the local cloud and its Stripe emulator: the
 * practitioner onboards to Stripe Connect; a client books a service paid online and gets a
 * PaymentIntent; the card holder pays (the emulator's control route, as Stripe.js would); the
 * signed webhook comes to POST /webhooks/stripe and the booking is confirmed, with its emails;
 * cancelled in time, the payment is refunded whole, and the refund's webhook settles it.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient } from '../support/api.ts';
import { book, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { callFrom } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { waitForMail } from '../support/mail.ts';
import { eventually as pollUntil } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.94';

const as = (person: Person) => apiClient(cloud, IP, person);

let practitioner: Person;
let client: Person;
let agenda: OpenAgenda;

/** Polls a signed-in GET of this test's loopback address until `done` holds for its JSON body. */
const eventually = <T>(person: Person, path: string, done: (body: T) => boolean) =>
  pollUntil<T>(cloud, IP, person, path, done);

const emulator = (path: string, body = '') =>
  callFrom('127.0.0.1', `${cloud.urls.stripe}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });

/** A booking of the online-paid service `days` ahead, paid by the card holder and confirmed. */
async function paidBooking(days: number) {
  const slot = (await freeSlots(cloud, IP, agenda, parisDate(days), parisDate(days)))[0]!;
  const appointment = JSON.parse((await book(cloud, IP, client, agenda, slot.start)).body) as {
    id: string;
    checkout: { paymentIntentId: string };
  };
  expect((await emulator(`/_emulator/payment_intents/${appointment.checkout.paymentIntentId}/succeed`)).status).toBe(
    200,
  );
  await eventually<{ state: string }>(client, `/bookings/${appointment.id}`, (a) => a.state === 'confirmed');
  return { id: appointment.id, paymentIntentId: appointment.checkout.paymentIntentId };
}

/** Support's refund request, with its Idempotency-Key. */
const staffRefund = (support: Person, appointmentId: string, key: string) =>
  as(support).POST('/staff/bookings/{appointmentId}/refunds', {
    params: { path: { appointmentId }, header: { 'idempotency-key': key } },
    body: { amountCents: 1000, reason: 'goodwill' },
  });

beforeAll(async () => {
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
}, 60_000);

describe('Stripe Connect onboarding', () => {
  it('a practitioner opens a connected account, completes onboarding and can then receive payments', async () => {
    const before = await as(practitioner).GET('/practitioners/me/payouts');
    expect(before.data).toMatchObject({ connected: false, chargesEnabled: false });

    const urls = { returnUrl: 'http://localhost:5173/payouts/done', refreshUrl: 'http://localhost:5173/payouts/again' };
    const onboard = () => as(practitioner).POST('/practitioners/me/payouts/onboarding', { body: urls });
    const started = await onboard();
    expect(started.response.status).toBe(200);
    const { url, accountId } = started.data!;
    // Opening it again gives another link to the same account.
    expect((await onboard()).data?.accountId).toBe(accountId);

    // The practitioner fills in Stripe's hosted form (one visit of the link completes it).
    const visit = await fetch(url, { redirect: 'manual' });
    expect(visit.headers.get('location')).toBe(urls.returnUrl);
    const status = await eventually<{ chargesEnabled: boolean }>(
      practitioner,
      '/practitioners/me/payouts',
      (s) => s.chargesEnabled,
    );
    expect(status).toMatchObject({ connected: true, accountId, chargesEnabled: true, payoutsEnabled: true });

    agenda = await openAgenda(cloud, IP, practitioner, { payment: { mode: 'full' } });
  });
});

describe('paying at booking', () => {
  it('books held for payment, is confirmed by the payment webhook, and refunded whole when cancelled in time', async () => {
    const slot = (await freeSlots(cloud, IP, agenda, parisDate(5), parisDate(5)))[0]!;
    const booked = await book(cloud, IP, client, agenda, slot.start);
    expect(booked.status).toBe(201);
    const appointment = JSON.parse(booked.body) as {
      id: string;
      state: string;
      holdUntil: string;
      checkout: { paymentIntentId: string; clientSecret: string; amountCents: number; holdUntil: string };
    };
    expect(appointment.state).toBe('requested');
    expect(appointment.checkout).toMatchObject({ amountCents: 6000 });
    expect(appointment.checkout.clientSecret).toMatch(/^pi_.+_secret_/);
    const holdMinutes = (Date.parse(appointment.holdUntil) - Date.now()) / 60_000;
    expect(holdMinutes).toBeGreaterThan(14);
    expect(holdMinutes).toBeLessThanOrEqual(15);
    // The held slot is not offered to anyone else.
    expect((await freeSlots(cloud, IP, agenda, parisDate(5), parisDate(5))).map((s) => s.start)).not.toContain(
      slot.start,
    );

    // The card holder pays with Stripe (Stripe.js with the client secret; here the emulator's control).
    expect((await emulator(`/_emulator/payment_intents/${appointment.checkout.paymentIntentId}/succeed`)).status).toBe(
      200,
    );
    const confirmed = await eventually<{ state: string; payment?: { status: string } }>(
      client,
      `/bookings/${appointment.id}`,
      (a) => a.state === 'confirmed' && a.payment?.status === 'succeeded',
    );
    expect(confirmed).toMatchObject({ payment: { amountCents: 6000, refundedCents: 0 } });
    await waitForMail(
      cloud.urls.mailStore,
      (m) => m.destination.to.includes(client.email) && /confirm/i.test(m.subject),
      20_000,
    );

    // Cancelled days ahead: in time, so the whole payment comes back.
    const cancelled = await as(client).POST('/bookings/{appointmentId}/cancel', {
      params: { path: { appointmentId: appointment.id } },
    });
    expect(cancelled.response.status).toBe(200);
    const refunded = await eventually<{
      payment: { refundedCents: number; refunds: { cause: string; status: string }[] };
    }>(client, `/bookings/${appointment.id}`, (a) => a.payment?.refundedCents === 6000);
    expect(refunded.payment.refunds).toEqual([expect.objectContaining({ cause: 'cancellation', status: 'succeeded' })]);
  }, 60_000);

  it('a disputed payment is listed for support staff, and cannot be refunded on top of the chargeback', async () => {
    const support = await signedInPerson(cloud, 'support');
    const { id, paymentIntentId } = await paidBooking(8);
    // The card holder disputes the charge with their bank.
    expect((await emulator(`/_emulator/payment_intents/${paymentIntentId}/dispute`, 'reason=fraudulent')).status).toBe(
      200,
    );
    type Page = { items: { appointmentId: string; disputes: { status: string; reason: string }[] }[] };
    const page = await eventually<Page>(support, '/staff/payments/disputes?limit=50', (p) =>
      p.items.some((i) => i.appointmentId === id),
    );
    expect(page.items.find((i) => i.appointmentId === id)?.disputes).toEqual([
      expect.objectContaining({ reason: 'fraudulent' }),
    ]);
    // A client is not support staff.
    expect((await as(client).GET('/staff/payments/disputes')).response.status).toBe(403);

    // A disputed charge cannot be refunded on top of the chargeback: support is told so.
    const refused = await staffRefund(support, id, `goodwill-${id}`);
    expect(refused.response.status).toBe(409);
    expect(refused.error?.detail).toContain('disputed');
  }, 60_000);

  it('support refunds part of a payment once per Idempotency-Key, with its reason', async () => {
    const support = await signedInPerson(cloud, 'support');
    const { id } = await paidBooking(9);
    expect((await staffRefund(support, id, `goodwill-${id}`)).response.status).toBe(200);
    expect((await staffRefund(support, id, `goodwill-${id}`)).response.status).toBe(200);
    const refunded = await eventually<{ payment: { refundedCents: number; refunds: { cause: string }[] } }>(
      client,
      `/bookings/${id}`,
      (a) => a.payment?.refundedCents === 1000,
    );
    expect(refunded.payment.refunds).toEqual([expect.objectContaining({ cause: 'staff', amountCents: 1000 })]);
  }, 60_000);

  it('a declined card releases the slot', async () => {
    const slot = (await freeSlots(cloud, IP, agenda, parisDate(6), parisDate(6)))[0]!;
    const appointment = JSON.parse((await book(cloud, IP, client, agenda, slot.start)).body) as {
      id: string;
      checkout: { paymentIntentId: string };
    };
    expect((await emulator(`/_emulator/payment_intents/${appointment.checkout.paymentIntentId}/fail`)).status).toBe(
      200,
    );
    await eventually<{ state: string }>(client, `/bookings/${appointment.id}`, (a) => a.state === 'cancelled');
    expect((await freeSlots(cloud, IP, agenda, parisDate(6), parisDate(6))).map((s) => s.start)).toContain(slot.start);
  }, 60_000);

  it('refuses online payment for a practitioner who cannot receive payments', async () => {
    const other = await signedInPerson(cloud, 'practitioner');
    const otherAgenda = await openAgenda(cloud, IP, other, { payment: { mode: 'deposit', depositPercent: 30 } });
    const slot = (await freeSlots(cloud, IP, otherAgenda, parisDate(5), parisDate(5)))[0]!;
    const refused = await book(cloud, IP, client, otherAgenda, slot.start);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('online payments');
  }, 60_000);
});
