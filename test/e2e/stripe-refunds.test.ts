/**
 * Issue 11: refunds against Stripe's real behaviour, over HTTP against the local cloud and its
 * Stripe emulator, asked through Stripe's own API (the SDK) where a test plays someone else.
 *
 * - Refunds made elsewhere (Stripe's dashboard: `POST /v1/refunds`) are followed from Stripe's
 *   events, and the policy's refund is capped by what remains.
 * - Support's refunds: the same Idempotency-Key with another amount is a 422; two at once whose
 *   sum exceeds the payment give one 200 and one 409 saying what remains.
 * - A booking whose PaymentIntent cannot be created (an unknown connected account) is refused
 *   (409) and does not hold its slot.
 * - Who pays each refund, read from Stripe's balances: the practitioner's connected account
 *   (`GET /v1/balance` with `Stripe-Account`), the platform's application fee refunded, the
 *   transfer reversed.
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callApi } from '../support/api.ts';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import {
  availableEuroCents,
  emulator,
  eventually,
  heldBooking,
  onboardedAgenda,
  stripeSdk,
  until,
} from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address (see the other e2e files for the ones taken).
const IP = '127.0.0.88';
const stripe = stripeSdk(cloud);
const control = emulator(cloud);
const dynamo = localDocumentClient(cloud.urls.dynamodb);

let practitioner: Person;
let client: Person;
let support: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  [practitioner, client, support] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'support'),
  ]);
  agenda = await onboardedAgenda(cloud, IP, practitioner);
}, 90_000);

afterAll(() => dynamo.destroy());

interface Payment {
  amountCents: number;
  refundedCents: number;
  refunds: { refundId: string; amountCents: number; status: string; cause: string }[];
}

const paymentOf = async (id: string, done: (p: Payment) => boolean) =>
  (
    await eventually<{ state: string; payment?: Payment }>(cloud, IP, client, `/bookings/${id}`, (a) =>
      a.payment ? done(a.payment) : false,
    )
  ).payment!;

/** A booking of the online-paid service `days` ahead, paid by the card holder and confirmed. */
async function paidBooking(days: number, on: OpenAgenda = agenda) {
  const booked = await heldBooking(cloud, IP, client, on, days);
  await control.pay(booked.checkout.paymentIntentId);
  await eventually<{ state: string }>(cloud, IP, client, `/bookings/${booked.id}`, (a) => a.state === 'confirmed');
  return { id: booked.id, paymentIntentId: booked.checkout.paymentIntentId };
}

const staffRefund = (appointmentId: string, key: string, amountCents: number, reason = 'goodwill') =>
  callApi(cloud, IP, 'POST', `/staff/bookings/${appointmentId}/refunds`, {
    person: support,
    headers: {
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
    },
    body: JSON.stringify({ amountCents, reason }),
  });

describe('refunds made elsewhere', () => {
  it('a 10 € refund at the dashboard is followed; an in-time cancellation of the 60 € booking then refunds exactly 50 €', async () => {
    const { id, paymentIntentId } = await paidBooking(6);
    // Someone refunds 10 € in Stripe's dashboard: a refund without any key of ours.
    await stripe.refunds.create({ payment_intent: paymentIntentId, amount: 1000 });
    const followed = await paymentOf(id, (p) => p.refundedCents === 1000);
    expect(followed.refunds).toEqual([expect.objectContaining({ amountCents: 1000, cause: 'external' })]);

    expect((await callAs(cloud, IP, client, 'POST', `/bookings/${id}/cancel`)).status).toBe(200);
    const refunded = await paymentOf(id, (p) => p.refundedCents === 6000);
    expect(refunded.refunds.map((r) => [r.cause, r.amountCents, r.status]).sort()).toEqual([
      ['cancellation', 5000, 'succeeded'],
      ['external', 1000, 'succeeded'],
    ]);
    const atStripe = await stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 });
    expect(atStripe.data.reduce((sum, r) => sum + r.amount, 0)).toBe(6000);
  }, 90_000);
});

