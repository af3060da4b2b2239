/**
 * The Stripe emulator seen by a front end (Stripe.js's own request shapes with the publishable
 * key and a client secret: pay, be declined, pass 3-D Secure) and across a restart (dataDir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_PUBLISHABLE_KEY, type StripeEmulator, startStripeEmulator } from '#local/stripe/server.ts';

const SECRET = 'whsec_local_clients_test';
const PK = EMULATOR_PUBLISHABLE_KEY;

async function startReceiver(status = 200) {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    events: () => bodies.map((body) => JSON.parse(body) as Stripe.Event),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sdk = (emulator: StripeEmulator, key = 'sk_test_local') =>
  new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: Record<string, unknown> & { payment_intent?: Stripe.PaymentIntent } };
}

describe('Stripe emulator: Stripe.js with the publishable key', () => {
  let emulator: StripeEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stripe: Stripe;

  beforeAll(async () => {
    receiver = await startReceiver();
    emulator = await startStripeEmulator({ webhookUrl: receiver.url, webhookSecret: SECRET });
    stripe = sdk(emulator);
  });

  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });

  /** `stripe.retrievePaymentIntent(clientSecret)`: GET with the key and secret in the query. */
  async function retrieve(pi: Stripe.PaymentIntent, secret = pi.client_secret!): Promise<Answer> {
    const query = new URLSearchParams({ key: PK, is_stripe_sdk: 'false', client_secret: secret });
    const answer = await fetch(`${emulator.url}/v1/payment_intents/${pi.id}?${query}`);
    return { status: answer.status, body: (await answer.json()) as Answer['body'] };
  }

  /** `stripe.confirmCardPayment(clientSecret, { payment_method })`: a form POST with the key in the body. */
  async function confirm(pi: Stripe.PaymentIntent, fields: Record<string, string>): Promise<Answer> {
    const body = new URLSearchParams({
      expected_payment_method_type: 'card',
      use_stripe_sdk: 'true',
      key: PK,
      client_secret: pi.client_secret!,
      ...fields,
    });
    const answer = await fetch(`${emulator.url}/v1/payment_intents/${pi.id}/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: answer.status, body: (await answer.json()) as Answer['body'] };
  }

  const bookingIntent = () =>
    stripe.paymentIntents.create({ amount: 6000, currency: 'eur', metadata: { bookingId: 'b-front' } });

  const typesAbout = async (id: string) => {
    await emulator.webhooks.idle();
    return receiver
      .events()
      .filter((event) => (event.data.object as { id?: string }).id === id)
      .map((event) => event.type);
  };

  it('retrieves and pays with pm_card_visa, seeing no server-side fields', async () => {
    const pi = await bookingIntent();
    const read = await retrieve(pi);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: pi.id, status: 'requires_payment_method', amount: 6000 });
    expect(read.body).not.toHaveProperty('metadata');
    expect(read.body).not.toHaveProperty('application_fee_amount');

    const paid = await confirm(pi, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: pi.id, status: 'succeeded', next_action: null });
    expect(await typesAbout(pi.id)).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
  });

  it('accepts the publishable key as a Bearer token too', async () => {
    const pi = await bookingIntent();
    const answer = await fetch(`${emulator.url}/v1/payment_intents/${pi.id}?client_secret=${pi.client_secret}`, {
      headers: { Authorization: `Bearer ${PK}` },
    });
    expect(answer.status).toBe(200);
  });

  it('declines with 402 card_error, leaves requires_payment_method and emits payment_intent.payment_failed', async () => {
    const pi = await bookingIntent();
    const declined = await confirm(pi, { payment_method: 'pm_card_chargeDeclined' });
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    expect(declined.body.error?.payment_intent).toMatchObject({ status: 'requires_payment_method' });
    expect(declined.body.error?.payment_intent).not.toHaveProperty('metadata');

    const poor = await confirm(pi, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' });
    expect(poor.body.error).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds' });
    expect((await stripe.paymentIntents.retrieve(pi.id)).last_payment_error).toMatchObject({
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
    expect((await typesAbout(pi.id)).filter((t) => t === 'payment_intent.payment_failed')).toHaveLength(2);
  });

  it.each(['pm_card_radarBlock', 'pm_card_riskLevelHighest'])('lets Radar block %s as fraudulent', async (token) => {
    const pi = await bookingIntent();
    const blocked = await confirm(pi, { payment_method: token });
    expect(blocked.status).toBe(402);
    expect(blocked.body.error).toMatchObject({ code: 'card_declined', decline_code: 'fraudulent' });
    const charge = await stripe.charges.retrieve(String(blocked.body.error?.charge));
    expect(charge.outcome).toMatchObject({ type: 'blocked', risk_level: 'highest', reason: 'highest_risk_level' });
    expect(charge.status).toBe('failed');
  });

  it('asks for 3-D Secure with use_stripe_sdk, which the client completes on the emulator', async () => {
    const pi = await bookingIntent();
    const challenged = await confirm(pi, { payment_method: 'pm_card_threeDSecure2Required' });
    expect(challenged.status).toBe(200);
    expect(challenged.body).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    const sdkAction = (challenged.body.next_action as Stripe.PaymentIntent.NextAction).use_stripe_sdk as {
      type: string;
      stripe_js: string;
    };
    expect(sdkAction.type).toBe('three_d_secure_redirect');
    expect(sdkAction.stripe_js.startsWith(emulator.url)).toBe(true);
    expect((await stripe.paymentIntents.retrieve(pi.id)).latest_charge).toBeNull();

    const page = await fetch(sdkAction.stripe_js);
    expect(page.status).toBe(200);
    expect((await retrieve(pi)).body).toMatchObject({ status: 'succeeded', next_action: null });
    expect(await typesAbout(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
    expect((await fetch(sdkAction.stripe_js)).status).toBe(410);
  });

  it('redirects to return_url, where a failed authentication comes back failed; another card then pays', async () => {
    const pi = await bookingIntent();
    const challenged = await confirm(pi, {
      payment_method: 'pm_card_authenticationRequired',
      use_stripe_sdk: 'false',
      return_url: 'http://localhost:5173/checkout/done',
    });
    const next = challenged.body.next_action as Stripe.PaymentIntent.NextAction;
    expect(next.type).toBe('redirect_to_url');
    expect(next.redirect_to_url?.return_url).toBe('http://localhost:5173/checkout/done');

    const back = await fetch(`${next.redirect_to_url?.url}?fail=1`, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const location = new URL(String(back.headers.get('location')));
    expect(location.origin + location.pathname).toBe('http://localhost:5173/checkout/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      payment_intent: pi.id,
      payment_intent_client_secret: pi.client_secret,
      redirect_status: 'failed',
    });
    const failed = await stripe.paymentIntents.retrieve(pi.id);
    expect(failed).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'payment_intent_authentication_failure' },
    });
    expect(await typesAbout(pi.id)).toContain('payment_intent.payment_failed');

    expect((await confirm(pi, { payment_method: 'pm_card_visa' })).body).toMatchObject({ status: 'succeeded' });
  });

  it('refuses the publishable key anywhere else, and a client secret that is not the intent’s', async () => {
    const pi = await bookingIntent();
    const other = await bookingIntent();
    expect((await retrieve(pi, other.client_secret!)).body.error).toMatchObject({
      code: 'payment_intent_invalid_parameter',
      param: 'client_secret',
    });
    const unknown = await retrieve({ ...pi, id: 'pi_doesnotexist' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'resource_missing' });
    const noSecret = await fetch(`${emulator.url}/v1/payment_intents/${pi.id}?key=${PK}`);
    expect(noSecret.status).toBe(400);

    const publishable = sdk(emulator, PK);
    for (const call of [
      () => publishable.paymentIntents.create({ amount: 6000, currency: 'eur' }),
      () => publishable.paymentIntents.cancel(pi.id),
      () => publishable.refunds.create({ payment_intent: pi.id }),
      () => publishable.balance.retrieve(),
      () => publishable.events.list(),
    ]) {
      await expect(call()).rejects.toMatchObject({ statusCode: 403, code: 'secret_key_required' });
    }
    const cardData = await confirm(pi, { 'payment_method_data[type]': 'card' });
    expect(cardData.status).toBe(400);
    expect(cardData.body.error).toMatchObject({ param: 'payment_method_data' });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
  });

  it('refuses client_secret from the secret key on confirm, as an unknown parameter', async () => {
    const pi = await bookingIntent();
    const confirmWithSecret = stripe.paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_visa',
      client_secret: pi.client_secret,
    } as Stripe.PaymentIntentConfirmParams);
    await expect(confirmWithSecret).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'client_secret',
    });
  });
});

describe('Stripe emulator: state kept in a folder', () => {
  it('finds intents, accounts, refunds, balances, idempotency records and owed webhooks after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stripe-emulator-'));
    const down = await startReceiver(503);
    const up = await startReceiver(200);
    try {
      const first = await startStripeEmulator({
        webhookUrl: down.url,
        webhookSecret: SECRET,
        dataDir,
        webhookRetry: { maxAttempts: 50, initialDelayMs: 60_000 },
      });
      const stripe = sdk(first);
      const account = await stripe.accounts.create({ type: 'express', country: 'FR' });
      first.completeOnboarding(account.id);
      const params: Stripe.PaymentIntentCreateParams = {
        amount: 6000,
        currency: 'eur',
        application_fee_amount: 600,
        transfer_data: { destination: account.id },
      };
      const pi = await stripe.paymentIntents.create(params, { idempotencyKey: 'appointment-payment-a1' });
      first.succeedPaymentIntent(pi.id);
      const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
      const owed = first.events('refund.created').find((e) => e.data.object.id === refund.id)!;
      await first.close();

      const second = await startStripeEmulator({ webhookUrl: up.url, webhookSecret: SECRET, dataDir });
      try {
        const again = sdk(second);
        expect(await again.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'succeeded', amount: 6000 });
        expect(await again.accounts.retrieve(account.id)).toMatchObject({ charges_enabled: true });
        expect(await again.refunds.retrieve(refund.id)).toMatchObject({ amount: 1000, status: 'succeeded' });
        const charge = await again.charges.retrieve(String(refund.charge));
        expect(charge.amount_refunded).toBe(1000);
        expect(charge.refunds?.data.map((r) => r.id)).toEqual([refund.id]);
        const connected = await again.balance.retrieve({}, { stripeAccount: account.id });
        expect(connected.available[0]).toMatchObject({ amount: 5400, currency: 'eur' });

        const replay = await again.paymentIntents.create(params, { idempotencyKey: 'appointment-payment-a1' });
        expect(replay.id).toBe(pi.id);
        expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');

        await second.webhooks.idle();
        const delivered = up.events().map((e) => e.id);
        expect(delivered).toContain(owed.id);
        expect((await again.events.retrieve(owed.id)).pending_webhooks).toBe(0);
        // A refund of the restored charge still respects what was refunded before.
        await expect(again.refunds.create({ payment_intent: pi.id, amount: 5001 })).rejects.toMatchObject({
          code: 'amount_too_large',
        });
      } finally {
        await second.close();
      }

      const third = await startStripeEmulator({ webhookSecret: SECRET, dataDir });
      try {
        // Everything the second run delivered is no longer owed.
        expect(third.webhooks.pending()).toEqual([]);
        expect((await sdk(third).events.retrieve(owed.id)).pending_webhooks).toBe(0);
      } finally {
        await third.close();
      }
    } finally {
      await down.close();
      await up.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps nothing without a folder', async () => {
    const first = await startStripeEmulator({ webhookSecret: SECRET });
    const pi = await sdk(first).paymentIntents.create({ amount: 6000, currency: 'eur' });
    await first.close();
    const second = await startStripeEmulator({ webhookSecret: SECRET });
    try {
      await expect(sdk(second).paymentIntents.retrieve(pi.id)).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await second.close();
    }
  });
});
