/**
 * The local Stripe emulator, driven by the real stripe SDK over HTTP, with webhooks received by
 * a real HTTP endpoint and verified by the SDK's own `constructEvent`. Every port is ephemeral.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForm } from '#local/stripe/form.ts';
import { type StripeEmulator, startStripeEmulator } from '#local/stripe/server.ts';

const SECRET = 'whsec_local_test_secret';

interface Received {
  readonly body: string;
  readonly signature: string;
}

/** A webhook endpoint that records raw bodies and answers the statuses it is told to (200 otherwise). */
async function startReceiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers['stripe-signature']),
      });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    /** The events received, parsed without verification (verification has its own test). */
    events: () => received.map((r) => JSON.parse(r.body) as Stripe.Event),
    answerNext: (...statuses: number[]) => answers.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const stripeFor = (emulator: StripeEmulator) =>
  new Stripe('sk_test_local', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });

/** Stripe's published example objects (test/fixtures/stripe/README.md says where from). */
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/stripe/fixtures3.json', import.meta.url), 'utf8')) as {
  resources: Record<string, Record<string, unknown>>;
};

/**
 * Fields that stripe 23 (API 2026-10-28) declares required and that the older published fixture
 * predates; the emulator must send them for its objects to satisfy the SDK's types.
 */
const NEWER_THAN_FIXTURE: Record<string, readonly string[]> = {
  payment_intent: ['allowed_payment_method_types', 'payment_record'],
  dispute: ['intended_submission_method'],
};

function expectFixtureShape(object: object, fixture: string): void {
  const expected = [...Object.keys(fixtures.resources[fixture] ?? {}), ...(NEWER_THAN_FIXTURE[fixture] ?? [])].sort();
  expect(expected.length).toBeGreaterThan(3);
  expect(Object.keys(object).sort(), fixture).toEqual(expected);
}