describe('support refunds under concurrency', () => {
  it('the same Idempotency-Key with another amount: 422 naming the conflict, nothing more refunded', async () => {
    const { id, paymentIntentId } = await paidBooking(7);
    const key = `desk-${randomUUID()}`;
    expect((await staffRefund(id, key, 1000)).status).toBe(200);
    const conflict = await staffRefund(id, key, 2000);
    expect(conflict.status).toBe(422);
    expect(conflict.body).toContain('Idempotency-Key');
    expect(conflict.body).toContain('10.00 €');
    const atStripe = await stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 });
    expect(atStripe.data.map((r) => r.amount)).toEqual([1000]);
  }, 90_000);

  it('two refunds at once whose sum exceeds the payment: one 200, one 409 saying what remains, never a 500', async () => {
    const { id, paymentIntentId } = await paidBooking(8);
    const replies = await Promise.all([
      staffRefund(id, `desk-${randomUUID()}`, 4000),
      staffRefund(id, `desk-${randomUUID()}`, 4000),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(replies.find((r) => r.status === 409)?.body).toContain('20.00 €');
    const atStripe = await stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 });
    expect(atStripe.data.reduce((sum, r) => sum + r.amount, 0)).toBe(4000);
  }, 90_000);
});

describe('a booking whose payment cannot start', () => {
  it('an unknown connected account: 409, nothing held, the slot still free', async () => {
    const other = await signedInPerson(cloud, 'practitioner');
    const otherAgenda = await onboardedAgenda(cloud, IP, other);
    // The account the platform knows for them is gone at Stripe (closed, or a wrong id kept).
    await dynamo.send(
      new UpdateCommand({
        TableName: tableNamesFrom(cloud.env).bookings,
        Key: { pk: `PAYEE#${other.accountId}`, sk: 'PAYEE' },
        UpdateExpression: 'SET accountId = :gone',
        ExpressionAttributeValues: { ':gone': 'acct_doesnotexist0000' },
      }),
    );
    const day = parisDate(5);
    const slot = (await freeSlots(cloud, IP, otherAgenda, day, day))[0]!;
    const refused = await book(cloud, IP, client, otherAgenda, slot.start);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('online payments');
    expect((await freeSlots(cloud, IP, otherAgenda, day, day)).map((s) => s.start)).toContain(slot.start);
  }, 90_000);
});

// ─── who pays ─────────────────────────────────────────────────────────────────────────────────

/** The money of one payment at Stripe: the practitioner's transfer reversed, the platform's fee refunded. */
async function moneyOf(paymentIntentId: string) {
  const pi = await stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] });
  const charge = pi.latest_charge as Stripe.Charge;
  const transfer = await stripe.transfers.retrieve(String(charge.transfer));
  const fee = await stripe.applicationFees.retrieve(String(charge.application_fee));
  return {
    refundedToClient: charge.amount_refunded,
    reversedFromPractitioner: transfer.amount_reversed,
    feeCollected: fee.amount,
    feeRefunded: fee.amount_refunded,
  };
}

