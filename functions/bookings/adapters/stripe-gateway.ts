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
  NotAtStripe,
  type PayeeState,
  type PaymentGateway,
  type PaymentIntentState,
  PaymentNotStarted,
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
    refundKey: refund.metadata?.refundKey,
  };
}

/** The parts of a Stripe SDK error we decide on (`type`, HTTP status, `code`): never its message, which may quote values. */
type StripeFailure = { type?: string; statusCode?: number; code?: string };
const failureOf = (error: unknown): StripeFailure => (typeof error === 'object' && error !== null ? error : {});

/** Stripe answered 404 `resource_missing`: the object is not (or no longer) there. */
const isMissing = (error: unknown) => {
  const f = failureOf(error);
  return f.type === 'StripeInvalidRequestError' && (f.statusCode === 404 || f.code === 'resource_missing');
};

/** Re-reads at Stripe turn a 404 into NotAtStripe, so an event about a foreign object is settled, not retried. */
async function reread<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isMissing(error)) throw new NotAtStripe('No such object at Stripe', { cause: error });
    throw error;
  }
}

/**
 * Why a PaymentIntent could not be created: a 4xx that is about the request (an unknown or
 * restricted destination account, an invalid amount) is `refused`; no answer, a 5xx, a rate
 * limit or our own keys refused are `unavailable` (worth trying again later).
 */
function notStarted(error: unknown): PaymentNotStarted {
  const f = failureOf(error);
  const refused =
    (f.type === 'StripeInvalidRequestError' || f.type === 'StripePermissionError' || f.type === 'StripeCardError') &&
    f.statusCode !== undefined &&
    f.statusCode < 500;
  return new PaymentNotStarted(refused ? 'refused' : 'unavailable', { cause: error });
}

/** A Stripe id (`acct_…`, `pi_…`): what the platform's events accept as an id. */
const stripeIdPattern = /^[a-z]+_[A-Za-z0-9]{6,255}$/;
const stripeIdOrUndefined = (value: unknown) =>
  typeof value === 'string' && stripeIdPattern.test(value) ? value : undefined;

/** A webhook older than this (by its signed timestamp) is refused: Stripe's default tolerance. */
export const webhookToleranceSeconds = 300;

export function stripeGateway(client: () => Promise<{ stripe: Stripe; webhookSecret: string }>): PaymentGateway {
  return {
    async startPayment(input) {
      const { stripe } = await client();
      let pi: Stripe.PaymentIntent;
      try {
        pi = await stripe.paymentIntents.create(
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
      } catch (error) {
        throw notStarted(error);
      }
      if (!pi.client_secret) throw new Error('Stripe answered a PaymentIntent without a client secret');
      return { paymentIntentId: pi.id, clientSecret: pi.client_secret };
    },

    async paymentIntent(id) {
      const { stripe } = await client();
      return paymentIntentOf(await reread(() => stripe.paymentIntents.retrieve(id)));
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
            // Who pays (ADR 0011): the practitioner's account gives back its part, the platform its fee.
            reverse_transfer: input.reverseTransfer,
            refund_application_fee: input.refundApplicationFee,
            // The key lets the settlement of Stripe's refund events tell our refunds from others'.
            metadata: { appointmentId: input.appointmentId, refundKey: input.idempotencyKey },
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return refundOf(refund);
      } catch (error) {
        const f = failureOf(error);
        // A chargeback already took the money back: Stripe refuses a refund on top.
        if (f.code === 'charge_disputed') throw new RefundRefused('charge-disputed');
        // Someone else refunded meanwhile (the dashboard): less remains than asked.
        if (f.code === 'amount_too_large' || f.code === 'charge_already_refunded')
          throw new RefundRefused('amount-too-large');
        if (f.type === 'StripeIdempotencyError') throw new RefundRefused('idempotency-conflict');
        throw error;
      }
    },

    async refundState(id) {
      const { stripe } = await client();
      return refundOf(await reread(() => stripe.refunds.retrieve(id)));
    },

    async refundsOf(paymentIntentId) {
      const { stripe } = await client();
      const refunds: RefundState[] = [];
      await reread(async () => {
        for await (const refund of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }))
          refunds.push(refundOf(refund));
      });
      return refunds;
    },

    async dispute(id) {
      const { stripe } = await client();
      const dispute = await reread(() => stripe.disputes.retrieve(id));
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
      return idOf((await reread(() => stripe.charges.retrieve(chargeId))).payment_intent);
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
      return payeeOf(await reread(() => stripe.accounts.retrieve(accountId)));
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
      // Some objects have no id (`balance`) or one that is no Stripe id (a capability, a country spec).
      const object = event.data.object as { id?: unknown };
      return {
        id: event.id,
        type: event.type,
        objectId: stripeIdOrUndefined(object.id),
        account: stripeIdOrUndefined(event.account),
        created: event.created,
      };
    },
  };
}
