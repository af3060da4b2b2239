/**
 * The Stripe emulator's money movements for destination charges, read back through balances,
 * transfers and application fees with the stripe SDK; the events of refunds, whoever makes them;
 * and refunds capped at what remains, under concurrency.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from '#local/stripe/server.ts';

const SECRET = 'whsec_local_money_test';
const SECRET_KEY = 'sk_test_local';

async function startReceiver() {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200).end();
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

describe('Stripe emulator: money of destination charges', () => {
  let emulator: StripeEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stripe: Stripe;

  beforeAll(async () => {
    receiver = await startReceiver();
    emulator = await startStripeEmulator({ webhookUrl: receiver.url, webhookSecret: SECRET });
    stripe = new Stripe(SECRET_KEY, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });

  const available = (balance: Stripe.Balance) => balance.available.find((b) => b.currency === 'eur')?.amount ?? 0;
  const platformBalance = async () => available(await stripe.balance.retrieve());
  const accountBalance = async (account: string) =>
    available(await stripe.balance.retrieve({}, { stripeAccount: account }));

  /** A practitioner's onboarded account, paid a 60 € destination charge with a 6 € fee. */
  async function paidDestinationCharge() {
    const account = await stripe.accounts.create({ type: 'express', country: 'FR' });
    emulator.completeOnboarding(account.id);
    const pi = await stripe.paymentIntents.create({
      amount: 6000,
      currency: 'eur',
      application_fee_amount: 600,
      transfer_data: { destination: account.id },
    });
    const before = await platformBalance();
    emulator.succeedPaymentIntent(pi.id);
    const charge = await stripe.charges.retrieve(String((await stripe.paymentIntents.retrieve(pi.id)).latest_charge));
    return { account: account.id, pi, charge, platformBefore: before };
  }

  it('pays the connected account the amount minus the fee, and the platform the fee', async () => {
    const { account, charge, platformBefore } = await paidDestinationCharge();

    expect(await accountBalance(account)).toBe(5400);
    expect((await platformBalance()) - platformBefore).toBe(600);
    const transfer = await stripe.transfers.retrieve(String(charge.transfer));
    expect(transfer).toMatchObject({
      object: 'transfer',
      amount: 6000,
      amount_reversed: 0,
      destination: account,
      source_transaction: charge.id,
    });
    const fee = await stripe.applicationFees.retrieve(String(charge.application_fee));
    expect(fee).toMatchObject({
      object: 'application_fee',
      amount: 600,
      amount_refunded: 0,
      account,
      charge: charge.id,
    });
  });

  it('takes a refund without reverse_transfer from the platform alone', async () => {
    const { account, pi, charge, platformBefore } = await paidDestinationCharge();
    await stripe.refunds.create({ payment_intent: pi.id });

    expect(await accountBalance(account)).toBe(5400);
    expect((await platformBalance()) - platformBefore).toBe(600 - 6000);
    expect((await stripe.transfers.retrieve(String(charge.transfer))).amount_reversed).toBe(0);
    expect((await stripe.applicationFees.retrieve(String(charge.application_fee))).amount_refunded).toBe(0);
  });

  it('reverses the whole transfer and keeps the fee with reverse_transfer alone', async () => {
    const { account, pi, charge, platformBefore } = await paidDestinationCharge();
    const refund = await stripe.refunds.create({ payment_intent: pi.id, reverse_transfer: true });

    expect(await accountBalance(account)).toBe(-600);
    expect((await platformBalance()) - platformBefore).toBe(600);
    const transfer = await stripe.transfers.retrieve(String(charge.transfer));
    expect(transfer).toMatchObject({ amount_reversed: 6000, reversed: true });
    expect(refund.transfer_reversal).toMatch(/^trr_/);
    const reversal = await stripe.transfers.retrieveReversal(transfer.id, String(refund.transfer_reversal));
    expect(reversal).toMatchObject({ object: 'transfer_reversal', amount: 6000, source_refund: refund.id });
    const expanded = await stripe.refunds.retrieve(refund.id, { expand: ['transfer_reversal.transfer'] });
    expect(expanded.transfer_reversal).toMatchObject({
      id: reversal.id,
      transfer: { id: transfer.id, reversed: true },
    });
  });

  it('gives everything back with reverse_transfer and refund_application_fee', async () => {
    const { account, pi, charge, platformBefore } = await paidDestinationCharge();
    await stripe.refunds.create({ payment_intent: pi.id, reverse_transfer: true, refund_application_fee: true });

    expect(await accountBalance(account)).toBe(0);
    expect((await platformBalance()) - platformBefore).toBe(0);
    const fee = await stripe.applicationFees.retrieve(String(charge.application_fee));
    expect(fee).toMatchObject({ amount_refunded: 600, refunded: true });
    expect((await stripe.applicationFees.listRefunds(fee.id)).data.map((r) => r.amount)).toEqual([600]);
  });

  it('reverses and refunds the fee in proportion to a partial refund', async () => {
    const { account, charge, platformBefore } = await paidDestinationCharge();
    // 20 € of 60 €: a third of the transfer (60 €) and of the fee (6 €).
    await stripe.refunds.create({
      charge: charge.id,
      amount: 2000,
      reverse_transfer: true,
      refund_application_fee: true,
    });
    expect(await accountBalance(account)).toBe(5400 - 2000 + 200);
    expect((await platformBalance()) - platformBefore).toBe(600 - 2000 + 2000 - 200);

    // 30 € more, the fee refunded but the transfer kept: the platform pays the refund and the fee share.
    await stripe.refunds.create({ charge: charge.id, amount: 3000, refund_application_fee: true });
    expect(await accountBalance(account)).toBe(3600 + 300);
    expect((await platformBalance()) - platformBefore).toBe(400 - 3000 - 300);

    // The last 10 €, reversed: a sixth of the transfer; the fee stays as it is.
    await stripe.refunds.create({ charge: charge.id, amount: 1000, reverse_transfer: true });
    expect(await accountBalance(account)).toBe(3900 - 1000);
    const transfer = await stripe.transfers.retrieve(String(charge.transfer));
    expect(transfer.amount_reversed).toBe(3000);
    expect(transfer.reversals.data.map((r) => r.amount)).toEqual([1000, 2000]);
    expect((await stripe.applicationFees.retrieve(String(charge.application_fee))).amount_refunded).toBe(500);
  });

  it('refuses reverse_transfer on a charge without destination', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 6000, currency: 'eur' });
    emulator.succeedPaymentIntent(pi.id);
    await expect(stripe.refunds.create({ payment_intent: pi.id, reverse_transfer: true })).rejects.toMatchObject({
      statusCode: 400,
      param: 'reverse_transfer',
    });
  });

  it('answers a connected balance only for a known account', async () => {
    await expect(stripe.balance.retrieve({}, { stripeAccount: 'acct_unknown0000000' })).rejects.toMatchObject({
      statusCode: 403,
    });
    await expect(
      stripe.paymentIntents.create({ amount: 6000, currency: 'eur' }, { stripeAccount: 'acct_unknown0000000' }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  describe('refunds made elsewhere', () => {
    /** What the dashboard does: a refund with the secret key, here through the charge's refunds endpoint. */
    async function dashboardRefund(charge: string, body: string) {
      const answer = await fetch(`${emulator.url}/v1/charges/${charge}/refunds`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
      });
      expect(answer.status).toBe(200);
      return (await answer.json()) as Stripe.Refund;
    }

    it('emits refund.created and charge.refunded with the refunded amount and list, as for our own refunds', async () => {
      const { charge } = await paidDestinationCharge();
      const refund = await dashboardRefund(charge.id, 'amount=1500&reverse_transfer=true');
      const ours = await stripe.refunds.create({ charge: charge.id, amount: 500, reverse_transfer: true });
      await emulator.webhooks.idle();

      const refundEvents = (id: string) =>
        receiver.events().filter((event) => (event.data.object as { id?: string }).id === id);
      expect(refundEvents(refund.id).map((e) => e.type)).toEqual(['refund.created']);
      expect(refundEvents(ours.id).map((e) => e.type)).toEqual(['refund.created']);
      // Made through the API with the secret key: the event names its request, as Stripe's do.
      expect(refundEvents(refund.id)[0]?.request?.id).toMatch(/^req_/);

      const refunded = receiver
        .events()
        .filter((e): e is Stripe.ChargeRefundedEvent => e.type === 'charge.refunded' && e.data.object.id === charge.id)
        .map((e) => e.data.object);
      expect(refunded.map((c) => c.amount_refunded)).toEqual([1500, 2000]);
      expect(refunded[1]?.refunds?.data.map((r) => r.id)).toEqual([ours.id, refund.id]);

      const reversed = receiver
        .events()
        .filter(
          (e): e is Stripe.TransferReversedEvent =>
            e.type === 'transfer.reversed' && e.data.object.id === charge.transfer,
        )
        .map((e) => e.data.object.amount_reversed);
      expect(reversed).toEqual([1500, 2000]);
    });
  });

  describe('the refund cap', () => {
    it('lets exactly six of ten concurrent 10 € refunds through on a 60 € charge', async () => {
      const { pi, charge } = await paidDestinationCharge();
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, () => stripe.refunds.create({ payment_intent: pi.id, amount: 1000 })),
      );
      const succeeded = attempts.filter((a) => a.status === 'fulfilled');
      const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(succeeded).toHaveLength(6);
      expect(refused).toHaveLength(4);
      for (const { reason } of refused) {
        expect(reason).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
        expect(reason.statusCode).toBe(400);
        expect(['amount_too_large', 'charge_already_refunded']).toContain(reason.code);
      }
      const after = await stripe.charges.retrieve(charge.id);
      expect(after).toMatchObject({ amount_refunded: 6000, refunded: true });
      await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 1 })).rejects.toMatchObject({
        code: 'charge_already_refunded',
      });
    });

    it('answers amount_too_large for more than remains', async () => {
      const { pi } = await paidDestinationCharge();
      await stripe.refunds.create({ payment_intent: pi.id, amount: 5000 });
      await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 1001 })).rejects.toMatchObject({
        statusCode: 400,
        code: 'amount_too_large',
        param: 'amount',
      });
    });
  });
});
