/**
 * The Stripe webhook (POST /webhooks/stripe) over HTTP against the local cloud and its Stripe
 * emulator (issue 6): what Stripe may do to an endpoint, and what an attacker may try.
 *
 * - Duplicates: one event delivered 10 times (the emulator's `deliver` control) has one effect:
 *   one receipt, one processing, the booking confirmed once, one confirmation per party.
 * - Reordering: `payment_intent.succeeded` delivered before `payment_intent.created` (webhooks
 *   held with `pause`, released with `resume(order)`) settles to the right state, once.
 * - Forgery: a tampered body, a wrong secret, a stale timestamp, no signature: 400, nothing
 *   stored, nothing published. A valid event signed by the test the same way is accepted, which
 *   shows both that the signing is Stripe's and that an accepted event does show where we look.
 *
 * How "published" is observed: every StripeEventReceived is handled by processStripeEvent, which
 * logs one line per event with its `stripeEventId` (the local cloud's log, `cloud.logFile`).
 * Absence is checked after a drain marker: a valid event sent after the ones under test, whose
 * processing line shows the pipeline has run past them (see `drain`).
 */
import { readFileSync } from 'node:fs';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRET } from '#local/cloud.ts';
import type { OpenAgenda } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import {
  type BookingView,
  drain as drainPayments,
  emulator,
  eventually,
  freshEventId,
  heldBooking,
  onboardedAgenda,
  paidBookingSettlements,
  paymentIntentEventBody,
  postWebhook,
  processingsOf,
  receiptOf,
  stripeSignature,
  until,
} from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address (.95 and .96 are taken by booking-notifications and practitioner-controller).
const IP = '127.0.0.97';
const stripe = emulator(cloud);
const dynamo = localDocumentClient(cloud.urls.dynamodb);
const bookingsTable = tableNamesFrom(cloud.env).bookings;

let practitioner: Person;
let client: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
  agenda = await onboardedAgenda(cloud, IP, practitioner);
}, 90_000);

afterAll(() => dynamo.destroy());

const booking = (id: string) => eventually<BookingView>(cloud, IP, client, `/bookings/${id}`, () => true);

const drain = () => drainPayments(cloud, IP, LOCAL_WEBHOOK_SECRET);

/** The confirmation mails of one appointment: the client's and the practitioner's. */
async function confirmations(appointmentId: string) {
  const about = (await mails(cloud.urls.mailStore)).filter((m) => (m.body.text ?? '').includes(appointmentId));
  return {
    client: about.filter((m) => m.destination.to.includes(client.email) && /^Rendez-vous confirmé/.test(m.subject)),
    practitioner: about.filter(
      (m) => m.destination.to.includes(practitioner.email) && /^Nouveau rendez-vous/.test(m.subject),
    ),
  };
}

const bothConfirmed = (appointmentId: string) =>
  until(
    'both confirmation mails',
    async () => {
      const found = await confirmations(appointmentId);
      return found.client.length > 0 && found.practitioner.length > 0 ? found : undefined;
    },
    40_000,
  );

/** Every receipt item of one event id (its partition in the bookings table). */
async function receiptItems(eventId: string) {
  const { Items = [] } = await dynamo.send(
    new QueryCommand({
      TableName: bookingsTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `STRIPE_EVENT#${eventId}` },
      ConsistentRead: true,
    }),
  );
  return Items;
}

describe('duplicated deliveries', () => {
  it('the same payment_intent.succeeded delivered 10 times: one receipt, one processing, confirmed once, one mail per party', async () => {
    const booked = await heldBooking(cloud, IP, client, agenda, 3);
    const pi = booked.checkout.paymentIntentId;
    // The booking's own event first, so that nothing but the payment's event moves the booking.
    const created = await stripe.eventAbout('payment_intent.created', pi);
    await until('payment_intent.created to be processed', () => processingsOf(cloud, created.id)[0]);
    const before = await booking(booked.id);
    expect(before).toMatchObject({ state: 'requested', version: booked.version, payment: { status: 'pending' } });

    await stripe.pay(pi);
    const succeeded = await stripe.eventAbout('payment_intent.succeeded', pi);
    // Its first delivery is under way or done: 9 more copies, same id and body, re-signed at sending.
    await stripe.redeliver(succeeded.id, 9);
    const attempts = await until('the 10 copies of the event to be accepted', async () => {
      const all = (await stripe.deliveries()).filter((d) => d.eventId === succeeded.id);
      if (all.some((d) => d.gaveUp)) throw new Error(`a copy was given up: ${JSON.stringify(all)}`);
      return all.filter((d) => d.ok).length >= 10 ? all : undefined;
    });
    // Every copy acknowledged (a duplicate is a 200, not a refusal Stripe would retry); an attempt
    // may only have failed by timing out on a loaded machine, and then its retry was accepted.
    expect(attempts.filter((d) => d.ok)).toHaveLength(10);
    expect(attempts.filter((d) => !d.ok).map((d) => d.status)).toEqual(attempts.filter((d) => !d.ok).map(() => null));

    const confirmed = await eventually<BookingView>(
      cloud,
      IP,
      client,
      `/bookings/${booked.id}`,
      (a) => a.state === 'confirmed' && a.payment?.status === 'succeeded',
    );
    await bothConfirmed(booked.id);
    await drain();

    // One receipt: the event id, its type and its object, handed over once.
    const receipts = await receiptItems(succeeded.id);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({
      eventId: succeeded.id,
      type: 'payment_intent.succeeded',
      objectId: pi,
      published: true,
    });
    // One processing of the event, so one PaymentSucceeded from it.
    expect(processingsOf(cloud, succeeded.id).map((r) => r.outcome)).toEqual(['succeeded']);
    // Confirmed once: one confirming settlement, the version moved once.
    expect(paidBookingSettlements(cloud, booked.id).filter((r) => r.outcome === 'confirmed')).toHaveLength(1);
    expect(confirmed.version).toBe(before.version + 1);
    expect((await booking(booked.id)).version).toBe(before.version + 1);
    // One confirmation per party.
    const mailed = await confirmations(booked.id);
    expect(mailed.client).toHaveLength(1);
    expect(mailed.practitioner).toHaveLength(1);
  }, 120_000);
});

