/**
 * The PaymentIntent lifecycle: created → (confirmed with a test card) → succeeded, or
 * requires_capture → captured, or declined back to requires_payment_method; canceled at any
 * point before success. Each transition emits the events Stripe emits for it.
 */
import type Stripe from 'stripe';
import type { Emulation } from '../context.ts';
import { invalidRequest, refused, StripeApiError, unexpectedState } from '../errors.ts';
import { newId, toEpochSeconds } from '../ids.ts';
import { newCharge } from '../objects/charge.ts';
import { newPaymentIntent, type PaymentIntentInput } from '../objects/payment-intent.ts';
import { newRefund } from '../objects/refund.ts';
import { chargeOf, find, patch } from '../store.ts';
import { testCard } from '../test-cards.ts';
import { openDispute } from './disputes.ts';
import { settleCapturedCharge } from './money.ts';

export interface CreatePaymentIntentInput extends Omit<PaymentIntentInput, 'created'> {
  /** A test token (`pm_card_visa`) to attach, and whether to confirm at once (server-side confirmation). */
  readonly paymentMethod: string | null;
  readonly confirm: boolean;
  readonly returnUrl?: string | null;
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

/** A PaymentMethod id for a test token, remembered so that it can be confirmed later. */
function paymentMethodFor(em: Emulation, tokenOrId: string): { id: string; token: string } {
  const known = em.store.paymentMethods.get(tokenOrId);
  if (known) return { id: tokenOrId, token: known };
  testCard(tokenOrId);
  const id = newId('pm');
  em.store.paymentMethods.set(id, tokenOrId);
  return { id, token: tokenOrId };
}

/** Stripe's checks on a destination charge: the fee needs a connected account, which must accept transfers. */
function checkConnect(em: Emulation, input: CreatePaymentIntentInput): void {
  const fee = input.applicationFeeAmount;
  if (fee !== null && !input.transferData && !input.onBehalfOf) {
    throw invalidRequest(
      'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
      'application_fee_amount',
    );
  }
  if (fee !== null && fee > input.amount) {
    throw invalidRequest(
      'The application fee amount cannot be greater than the amount of the payment.',
      'application_fee_amount',
    );
  }
  if (input.onBehalfOf) find(em.store.accounts, input.onBehalfOf, 'account', 'on_behalf_of');
  if (!input.transferData) return;
  const param = 'transfer_data[destination]';
  const destination = find(em.store.accounts, input.transferData.destination, 'destination', param);
  if (destination.capabilities?.transfers !== 'active') {
    throw refused(
      'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
      'insufficient_capabilities_for_transfer',
      param,
    );
  }
  const transferAmount = input.transferData.amount;
  if (transferAmount !== undefined && fee !== null) {
    throw invalidRequest(
      'You may only specify one of these parameters: application_fee_amount, transfer_data[amount].',
      'transfer_data[amount]',
    );
  }
  if (transferAmount !== undefined && transferAmount > input.amount) {
    throw invalidRequest(
      'The transfer amount cannot be greater than the amount of the payment.',
      'transfer_data[amount]',
    );
  }
}

export function createPaymentIntent(em: Emulation, input: CreatePaymentIntentInput): Stripe.PaymentIntent {
  checkConnect(em, input);
  const paymentIntent = newPaymentIntent({ ...input, created: em.now() });
  if (input.paymentMethod) {
    paymentIntent.payment_method = paymentMethodFor(em, input.paymentMethod).id;
    paymentIntent.status = 'requires_confirmation';
  }
  em.store.paymentIntents.set(paymentIntent.id, paymentIntent);
  em.emit('payment_intent.created', paymentIntent);
  return input.confirm
    ? confirmPaymentIntent(em, paymentIntent.id, {
        paymentMethod: null,
        throwOnDecline: true,
        returnUrl: input.returnUrl ?? null,
      })
    : paymentIntent;
}

export interface ConfirmOptions {
  readonly paymentMethod: string | null;
  /** Through the API a decline also answers 402 `card_error`; the control surface only records it. */
  readonly throwOnDecline: boolean;
  /** Where a 3-D Secure redirect comes back to (`redirect_to_url`); absent: `use_stripe_sdk`. */
  readonly returnUrl?: string | null;
  /** Stripe.js asks for the SDK's own next action (`use_stripe_sdk=true`) even with a return URL. */
  readonly useStripeSdk?: boolean;
}

/**
 * One payment attempt with a test card. A card that demands 3-D Secure first leaves the intent
 * in requires_action with a `next_action` the client completes (completeAuthentication). A
 * decline leaves it in requires_payment_method with `last_payment_error`.
 */
export function confirmPaymentIntent(em: Emulation, id: string, options: ConfirmOptions): Stripe.PaymentIntent {
  const pi = find(em.store.paymentIntents, id, 'payment_intent');
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  }
  const requested = options.paymentMethod ?? (typeof pi.payment_method === 'string' ? pi.payment_method : null);
  if (!requested) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
      'payment_method',
    );
  }
  const paymentMethod = paymentMethodFor(em, requested);
  const card = testCard(paymentMethod.token);
  forgetChallenges(em, pi.id);
  if (card.authentication === 'required') return requireAction(em, pi, paymentMethod.id, options);
  return attemptCharge(em, pi, paymentMethod.id, options.throwOnDecline);
}