describe('who pays each refund (ADR 0011), read from Stripe’s balances', () => {
  let payer: Person;
  let payerAgenda: OpenAgenda;
  let account: string;

  beforeAll(async () => {
    payer = await signedInPerson(cloud, 'practitioner');
    await onboardedAgenda(cloud, IP, payer);
    // Free cancellation until 3 days before: a booking 2 days ahead is cancelled late.
    payerAgenda = await openAgenda(cloud, IP, payer, {
      payment: { mode: 'full' },
      cancellationPolicy: { freeUntilHoursBefore: 72, lateCancellationFeePercent: 50 },
    });
    const status = await callAs(cloud, IP, payer, 'GET', '/practitioners/me/payouts');
    account = (JSON.parse(status.body) as { accountId: string }).accountId;
  }, 90_000);

  /** Pays a booking, runs `refundIt`, and answers how the practitioner's balance and the fee moved. */
  async function afterRefund(days: number, refundIt: (id: string) => Promise<void>, refundedCents: number) {
    const before = await availableEuroCents(stripe, account);
    const { id, paymentIntentId } = await paidBooking(days, payerAgenda);
    expect(await availableEuroCents(stripe, account)).toBe(before + 5400); // 6000 − the platform's 600
    await refundIt(id);
    await paymentOf(id, (p) => p.refundedCents === refundedCents);
    const money = await moneyOf(paymentIntentId);
    const practitionerKeeps = (await availableEuroCents(stripe, account)) - before;
    // The platform keeps what the client did not get back and the practitioner does not keep.
    return { ...money, practitionerKeeps, platformKeeps: 6000 - money.refundedToClient - practitionerKeeps };
  }

  const cancelAs = (person: Person) => async (id: string) => {
    expect((await callAs(cloud, IP, person, 'POST', `/bookings/${id}/cancel`)).status).toBe(200);
  };
  const byStaff = (reason: string) => async (id: string) => {
    expect((await staffRefund(id, `desk-${randomUUID()}`, 1000, reason)).status).toBe(200);
  };

  it('the client cancels in time: the transfer reversed, the fee refunded; no one keeps anything', async () => {
    expect(await afterRefund(9, cancelAs(client), 6000)).toEqual({
      refundedToClient: 6000,
      reversedFromPractitioner: 6000,
      feeCollected: 600,
      feeRefunded: 600,
      practitionerKeeps: 0,
      platformKeeps: 0,
    });
  }, 90_000);

  it('the client cancels late: the practitioner keeps the late fee less the platform’s 10 % of it', async () => {
    expect(await afterRefund(2, cancelAs(client), 3000)).toEqual({
      refundedToClient: 3000,
      reversedFromPractitioner: 3000,
      feeCollected: 600,
      feeRefunded: 300,
      practitionerKeeps: 2700,
      platformKeeps: 300,
    });
  }, 90_000);

  it('the practitioner cancels: everything back, from the practitioner and the platform’s fee', async () => {
    expect(await afterRefund(10, cancelAs(payer), 6000)).toEqual({
      refundedToClient: 6000,
      reversedFromPractitioner: 6000,
      feeCollected: 600,
      feeRefunded: 600,
      practitionerKeeps: 0,
      platformKeeps: 0,
    });
  }, 90_000);

  it('the platform cancels (the client deleted their account): everything back, from the practitioner and the platform’s fee', async () => {
    const leaving = await signedInPerson(cloud, 'client');
    const before = await availableEuroCents(stripe, account);
    const booked = await heldBooking(cloud, IP, leaving, payerAgenda, 13);
    await control.pay(booked.checkout.paymentIntentId);
    await eventually<{ state: string }>(cloud, IP, leaving, `/bookings/${booked.id}`, (a) => a.state === 'confirmed');
    expect((await callAs(cloud, IP, leaving, 'DELETE', '/me')).status).toBe(202);
    // The account is gone for its owner: the refund is read at Stripe.
    const money = await until('the platform’s refund', async () => {
      const now = await moneyOf(booked.checkout.paymentIntentId);
      return now.refundedToClient === 6000 && now.feeRefunded === 600 ? now : undefined;
    });
    const practitionerKeeps = (await availableEuroCents(stripe, account)) - before;
    expect({ ...money, practitionerKeeps, platformKeeps: 6000 - money.refundedToClient - practitionerKeeps }).toEqual({
      refundedToClient: 6000,
      reversedFromPractitioner: 6000,
      feeCollected: 600,
      feeRefunded: 600,
      practitionerKeeps: 0,
      platformKeeps: 0,
    });
  }, 90_000);

  it('support, goodwill: the platform pays it all, the practitioner keeps their share', async () => {
    expect(await afterRefund(11, byStaff('goodwill'), 1000)).toEqual({
      refundedToClient: 1000,
      reversedFromPractitioner: 0,
      feeCollected: 600,
      feeRefunded: 0,
      practitionerKeeps: 5400,
      platformKeeps: -400,
    });
  }, 90_000);

  it('support, a service issue: the practitioner gives back their part, the platform its fee on it', async () => {
    expect(await afterRefund(12, byStaff('service-issue'), 1000)).toEqual({
      refundedToClient: 1000,
      reversedFromPractitioner: 1000,
      feeCollected: 600,
      feeRefunded: 100,
      practitionerKeeps: 4500,
      platformKeeps: 500,
    });
  }, 90_000);
});