describe('reordered deliveries', () => {
  it('payment_intent.succeeded delivered before payment_intent.created: confirmed, payment succeeded, once', async () => {
    let resumed = false;
    let booked: Awaited<ReturnType<typeof heldBooking>>;
    let created: Awaited<ReturnType<typeof stripe.eventAbout>>;
    let succeeded: Awaited<ReturnType<typeof stripe.eventAbout>>;
    // Every webhook is held (the emulator's, for every test: released in `finally` whatever happens).
    await stripe.pause();
    try {
      booked = await heldBooking(cloud, IP, client, agenda, 4);
      await stripe.pay(booked.checkout.paymentIntentId);
      created = await stripe.eventAbout('payment_intent.created', booked.checkout.paymentIntentId);
      succeeded = await stripe.eventAbout('payment_intent.succeeded', booked.checkout.paymentIntentId);
      expect(await stripe.pending()).toEqual(expect.arrayContaining([created.id, succeeded.id]));
      expect(created.created).toBeLessThanOrEqual(succeeded.created);
      // The success first, then the creation it comes after.
      await stripe.resume([succeeded.id, created.id]);
      resumed = true;
    } finally {
      if (!resumed) await stripe.resume();
    }

    const firstOk = await until('both events to be accepted', async () => {
      const ok = (await stripe.deliveries()).filter((d) => d.ok);
      const s = ok.find((d) => d.eventId === succeeded.id);
      const c = ok.find((d) => d.eventId === created.id);
      return s && c ? { succeeded: s, created: c } : undefined;
    });
    expect(Date.parse(firstOk.succeeded.at)).toBeLessThanOrEqual(Date.parse(firstOk.created.at));
    const [succeededReceipt, createdReceipt] = [
      await receiptOf(cloud, succeeded.id),
      await receiptOf(cloud, created.id),
    ];
    expect(succeededReceipt?.receivedAt).toEqual(expect.any(String));
    expect(createdReceipt?.receivedAt).toEqual(expect.any(String));
    expect(String(succeededReceipt!.receivedAt) <= String(createdReceipt!.receivedAt)).toBe(true);

    const confirmed = await eventually<BookingView>(
      cloud,
      IP,
      client,
      `/bookings/${booked.id}`,
      (a) => a.state === 'confirmed' && a.payment?.status === 'succeeded',
    );
    expect(confirmed.payment).toMatchObject({ amountCents: booked.checkout.amountCents, refundedCents: 0 });
    await bothConfirmed(booked.id);
    await until('payment_intent.created to be processed', () => processingsOf(cloud, created.id)[0]);
    await drain();

    // Each event processed once; the late creation event settles from the object as it is now
    // (succeeded), not as the event says: it can only repeat the success, never undo it.
    expect(processingsOf(cloud, succeeded.id).map((r) => r.outcome)).toEqual(['succeeded']);
    expect(processingsOf(cloud, created.id).map((r) => r.outcome)).toEqual(['succeeded']);
    const settled = paidBookingSettlements(cloud, booked.id).map((r) => r.outcome);
    expect(settled.filter((o) => o === 'confirmed')).toHaveLength(1);
    expect(settled.every((o) => o === 'confirmed' || o === 'already-settled')).toBe(true);
    // One effect: the version moved once, one confirmation per party.
    expect(confirmed.version).toBe(booked.version + 1);
    const final = await booking(booked.id);
    expect(final).toMatchObject({ state: 'confirmed', version: booked.version + 1, payment: { status: 'succeeded' } });
    const mailed = await confirmations(booked.id);
    expect(mailed.client).toHaveLength(1);
    expect(mailed.practitioner).toHaveLength(1);
  }, 120_000);
});