function forgetChallenges(em: Emulation, paymentIntent: string): void {
  for (const [token, challenge] of em.store.authentications) {
    if (challenge.paymentIntent === paymentIntent) em.store.authentications.delete(token);
  }
}

/** The issuer asks for 3-D Secure: no charge yet, a challenge page of the emulator instead. */
function requireAction(
  em: Emulation,
  pi: Stripe.PaymentIntent,
  paymentMethod: string,
  options: ConfirmOptions,
): Stripe.PaymentIntent {
  const token = newId('auth').slice('auth_'.length);
  const returnUrl = options.returnUrl ?? null;
  em.store.authentications.set(token, { token, paymentIntent: pi.id, paymentMethod, returnUrl });
  const url = `${em.baseUrl()}/_emulator/3ds/${token}`;
  const nextAction: Stripe.PaymentIntent.NextAction =
    returnUrl && !options.useStripeSdk
      ? { type: 'redirect_to_url', redirect_to_url: { url, return_url: returnUrl } }
      : // Stripe.js opens `stripe_js` in a frame for a 3-D Secure redirect inside use_stripe_sdk.
        {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: newId('src') },
        };
  patch(pi, {
    status: 'requires_action',
    payment_method: paymentMethod,
    next_action: nextAction,
    last_payment_error: null,
  });
  em.emit('payment_intent.requires_action', pi);
  return pi;
}

/**
 * The card holder answered the 3-D Secure challenge (what Stripe.js does in its frame or the
 * redirect page): authenticated, the payment goes on to the card; failed, the intent asks for
 * another payment method. Answers where the browser goes next, if anywhere.
 */
export function completeAuthentication(
  em: Emulation,
  token: string,
  outcome: 'authenticated' | 'failed',
): { paymentIntent: Stripe.PaymentIntent; returnUrl: string | null } | null {
  const challenge = em.store.authentications.get(token);
  if (!challenge) return null;
  em.store.authentications.delete(token);
  const pi = find(em.store.paymentIntents, challenge.paymentIntent, 'payment_intent');
  if (pi.status !== 'requires_action') return null;
  patch(pi, { next_action: null });
  if (outcome === 'authenticated') {
    attemptCharge(em, pi, challenge.paymentMethod, false);
  } else {
    patch(pi, {
      status: 'requires_payment_method',
      payment_method: null,
      last_payment_error: {
        type: 'invalid_request_error',
        code: 'payment_intent_authentication_failure',
        doc_url: 'https://stripe.com/docs/error-codes/payment_intent_authentication_failure',
        message:
          'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
        payment_method_type: 'card',
      },
    });
    em.emit('payment_intent.payment_failed', pi);
  }
  return { paymentIntent: pi, returnUrl: challenge.returnUrl };
}

