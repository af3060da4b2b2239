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
  /** The id of the event's object (a PaymentIntent, a charge, a refund, a dispute, an account). */
  readonly objectId: string;
  readonly created: number;
}

/** Stripe refused a refund for a reason the caller must know (a disputed charge cannot be refunded). */
export class RefundRefused extends Error {
  override readonly name = 'RefundRefused';
  readonly code: 'charge-disputed';
  constructor(code: 'charge-disputed') {
    super(code);
    this.code = code;
  }
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
  refund(input: {
    paymentIntentId: string;
    amountCents: number;
    idempotencyKey: string;
    appointmentId: string;
  }): Promise<RefundState>;
  refundState(id: string): Promise<RefundState>;
  dispute(id: string): Promise<DisputeState>;
  /** The PaymentIntent a charge belongs to. */
  chargePaymentIntent(chargeId: string): Promise<string | undefined>;
  createPayee(input: { practitionerId: string; email?: string | undefined }): Promise<PayeeState>;
  payee(accountId: string): Promise<PayeeState>;
  onboardingLink(input: { accountId: string; returnUrl: string; refreshUrl: string }): Promise<string>;
  /** Verifies the `Stripe-Signature` of a raw body; throws on a bad, stale or missing one. */
  verifyWebhook(rawBody: string, signature: string | undefined): Promise<VerifiedEvent>;
}