describe('forged or stale webhooks', () => {
  /** The items of every table of the local cloud that mention any of `needles`, by table and key. */
  async function itemsAbout(needles: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const table of Object.values(tableNamesFrom(cloud.env))) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }));
        for (const item of page.Items ?? []) {
          const json = JSON.stringify(item);
          if (needles.some((n) => json.includes(n))) found.set(`${table} ${item.pk}|${item.sk}`, json);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    return found;
  }

  it('a tampered body, a wrong secret, a stale timestamp, no signature: 400, nothing stored, nothing published', async () => {
    const booked = await heldBooking(cloud, IP, client, agenda, 5);
    const pi = booked.checkout.paymentIntentId;
    const created = await stripe.eventAbout('payment_intent.created', pi);
    await until('payment_intent.created to be processed', () => processingsOf(cloud, created.id)[0]);
    // A forged "the payment succeeded" for this unpaid booking: what an attacker would send.
    const claim = { id: pi, status: 'succeeded', amount: booked.checkout.amountCents, appointmentId: booked.id };
    const ids = {
      tampered: freshEventId('tampered'),
      wrongSecret: freshEventId('wrongsecret'),
      stale: freshEventId('stale'),
      unsigned: freshEventId('unsigned'),
    };
    const control = freshEventId('control');
    const forgedIds = Object.values(ids);
    const before = await itemsAbout([booked.id, pi, ...forgedIds, control]);
    const now = Math.floor(Date.now() / 1000);

    // Signed as Stripe signs, then changed: Stripe's body said the payment still needs a card.
    const signedBody = paymentIntentEventBody(ids.tampered, 'payment_intent.succeeded', {
      ...claim,
      status: 'requires_payment_method',
    });
    const tamperedBody = signedBody.replace('"status": "requires_payment_method"', '"status": "succeeded"');
    expect(tamperedBody).not.toBe(signedBody);
    const wrongSecretBody = paymentIntentEventBody(ids.wrongSecret, 'payment_intent.succeeded', claim);
    const staleBody = paymentIntentEventBody(ids.stale, 'payment_intent.succeeded', claim);
    const unsignedBody = paymentIntentEventBody(ids.unsigned, 'payment_intent.succeeded', claim);
    const attempts = {
      tampered: await postWebhook(cloud, IP, tamperedBody, stripeSignature(signedBody, LOCAL_WEBHOOK_SECRET, now)),
      wrongSecret: await postWebhook(
        cloud,
        IP,
        wrongSecretBody,
        stripeSignature(wrongSecretBody, 'whsec_not_this_endpoint', now),
      ),
      // Rightly signed, 10 minutes ago: beyond the 300 s tolerance.
      stale: await postWebhook(cloud, IP, staleBody, stripeSignature(staleBody, LOCAL_WEBHOOK_SECRET, now - 600)),
      unsigned: await postWebhook(cloud, IP, unsignedBody, undefined),
    };
    expect(Object.fromEntries(Object.entries(attempts).map(([name, reply]) => [name, reply.status]))).toEqual({
      tampered: 400,
      wrongSecret: 400,
      stale: 400,
      unsigned: 400,
    });
    for (const [name, reply] of Object.entries(attempts)) {
      expect(reply.headers['content-type'], name).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(reply.body), name).toMatchObject({ status: 400, title: 'Invalid signature' });
    }

    // The control: the same kind of event, signed the same way with the endpoint's secret, now.
    // Accepted, it is received once and processed: the signing above is Stripe's, and an event
    // that gets through does show in the receipts and the processing lines looked at below.
    const controlBody = paymentIntentEventBody(control, 'payment_intent.succeeded', claim);
    const accepted = await postWebhook(cloud, IP, controlBody, stripeSignature(controlBody, LOCAL_WEBHOOK_SECRET));
    expect(accepted.status, accepted.body).toBe(200);
    expect(JSON.parse(accepted.body)).toEqual({ received: true, duplicate: false });
    // Re-read from Stripe, the payment is not paid: the claim in the body changes nothing.
    const [processed] = await until('the control event to be processed', () => {
      const lines = processingsOf(cloud, control);
      return lines.length > 0 ? lines : undefined;
    });
    expect(processed).toMatchObject({ type: 'payment_intent.succeeded', outcome: 'in-progress' });
    expect(await receiptOf(cloud, control)).toMatchObject({ eventId: control, objectId: pi, published: true });

    // Nothing stored: no receipt, and no item of any table (the bookings table first) about this
    // booking, its payment or these events is new or changed, but the control's receipt.
    for (const id of forgedIds) expect(await receiptOf(cloud, id), id).toBeUndefined();
    const after = await itemsAbout([booked.id, pi, ...forgedIds, control]);
    const changed = [...after].filter(([key, json]) => before.get(key) !== json).map(([key]) => key);
    expect(changed).toEqual([`${bookingsTable} STRIPE_EVENT#${control}|RECEIPT`]);
    expect([...before.keys()].filter((key) => !after.has(key))).toEqual([]);
    // Nothing published: no processing (nor any other line) names a forged event.
    const log = readFileSync(cloud.logFile, 'utf8');
    for (const id of forgedIds) expect(log.includes(id), `${id} in the log`).toBe(false);
    expect(log).toContain(control);
    // And the booking still waits for its payment.
    expect(await booking(booked.id)).toMatchObject({
      state: 'requested',
      version: booked.version,
      payment: { status: 'pending' },
    });
  }, 120_000);
});
