/**
 * The payment gateway port: what the payment use cases ask of Stripe, in our terms (ids, amounts,
 * statuses), with no SDK. The adapter is ./adapters/stripe-gateway.ts; keeping the port apart
 * keeps the Stripe SDK out of the functions that never call Stripe.
 */
import type Stripe from 'stripe';

export interface PaymentIntentState {
  readonly id: string;
  readonly status: Stripe.PaymentIntent.Status;
  readonly amountCents: number;
  readonly amountReceivedCents: number;
  /** The appointment it pays (metadata set at creation); undefined for a payment that is not ours. */
  readonly appointmentId: string | undefined;
  /** Whether the last attempt failed (a declined card leaves it `requires_payment_method`). */
  readonly lastAttemptFailed: boolean;
  readonly chargeId: string | undefined;
}

export interface RefundState {
  readonly id: string;
  readonly paymentIntentId: string | undefined;
  readonly amountCents: number;
  readonly status: string;
  /** The platform's key of the refund (metadata set when we create it); undefined for one made elsewhere. */
  readonly refundKey?: string | undefined;
}

export interface DisputeState {
  readonly id: string;
  readonly paymentIntentId: string | undefined;
  readonly amountCents: number;
  readonly status: string;
  readonly reason: string;
}

export interface PayeeState {
  readonly accountId: string;
  /** The practitioner the account was opened for (metadata set at creation). */
  readonly practitionerId: string | undefined;
  readonly chargesEnabled: boolean;
  readonly payoutsEnabled: boolean;
  readonly detailsSubmitted: boolean;
}

/** What a webhook says, once its signature is verified: ids and a type, nothing else is kept. */
export interface VerifiedEvent {
  readonly id: string;
  readonly type: string;
  /**
   * The id of the event's object (a PaymentIntent, a charge, a refund, a dispute, an account);
   * undefined when the object has none, or none shaped like a Stripe id (`balance`, a capability).
   */
  readonly objectId: string | undefined;
  /** The connected account the event happened on (Connect events); undefined for the platform's own. */
  readonly account: string | undefined;
  readonly created: number;
}

/**
 * Stripe refused a refund for a reason the caller must know: a disputed charge cannot be refunded,
 * more than what remains cannot be refunded (someone refunded meanwhile), an idempotency key was
 * used with other parameters.
 */
export class RefundRefused extends Error {
  override readonly name = 'RefundRefused';
  readonly code: 'charge-disputed' | 'amount-too-large' | 'idempotency-conflict';
  constructor(code: RefundRefused['code']) {
    super(code);
    this.code = code;
  }
}

/** Stripe has no such object (404 `resource_missing`): an event about something that is not, or no longer, ours. */
export class NotAtStripe extends Error {
  override readonly name = 'NotAtStripe';
}

/**
 * A payment could not be started: `refused` when Stripe answered a 4xx (unknown or restricted
 * account, invalid request), `unavailable` when it could not answer (network, 5xx, rate limit).
 */
export class PaymentNotStarted extends Error {
  override readonly name = 'PaymentNotStarted';
  readonly kind: 'refused' | 'unavailable';
  constructor(kind: 'refused' | 'unavailable', options?: { cause?: unknown }) {
    super(`payment not started: ${kind}`, options);
    this.kind = kind;
  }
}

/** Who pays a refund: the connected account (the transfer is reversed) and/or the platform (its fee is not refunded). */
export interface RefundFunding {
  /** Take the refunded part back from the practitioner's account (Stripe: `reverse_transfer`, proportional). */
  readonly reverseTransfer: boolean;
  /** Give back the platform's fee on the refunded part (Stripe: `refund_application_fee`, proportional). */
  readonly refundApplicationFee: boolean;
}

export interface PaymentGateway {
  startPayment(input: {
    appointmentId: string;
    amountCents: number;
    applicationFeeCents: number;
    destinationAccountId: string;
    description: string;
  }): Promise<{ paymentIntentId: string; clientSecret: string }>;
  paymentIntent(id: string): Promise<PaymentIntentState>;
  /** Cancels a payment that has not succeeded; true if it is (now) canceled, false if it succeeded. */
  cancelPayment(id: string): Promise<boolean>;
  refund(
    input: {
      paymentIntentId: string;
      amountCents: number;
      idempotencyKey: string;
      appointmentId: string;
    } & RefundFunding,
  ): Promise<RefundState>;
  refundState(id: string): Promise<RefundState>;
  /** Every refund of a PaymentIntent at Stripe, whoever made it (the platform, the dashboard, support at Stripe). */
  refundsOf(paymentIntentId: string): Promise<RefundState[]>;
  dispute(id: string): Promise<DisputeState>;
  /** The PaymentIntent a charge belongs to. */
  chargePaymentIntent(chargeId: string): Promise<string | undefined>;
  createPayee(input: { practitionerId: string; email?: string | undefined }): Promise<PayeeState>;
  payee(accountId: string): Promise<PayeeState>;
  onboardingLink(input: { accountId: string; returnUrl: string; refreshUrl: string }): Promise<string>;
  /** Verifies the `Stripe-Signature` of a raw body; throws on a bad, stale or missing one. */
  verifyWebhook(rawBody: string, signature: string | undefined): Promise<VerifiedEvent>;
}