describe('Stripe form encoding', () => {
  it('decodes bracket notation into nested hashes and lists, and keeps __proto__ a plain name', () => {
    const form = decodeForm(
      'amount=6000&metadata[bookingId]=b1&transfer_data[destination]=acct_1&expand[]=a&expand[]=b&types[0]=x&a[__proto__][polluted]=1',
    );
    expect(JSON.parse(JSON.stringify(form))).toEqual({
      amount: '6000',
      metadata: { bookingId: 'b1' },
      transfer_data: { destination: 'acct_1' },
      expand: ['a', 'b'],
      types: { 0: 'x' },
      a: { ['__proto__']: { polluted: '1' } },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('local Stripe emulator', () => {
  let emulator: StripeEmulator;
  let receiver: Receiver;
  let stripe: Stripe;

  beforeAll(async () => {
    receiver = await startReceiver();
    emulator = await startStripeEmulator({ port: 0, webhookUrl: receiver.url, webhookSecret: SECRET });
    stripe = stripeFor(emulator);
  });

  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });

  const eventsAbout = async (objectId: string) => {
    await emulator.webhooks.idle();
    return receiver.events().filter((event) => (event.data.object as { id?: string }).id === objectId);
  };

  /** A practitioner's express account, onboarded through its account link. */
  async function onboardedAccount(): Promise<Stripe.Account> {
    const account = await stripe.accounts.create({ type: 'express', country: 'FR', email: 'pro@example.test' });
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: 'account_onboarding',
      refresh_url: 'http://localhost:5173/onboarding/refresh',
      return_url: 'http://localhost:5173/onboarding/done',
    });
    await fetch(link.url, { redirect: 'manual' });
    return stripe.accounts.retrieve(account.id);
  }

  describe('PaymentIntents and idempotency', () => {
    it('creates one PaymentIntent for two requests with the same key and parameters', async () => {
      const params = { amount: 6000, currency: 'eur', metadata: { bookingId: 'booking-1' } };
      const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'booking-1-payment' });
      const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'booking-1-payment' });

      expect(second.id).toBe(first.id);
      expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(first).toMatchObject({
        object: 'payment_intent',
        status: 'requires_payment_method',
        amount: 6000,
        currency: 'eur',
        livemode: false,
        metadata: { bookingId: 'booking-1' },
        automatic_payment_methods: { enabled: true },
        latest_charge: null,
      });
      expect(first.id).toMatch(/^pi_\w{24}$/);
      expect(first.client_secret).toMatch(new RegExp(`^${first.id}_secret_`));
      expect(first.created).toBeCloseTo(Date.now() / 1000, -1);
      expect(emulator.events('payment_intent.created').filter((e) => e.data.object.id === first.id)).toHaveLength(1);
    });

    it('refuses the same key with different parameters with an idempotency_error', async () => {
      await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' }, { idempotencyKey: 'booking-2-payment' });
      const reused = stripe.paymentIntents.create(
        { amount: 7000, currency: 'eur' },
        { idempotencyKey: 'booking-2-payment' },
      );

      await expect(reused).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      await expect(reused).rejects.toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    });

    it('answers Stripe parameter errors, which an idempotent retry may correct', async () => {
      const missing = stripe.paymentIntents.create({ amount: 6000 } as Stripe.PaymentIntentCreateParams, {
        idempotencyKey: 'booking-3-payment',
      });
      await expect(missing).rejects.toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'currency' });
      const corrected = await stripe.paymentIntents.create(
        { amount: 6000, currency: 'eur' },
        { idempotencyKey: 'booking-3-payment' },
      );
      expect(corrected.status).toBe('requires_payment_method');

      await expect(stripe.paymentIntents.create({ amount: 10, currency: 'eur' })).rejects.toMatchObject({
        code: 'amount_too_small',
      });
      await expect(
        stripe.paymentIntents.create({
          amount: 6000,
          currency: 'eur',
          colour: 'blue',
        } as Stripe.PaymentIntentCreateParams),
      ).rejects.toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    });

    it('answers 404 resource_missing for unknown ids, surfaced as StripeInvalidRequestError', async () => {
      const unknown = stripe.paymentIntents.retrieve('pi_doesnotexist');
      await expect(unknown).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      await expect(unknown).rejects.toMatchObject({
        statusCode: 404,
        code: 'resource_missing',
        message: "No such payment_intent: 'pi_doesnotexist'",
      });
      await expect(stripe.refunds.retrieve('re_doesnotexist')).rejects.toMatchObject({
        statusCode: 404,
        code: 'resource_missing',
      });
      await expect(stripe.events.retrieve('evt_doesnotexist')).rejects.toMatchObject({
        statusCode: 404,
        code: 'resource_missing',
      });
      // An unknown id given as a parameter is a 400 naming the parameter.
      await expect(stripe.refunds.create({ payment_intent: 'pi_doesnotexist' })).rejects.toMatchObject({
        statusCode: 400,
        code: 'resource_missing',
        param: 'payment_intent',
      });
    });

    it('lists events by type, newest first, page by page', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      emulator.succeedPaymentIntent(pi.id);
      const firstPage = await stripe.events.list({ type: 'payment_intent.*', limit: 1 });
      expect(firstPage.data.map((e) => [e.type, (e.data.object as Stripe.PaymentIntent).id])).toEqual([
        ['payment_intent.succeeded', pi.id],
      ]);
      expect(firstPage.has_more).toBe(true);
      const next = await stripe.events.list({
        type: 'payment_intent.*',
        limit: 1,
        starting_after: firstPage.data[0]!.id,
      });
      expect(next.data.map((e) => e.type)).toEqual(['payment_intent.created']);
    });

    it('refuses requests without a test-mode secret key', async () => {
      const anonymous = await fetch(`${emulator.url}/v1/payment_intents/pi_x`);
      expect(anonymous.status).toBe(401);
      const live = await fetch(`${emulator.url}/v1/payment_intents/pi_x`, {
        headers: { Authorization: 'Bearer sk_live_x' },
      });
      expect(live.status).toBe(401);
      expect(((await live.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    });
  });

  describe('paying, failing, canceling', () => {
    it("succeeds on the card holder's behalf and delivers a signed payment_intent.succeeded", async () => {
      const pi = await stripe.paymentIntents.create({
        amount: 6000,
        currency: 'eur',
        metadata: { bookingId: 'booking-4' },
      });
      emulator.succeedPaymentIntent(pi.id);
      await emulator.webhooks.idle();

      const delivery = receiver.received.find(
        (r) => r.body.includes('"payment_intent.succeeded"') && r.body.includes(pi.id),
      );
      expect(delivery?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const event = stripe.webhooks.constructEvent(delivery!.body, delivery!.signature, SECRET);
      expect(event.type).toBe('payment_intent.succeeded');
      const paid = event.data.object as Stripe.PaymentIntent;
      expect(paid).toMatchObject({
        id: pi.id,
        status: 'succeeded',
        amount_received: 6000,
        metadata: { bookingId: 'booking-4' },
      });
      expect(paid.latest_charge).toMatch(/^ch_/);
      expect(paid.payment_method).toMatch(/^pm_/);
      expect(event.request).toEqual({ id: null, idempotency_key: null });

      const fetched = await stripe.events.retrieve(event.id);
      expect(fetched.data.object).toEqual(event.data.object);
      expect(fetched.pending_webhooks).toBe(0);
      const types = (await eventsAbout(pi.id)).map((e) => e.type);
      expect(types).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
      expect(emulator.events('charge.succeeded').some((e) => e.data.object.payment_intent === pi.id)).toBe(true);
    });

    it('rejects a tampered body and a wrong secret', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      await emulator.webhooks.idle();
      const delivery = receiver.received.find((r) => r.body.includes(pi.id))!;
      const tampered = delivery.body.replace('"amount": 6000', '"amount": 1');
      expect(tampered).not.toBe(delivery.body);

      expect(() => stripe.webhooks.constructEvent(tampered, delivery.signature, SECRET)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
      expect(() => stripe.webhooks.constructEvent(delivery.body, delivery.signature, 'whsec_wrong')).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
    });

    it('declines through the HTTP control surface with last_payment_error and payment_intent.payment_failed', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      const answer = await fetch(`${emulator.url}/_emulator/payment_intents/${pi.id}/fail`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'decline_code=insufficient_funds',
      });
      expect(answer.status).toBe(200);

      const failed = await stripe.paymentIntents.retrieve(pi.id);
      expect(failed.status).toBe('requires_payment_method');
      expect(failed.last_payment_error).toMatchObject({
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
      });
      expect((await eventsAbout(pi.id)).map((e) => e.type)).toContain('payment_intent.payment_failed');

      // The card holder tries again with another card.
      expect(emulator.succeedPaymentIntent(pi.id, { paymentMethod: 'pm_card_mastercard' }).status).toBe('succeeded');
    });

    it('answers 402 card_error to a server-side confirmation with a declining test card', async () => {
      const confirm = stripe.paymentIntents.create({
        amount: 6000,
        currency: 'eur',
        payment_method: 'pm_card_chargeDeclinedExpiredCard',
        confirm: true,
      });
      await expect(confirm).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
      await expect(confirm).rejects.toMatchObject({ statusCode: 402, code: 'expired_card' });
    });

    it('cancels before payment, emits payment_intent.canceled, and refuses to cancel a paid intent', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
      expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer' });
      expect((await eventsAbout(pi.id)).map((e) => e.type)).toContain('payment_intent.canceled');

      const paid = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      emulator.succeedPaymentIntent(paid.id);
      await expect(stripe.paymentIntents.cancel(paid.id)).rejects.toMatchObject({
        code: 'payment_intent_unexpected_state',
      });
    });

    it('authorises, then captures a manual-capture intent', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur', capture_method: 'manual' });
      expect(emulator.succeedPaymentIntent(pi.id)).toMatchObject({
        status: 'requires_capture',
        amount_capturable: 6000,
      });
      const captured = await stripe.paymentIntents.capture(pi.id, { expand: ['latest_charge'] });
      expect(captured.status).toBe('succeeded');
      expect(captured.latest_charge).toMatchObject({ object: 'charge', captured: true, amount_captured: 6000 });
    });
  });

  describe('refunds', () => {
    it('refunds partially, then the rest, and refuses to refund more', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      emulator.succeedPaymentIntent(pi.id);

      const partial = await stripe.refunds.create({
        payment_intent: pi.id,
        amount: 2500,
        reason: 'requested_by_customer',
        metadata: { bookingId: 'b5' },
      });
      expect(partial).toMatchObject({
        object: 'refund',
        status: 'succeeded',
        amount: 2500,
        payment_intent: pi.id,
        metadata: { bookingId: 'b5' },
      });
      expect(partial.id).toMatch(/^re_/);
      await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 4000 })).rejects.toMatchObject({
        statusCode: 400,
        type: 'StripeInvalidRequestError',
        code: 'amount_too_large',
        param: 'amount',
      });

      const rest = await stripe.refunds.create({ payment_intent: pi.id });
      expect(rest.amount).toBe(3500);
      expect(await stripe.refunds.retrieve(rest.id)).toMatchObject({ id: rest.id, amount: 3500 });
      await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 1 })).rejects.toMatchObject({
        code: 'charge_already_refunded',
      });

      await emulator.webhooks.idle();
      const refundedCharges = receiver
        .events()
        .filter(
          (e): e is Stripe.ChargeRefundedEvent =>
            e.type === 'charge.refunded' && e.data.object.payment_intent === pi.id,
        )
        .map((e) => e.data);
      expect(refundedCharges.map((data) => [data.object.amount_refunded, data.object.refunded])).toEqual([
        [2500, false],
        [6000, true],
      ]);
      expect(refundedCharges[0]?.previous_attributes).toMatchObject({ amount_refunded: 0 });
      expect((await eventsAbout(partial.id)).map((e) => e.type)).toEqual(['refund.created']);
    });

    it('emits refund.updated and refund.failed when the issuer cannot credit the card', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      emulator.succeedPaymentIntent(pi.id);
      const refund = await stripe.refunds.create({ payment_intent: pi.id });
      emulator.failRefund(refund.id);
      expect((await eventsAbout(refund.id)).map((e) => e.type)).toEqual([
        'refund.created',
        'refund.updated',
        'refund.failed',
        'charge.refund.updated',
      ]);
      expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({
        status: 'failed',
        failure_reason: 'expired_or_canceled_card',
      });
    });
  });

  describe('Connect onboarding and destination charges', () => {
    it('flips charges_enabled once the account link is visited, and sends account.updated', async () => {
      const account = await stripe.accounts.create({ type: 'express', country: 'FR' });
      expect(account).toMatchObject({
        object: 'account',
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        country: 'FR',
      });
      expect(account.id).toMatch(/^acct_/);

      const link = await stripe.accountLinks.create({
        account: account.id,
        type: 'account_onboarding',
        refresh_url: 'http://localhost:5173/refresh',
        return_url: 'http://localhost:5173/done',
      });
      expect(link.url.startsWith(emulator.url)).toBe(true);
      const visit = await fetch(link.url, { redirect: 'manual' });
      expect(visit.status).toBe(302);
      expect(visit.headers.get('location')).toBe('http://localhost:5173/done');

      expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        capabilities: { card_payments: 'active', transfers: 'active' },
      });
      const [updated] = await eventsAbout(account.id);
      expect(updated).toMatchObject({
        type: 'account.updated',
        account: account.id,
        data: { previous_attributes: { charges_enabled: false } },
      });

      const again = await fetch(link.url, { redirect: 'manual' });
      expect(again.headers.get('location')).toBe('http://localhost:5173/refresh');
    });

    it('takes a destination charge with an application fee only to an onboarded account', async () => {
      const pending = await stripe.accounts.create({ type: 'express', country: 'FR' });
      const tooEarly = stripe.paymentIntents.create({
        amount: 6000,
        currency: 'eur',
        application_fee_amount: 900,
        transfer_data: { destination: pending.id },
      });
      await expect(tooEarly).rejects.toMatchObject({
        code: 'insufficient_capabilities_for_transfer',
        param: 'transfer_data[destination]',
      });

      const practitioner = await onboardedAccount();
      const pi = await stripe.paymentIntents.create({
        amount: 6000,
        currency: 'eur',
        application_fee_amount: 900,
        transfer_data: { destination: practitioner.id },
        automatic_payment_methods: { enabled: true },
      });
      emulator.succeedPaymentIntent(pi.id);
      const charge = await stripe.charges.retrieve(String((await stripe.paymentIntents.retrieve(pi.id)).latest_charge));
      expect(charge).toMatchObject({ application_fee_amount: 900, transfer_data: { destination: practitioner.id } });
      expect(charge.application_fee).toMatch(/^fee_/);
    });
  });

  describe('webhook delivery for consumers', () => {
    it('keeps the event id across duplicate deliveries', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      emulator.succeedPaymentIntent(pi.id);
      const [succeeded] = emulator.events('payment_intent.succeeded').filter((e) => e.data.object.id === pi.id);
      emulator.webhooks.redeliver(succeeded!.id, 2);
      await emulator.webhooks.idle();

      const copies = receiver.received.filter((r) => r.body.includes(succeeded!.id));
      expect(copies).toHaveLength(3);
      for (const copy of copies)
        expect(stripe.webhooks.constructEvent(copy.body, copy.signature, SECRET).id).toBe(succeeded!.id);
    });

    it('delivers held events in a chosen order, e.g. the refund before the payment', async () => {
      emulator.webhooks.pause();
      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
      emulator.succeedPaymentIntent(pi.id);
      const refund = await stripe.refunds.create({ payment_intent: pi.id });
      const refundCreated = emulator.events('refund.created').find((e) => e.data.object.id === refund.id)!;
      expect(emulator.webhooks.pending()).toContain(refundCreated.id);

      emulator.webhooks.resume([refundCreated.id]);
      await emulator.webhooks.idle();
      const types = receiver
        .events()
        .filter((e) => [pi.id, refund.id].includes((e.data.object as { id: string }).id))
        .map((e) => e.type);
      expect(types).toEqual(['refund.created', 'payment_intent.created', 'payment_intent.succeeded']);
    });

    it('retries with backoff while the endpoint fails, then gives up after the last attempt', async () => {
      const flaky = await startReceiver();
      const local = await startStripeEmulator({
        port: 0,
        webhookUrl: flaky.url,
        webhookSecret: SECRET,
        webhookRetry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 40 },
      });
      try {
        const client = stripeFor(local);
        flaky.answerNext(500, 503);
        const recovered = await client.paymentIntents.create({ amount: 6000, currency: 'eur' });
        await local.webhooks.idle();
        const [event] = local.events('payment_intent.created');
        expect(local.webhooks.deliveries().map((d) => [d.eventId, d.attempt, d.status, d.ok])).toEqual([
          [event!.id, 1, 500, false],
          [event!.id, 2, 503, false],
          [event!.id, 3, 200, true],
        ]);
        expect((await client.events.retrieve(event!.id)).pending_webhooks).toBe(0);
        expect(recovered.id).toBe(event!.data.object.id);

        flaky.answerNext(500, 500, 500);
        await client.paymentIntents.create({ amount: 6000, currency: 'eur' });
        await local.webhooks.idle();
        const lost = local.webhooks.deliveries().slice(3);
        expect(lost.map((d) => [d.attempt, d.ok, d.gaveUp])).toEqual([
          [1, false, false],
          [2, false, false],
          [3, false, true],
        ]);
        expect((await client.events.retrieve(lost[0]!.eventId)).pending_webhooks).toBe(1);
      } finally {
        await local.close();
        await flaky.close();
      }
    });
  });

  describe('clock and duplicate delivery options', () => {
    it('stamps objects with the injected clock, expires account links with it, and can deliver every event twice', async () => {
      const twice = await startReceiver();
      let now = new Date('2031-03-30T08:00:00Z');
      const local = await startStripeEmulator({
        webhookUrl: twice.url,
        webhookSecret: SECRET,
        now: () => now,
        deliveriesPerEvent: 2,
      });
      try {
        const client = stripeFor(local);
        const pi = await client.paymentIntents.create({ amount: 6000, currency: 'eur' });
        expect(pi.created).toBe(Date.parse('2031-03-30T08:00:00Z') / 1000);

        const account = await client.accounts.create({ type: 'express', country: 'FR' });
        const link = await client.accountLinks.create({
          account: account.id,
          type: 'account_onboarding',
          refresh_url: 'http://localhost:5173/refresh',
          return_url: 'http://localhost:5173/done',
        });
        expect(link.expires_at - link.created).toBe(300);
        now = new Date('2031-03-30T08:06:00Z');
        const late = await fetch(link.url, { redirect: 'manual' });
        expect(late.headers.get('location')).toBe('http://localhost:5173/refresh');
        expect((await client.accounts.retrieve(account.id)).charges_enabled).toBe(false);

        await local.webhooks.idle();
        const ids = twice.events().map((event) => event.id);
        expect(ids).toHaveLength(2);
        expect(new Set(ids).size).toBe(1);
      } finally {
        await local.close();
        await twice.close();
      }
    });
  });

  describe('shapes', () => {
    it("answers and emits objects with the top-level fields of Stripe's published fixtures", async () => {
      const practitioner = await onboardedAccount();
      expectFixtureShape(practitioner, 'account');
      const link = await stripe.accountLinks.create({
        account: practitioner.id,
        type: 'account_onboarding',
        return_url: 'http://x/',
      });
      expectFixtureShape(link, 'account_link');

      const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur', metadata: { bookingId: 'b9' } });
      expectFixtureShape(pi, 'payment_intent');
      emulator.succeedPaymentIntent(pi.id);
      const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
      expectFixtureShape(refund, 'refund');
      const dispute = emulator.disputePaymentIntent(pi.id, { reason: 'fraudulent' });
      expect(dispute.id).toMatch(/^dp_/);
      expectFixtureShape(dispute, 'dispute');

      const events = await eventsAbout(pi.id);
      const succeeded = events.find((e) => e.type === 'payment_intent.succeeded')!;
      expectFixtureShape(succeeded, 'event');
      expectFixtureShape(succeeded.data.object, 'payment_intent');
      const charge = receiver
        .events()
        .find((e) => e.type === 'charge.succeeded' && e.data.object.payment_intent === pi.id)!;
      expectFixtureShape(charge.data.object, 'charge');
      const disputed = receiver
        .events()
        .find((e) => e.type === 'charge.dispute.created' && e.data.object.id === dispute.id);
      expect(disputed).toBeDefined();
    });

    it('shapes the money objects of a destination charge like the fixtures, answered and emitted', async () => {
      const practitioner = await onboardedAccount();
      const pi = await stripe.paymentIntents.create({
        amount: 6000,
        currency: 'eur',
        application_fee_amount: 600,
        transfer_data: { destination: practitioner.id },
      });
      emulator.succeedPaymentIntent(pi.id);
      const refund = await stripe.refunds.create({
        payment_intent: pi.id,
        amount: 1000,
        reverse_transfer: true,
        refund_application_fee: true,
      });
      const charge = await stripe.charges.retrieve(String(refund.charge));
      const transfer = await stripe.transfers.retrieve(String(charge.transfer));
      expectFixtureShape(transfer, 'transfer');
      expectFixtureShape(transfer.reversals.data[0]!, 'transfer_reversal');
      const fee = await stripe.applicationFees.retrieve(String(charge.application_fee));
      expectFixtureShape(fee, 'application_fee');
      expectFixtureShape(fee.refunds.data[0]!, 'fee_refund');
      expectFixtureShape(await stripe.balance.retrieve(), 'balance');
      expectFixtureShape(await stripe.balance.retrieve({}, { stripeAccount: practitioner.id }), 'balance');
      expectFixtureShape(refund, 'refund');

      await emulator.webhooks.idle();
      const emitted = (type: string) =>
        receiver.events().find((e) => e.type === type && (e.data.object as { id: string }).id === transfer.id);
      expectFixtureShape(emitted('transfer.created')!.data.object, 'transfer');
      expectFixtureShape(emitted('transfer.reversed')!.data.object, 'transfer');
      const feeEvents = receiver
        .events()
        .filter((e) => e.type.startsWith('application_fee.') && (e.data.object as { id: string }).id === fee.id);
      expect(feeEvents.map((e) => e.type)).toEqual(['application_fee.created', 'application_fee.refunded']);
      for (const event of feeEvents) expectFixtureShape(event.data.object, 'application_fee');
    });

    it('shapes the client view of a 3-D Secure challenge like the fixture', async () => {
      const pi = await stripe.paymentIntents.create({
        amount: 6000,
        currency: 'eur',
        payment_method: 'pm_card_threeDSecure2Required',
        confirm: true,
        return_url: 'http://localhost:5173/done',
      });
      expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect_to_url' } });
      expectFixtureShape(pi, 'payment_intent');
      expect(emulator.authenticatePaymentIntent(pi.id).status).toBe('succeeded');
    });
  });
});
