/**
 * Stripe, through its SDK only: PaymentIntents (destination charges to the practitioner's
 * connected account, with the platform's application fee), refunds, Connect onboarding, and the
 * webhook signature check. Card data never passes here: the client's app confirms the
 * PaymentIntent with Stripe directly (Stripe Elements / mobile SDK, with the client secret), and
 * we only ever hold Stripe ids, amounts and statuses.
 *
 * Every call that creates something carries an idempotency key derived from what it is for (an
 * appointment, a cancellation, a practitioner), so a retry never pays, refunds or onboards twice.
 * Locally the SDK is pointed at the Stripe emulator (local/stripe); with no API base it talks to
 * Stripe itself.
 */
import Stripe from 'stripe';
import {
  type PayeeState,
  type PaymentGateway,
  type PaymentIntentState,
  RefundRefused,
  type RefundState,
} from '../payment-gateway.ts';

export interface StripeConfig {
  readonly secretKey: string;
  /** e.g. `http://127.0.0.1:12111` for the local emulator; absent: Stripe itself. */
  readonly apiBase?: string | undefined;
}

/** The Stripe client of a configuration: pointed at `apiBase` when there is one. */
export function stripeClient(config: StripeConfig): Stripe {
  if (!config.apiBase) return new Stripe(config.secretKey, { maxNetworkRetries: 2, timeout: 10_000 });
  const base = new URL(config.apiBase);
  return new Stripe(config.secretKey, {
    host: base.hostname,
    port: Number(base.port),
    protocol: base.protocol === 'http:' ? 'http' : 'https',
    maxNetworkRetries: 2,
    timeout: 10_000,
  });
}

const idOf = (value: string | { id: string } | null | undefined) =>
  value === null || value === undefined ? undefined : typeof value === 'string' ? value : value.id;

function payeeOf(account: Stripe.Account): PayeeState {
  return {
    accountId: account.id,
    practitionerId: account.metadata?.practitionerId,
    chargesEnabled: account.charges_enabled ?? false,
    payoutsEnabled: account.payouts_enabled ?? false,
    detailsSubmitted: account.details_submitted ?? false,
  };
}

function paymentIntentOf(pi: Stripe.PaymentIntent): PaymentIntentState {
  return {
    id: pi.id,
    status: pi.status,
    amountCents: pi.amount,
    amountReceivedCents: pi.amount_received,
    appointmentId: pi.metadata?.appointmentId,
    lastAttemptFailed: pi.last_payment_error !== null && pi.last_payment_error !== undefined,
    chargeId: idOf(pi.latest_charge),
  };
}

function refundOf(refund: Stripe.Refund): RefundState {
  return {
    id: refund.id,
    paymentIntentId: idOf(refund.payment_intent),
    amountCents: refund.amount,
    status: refund.status ?? 'pending',
  };
}

/** A webhook older than this (by its signed timestamp) is refused: Stripe's default tolerance. */
export const webhookToleranceSeconds = 300;

export function stripeGateway(client: () => Promise<{ stripe: Stripe; webhookSecret: string }>): PaymentGateway {
  return {
    async startPayment(input) {
      const { stripe } = await client();
      const pi = await stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: 'eur',
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          application_fee_amount: input.applicationFeeCents,
          transfer_data: { destination: input.destinationAccountId },
          description: input.description,
          metadata: { appointmentId: input.appointmentId },
        },
        { idempotencyKey: `appointment-payment-${input.appointmentId}` },
      );
      if (!pi.client_secret) throw new Error('Stripe answered a PaymentIntent without a client secret');
      return { paymentIntentId: pi.id, clientSecret: pi.client_secret };
    },

    async paymentIntent(id) {
      const { stripe } = await client();
      return paymentIntentOf(await stripe.paymentIntents.retrieve(id));
    },

    async cancelPayment(id) {
      const { stripe } = await client();
      const pi = await stripe.paymentIntents.retrieve(id);
      if (pi.status === 'succeeded') return false;
      if (pi.status === 'canceled') return true;
      try {
        await stripe.paymentIntents.cancel(id, {}, { idempotencyKey: `cancel-${id}` });
        return true;
      } catch (error) {
        // It may have succeeded meanwhile: the state decides.
        const again = await stripe.paymentIntents.retrieve(id);
        if (again.status === 'succeeded') return false;
        if (again.status === 'canceled') return true;
        throw error;
      }
    },

    async refund(input) {
      const { stripe } = await client();
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: input.paymentIntentId,
            amount: input.amountCents,
            metadata: { appointmentId: input.appointmentId },
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return refundOf(refund);
      } catch (error) {
        // A chargeback already took the money back: Stripe refuses a refund on top.
        if ((error as { code?: string }).code === 'charge_disputed') throw new RefundRefused('charge-disputed');
        throw error;
      }
    },

    async refundState(id) {
      const { stripe } = await client();
      return refundOf(await stripe.refunds.retrieve(id));
    },

    async dispute(id) {
      const { stripe } = await client();
      const dispute = await stripe.disputes.retrieve(id);
      return {
        id: dispute.id,
        paymentIntentId: idOf(dispute.payment_intent),
        amountCents: dispute.amount,
        status: dispute.status,
        reason: dispute.reason,
      };
    },

    async chargePaymentIntent(chargeId) {
      const { stripe } = await client();
      return idOf((await stripe.charges.retrieve(chargeId)).payment_intent);
    },

    async createPayee(input) {
      const { stripe } = await client();
      const account = await stripe.accounts.create(
        {
          type: 'express',
          country: 'FR',
          ...(input.email ? { email: input.email } : {}),
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          metadata: { practitionerId: input.practitionerId },
        },
        { idempotencyKey: `payee-${input.practitionerId}` },
      );
      return payeeOf(account);
    },

    async payee(accountId) {
      const { stripe } = await client();
      return payeeOf(await stripe.accounts.retrieve(accountId));
    },

    async onboardingLink(input) {
      const { stripe } = await client();
      const link = await stripe.accountLinks.create({
        account: input.accountId,
        type: 'account_onboarding',
        return_url: input.returnUrl,
        refresh_url: input.refreshUrl,
      });
      return link.url;
    },

    async verifyWebhook(rawBody, signature) {
      if (!signature) throw new Error('No Stripe-Signature header');
      const { stripe, webhookSecret } = await client();
      const event = await stripe.webhooks.constructEventAsync(
        rawBody,
        signature,
        webhookSecret,
        webhookToleranceSeconds,
      );
      const object = event.data.object as { id?: string };
      return { id: event.id, type: event.type, objectId: object.id ?? '', created: event.created };
    },
  };
}