function attemptCharge(
  em: Emulation,
  pi: Stripe.PaymentIntent,
  paymentMethodId: string,
  throwOnDecline: boolean,
): Stripe.PaymentIntent {
  const card = testCard(em.store.paymentMethods.get(paymentMethodId) ?? paymentMethodId);
  const capture = pi.capture_method !== 'manual';
  const charge = newCharge({ paymentIntent: pi, paymentMethod: paymentMethodId, card, capture, created: em.now() });
  em.store.charges.set(charge.id, charge);
  pi.latest_charge = charge.id;

  if (card.decline) {
    const error = {
      type: 'card_error' as const,
      code: card.decline.code,
      decline_code: card.decline.declineCode,
      message: card.decline.message,
      charge: charge.id,
    };
    patch(pi, {
      status: 'requires_payment_method',
      payment_method: null,
      next_action: null,
      last_payment_error: {
        ...error,
        doc_url: `https://stripe.com/docs/error-codes/${error.code}`,
        payment_method_type: 'card',
      },
    });
    em.emit('charge.failed', charge);
    em.emit('payment_intent.payment_failed', pi);
    if (throwOnDecline) throw new StripeApiError(402, { ...error, payment_intent: structuredClone(pi) });
    return pi;
  }

  patch(pi, { payment_method: paymentMethodId, last_payment_error: null, next_action: null });
  if (capture) {
    patch(pi, { status: 'succeeded', amount_received: pi.amount });
    // First, so that charge.succeeded already names its transfer and application fee.
    settleCapturedCharge(em, charge);
    em.emit('charge.succeeded', charge);
    em.emit('payment_intent.succeeded', pi);
  } else {
    patch(pi, { status: 'requires_capture', amount_capturable: pi.amount });
    em.emit('charge.succeeded', charge);
    em.emit('payment_intent.amount_capturable_updated', pi);
  }
  if (card.disputes) openDispute(em, charge, { reason: 'fraudulent', amount: null });
  return pi;
}

export function capturePaymentIntent(em: Emulation, id: string, amountToCapture: number | null): Stripe.PaymentIntent {
  const pi = find(em.store.paymentIntents, id, 'payment_intent');
  if (pi.status !== 'requires_capture') {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    );
  }
  const amount = amountToCapture ?? pi.amount_capturable;
  if (amount > pi.amount_capturable) {
    throw refused(
      `The amount to capture is greater than the amount capturable (${pi.amount_capturable}).`,
      'amount_too_large',
      'amount_to_capture',
    );
  }
  const charge = chargeOf(em.store, pi)!;
  const before = structuredClone(charge);
  patch(charge, {
    captured: true,
    amount_captured: amount,
    amount_refunded: pi.amount - amount,
    balance_transaction: newId('txn'),
  });
  patch(pi, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
  settleCapturedCharge(em, charge);
  em.emit('charge.captured', charge, { before });
  em.emit('payment_intent.succeeded', pi);
  return pi;
}

export function cancelPaymentIntent(
  em: Emulation,
  id: string,
  reason: Stripe.PaymentIntent.CancellationReason | null,
): Stripe.PaymentIntent {
  const pi = find(em.store.paymentIntents, id, 'payment_intent');
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
    );
  }
  const charge = pi.status === 'requires_capture' ? chargeOf(em.store, pi) : undefined;
  if (charge) {
    // Canceling an authorisation releases it: Stripe refunds the uncaptured amount.
    const before = structuredClone(charge);
    const refund = newRefund({
      charge,
      amount: charge.amount,
      reason: null,
      metadata: {},
      created: em.now(),
    });
    em.store.refunds.set(refund.id, refund);
    patch(charge, { amount_refunded: charge.amount, refunded: true });
    charge.refunds?.data.unshift(refund);
    em.emit('refund.created', refund);
    em.emit('charge.refunded', charge, { before });
  }
  patch(pi, {
    status: 'canceled',
    canceled_at: toEpochSeconds(em.now()),
    cancellation_reason: reason,
    amount_capturable: 0,
  });
  em.emit('payment_intent.canceled', pi);
  return pi;
}
