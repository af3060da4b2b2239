/**
 * A frontend paying a booking as it would with Stripe.js: the booking's checkout answer carries
 * the publishable key and the client secret; the browser then talks to Stripe (here the emulator)
 * with Stripe.js's own request shapes — the publishable key and the client secret, never the
 * secret key — through a decline, a 3-D Secure challenge it completes, and success; the signed
 * webhooks then release or confirm the booking. No control route of the emulator is used.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { OpenAgenda } from '../support/bookings.ts';
import { callFrom } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { type BookingView, eventually, heldBooking, onboardedAgenda } from '../support/payments.ts';

const cloud = inject('cloud');
const IP = '127.0.0.97';

let client: Person;
let agenda: OpenAgenda;

interface BrowserIntent {
  id: string;
  status: string;
  last_payment_error?: { code?: string; decline_code?: string };
  next_action?: { type: string; redirect_to_url?: { url: string } };
}

/** What Stripe.js sends: form-encoded, the publishable key as `key`, the intent's client secret. */
async function stripeJs(path: string, form: Record<string, string>, method: 'GET' | 'POST' = 'POST') {
  const body = new URLSearchParams(form).toString();
  const reply =
    method === 'GET'
      ? await callFrom('127.0.0.1', `${cloud.urls.stripe}${path}?${body}`, { method: 'GET' })
      : await callFrom('127.0.0.1', `${cloud.urls.stripe}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
        });
  return { status: reply.status, json: JSON.parse(reply.body) as BrowserIntent & { error?: { code?: string } } };
}

beforeAll(async () => {
  let practitioner: Person;
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
  agenda = await onboardedAgenda(cloud, IP, practitioner);
}, 90_000);

/** The checkout of a new booking, and Stripe.js's calls for its PaymentIntent. */
async function checkout(daysAhead: number) {
  const booked = await heldBooking(cloud, IP, client, agenda, daysAhead);
  const { paymentIntentId, clientSecret } = booked.checkout;
  const key = (booked.checkout as { publishableKey?: string }).publishableKey;
  expect(key).toMatch(/^pk_test_/);
  return {
    booked,
    key: key!,
    confirm: (paymentMethod: string, more: Record<string, string> = {}) =>
      stripeJs(`/v1/payment_intents/${paymentIntentId}/confirm`, {
        key: key!,
        client_secret: clientSecret,
        payment_method: paymentMethod,
        ...more,
      }),
    read: () => stripeJs(`/v1/payment_intents/${paymentIntentId}`, { key: key!, client_secret: clientSecret }, 'GET'),
  };
}

describe('a frontend pays with Stripe.js', () => {
  it('reads its PaymentIntent with the publishable key and the client secret, and reaches nothing else with them', async () => {
    const { booked, key, read } = await checkout(12);
    const { paymentIntentId } = booked.checkout;
    const seen = await read();
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({ id: paymentIntentId, status: 'requires_payment_method' });
    const forged = await stripeJs(
      `/v1/payment_intents/${paymentIntentId}`,
      { key, client_secret: `${paymentIntentId}_secret_forged` },
      'GET',
    );
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect((await stripeJs('/v1/refunds', { key, payment_intent: paymentIntentId })).status).toBeGreaterThanOrEqual(
      400,
    );
  });

  it('a declined card: Stripe answers card_declined, and the booking is released', async () => {
    const { booked, confirm } = await checkout(13);
    const declined = await confirm('pm_card_chargeDeclined');
    expect(declined.status).toBe(402);
    expect(declined.json.error?.code).toBe('card_declined');
    await eventually<BookingView>(cloud, IP, client, `/bookings/${booked.id}`, (a) => a.state === 'cancelled');
  });

  it('3-D Secure: requires_action, the card holder completes the challenge, the booking is confirmed', async () => {
    const { booked, confirm, read } = await checkout(14);
    const challenged = await confirm('pm_card_threeDSecure2Required', { return_url: 'http://localhost:5173/paid' });
    expect(challenged.status).toBe(200);
    expect(challenged.json.status).toBe('requires_action');
    expect(challenged.json.next_action?.type).toBe('redirect_to_url');
    // Not paid until the challenge is passed: still held.
    expect((await eventually<BookingView>(cloud, IP, client, `/bookings/${booked.id}`, () => true)).state).toBe(
      'requested',
    );
    // The card holder completes the challenge on the page Stripe sends them to.
    const challenge = await fetch(challenged.json.next_action!.redirect_to_url!.url, { redirect: 'manual' });
    expect(challenge.status).toBeLessThan(400);
    expect((await read()).json.status).toBe('succeeded');
    const confirmed = await eventually<BookingView>(
      cloud,
      IP,
      client,
      `/bookings/${booked.id}`,
      (a) => a.state === 'confirmed' && a.payment?.status === 'succeeded',
    );
    expect(confirmed.payment?.amountCents).toBe(booked.checkout.amountCents);
  });

  it('a card that pays at once: succeeded, and the booking is confirmed', async () => {
    const { booked, confirm } = await checkout(15);
    const paid = await confirm('pm_card_visa');
    expect(paid.status).toBe(200);
    expect(paid.json.status).toBe('succeeded');
    await eventually<BookingView>(cloud, IP, client, `/bookings/${booked.id}`, (a) => a.state === 'confirmed');
  });
});
