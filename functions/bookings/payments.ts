/**
 * Paying for appointments with Stripe (issue 6): the payment at booking, the webhook, the
 * settlement of what Stripe says, refunds by the cancellation policy, held slots that expire, and
 * the practitioner's Connect onboarding.
 *
 * The flow: a booking of a service paid online is written `requested` with a hold of
 * `paymentHoldMinutes` and gets a PaymentIntent (destination charge to the practitioner's
 * connected account, the platform's application fee); the client confirms it with Stripe. The
 * webhook verifies the signature, notes the event once and hands its id over as
 * `StripeEventReceived`; the processing re-reads the object from Stripe (the current state, not
 * the event's, so duplicates and reordering settle to one result) and publishes
 * `PaymentSucceeded` / `PaymentFailed` / `PaymentRefunded` / `PaymentDisputed`; the booking reacts
 * (confirmed, released). `BookingCancelled` refunds what the policy gives back.
 */

import {
  PaymentDisputed,
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
  StripeEventReceived,
} from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { logger } from '#shared/logger.ts';
import type { OfferedService } from '#shared/offer/offer.ts';
import { defaultServicePayment } from '#shared/offer/offer.ts';
import type { AppointmentStore } from './adapters/appointment-store.ts';
import {
  committedOf,
  isLive,
  type PaymentRecord,
  type PaymentStore,
  type RefundCause,
  type RefundClaim,
} from './adapters/payment-store.ts';
import type { StaffRefundReason } from './contract.ts';
import { type Appointment, cancel, confirm } from './domain/appointment.ts';
import { amountDueAtBooking, applicationFee, refundOnCancellation } from './domain/payment.ts';
import {
  NotAtStripe,
  type PaymentGateway,
  PaymentNotStarted,
  type RefundFunding,
  RefundRefused,
  type RefundState,
} from './payment-gateway.ts';

export interface PaymentDeps {
  readonly store: AppointmentStore;
  readonly payments: PaymentStore;
  readonly gateway: PaymentGateway;
  readonly events: EventPublisher;
  readonly clock: Clock;
  /** The platform's application fee, in basis points of each online payment (1000 = 10 %). */
  readonly feeBasisPoints: number;
}

/** What the client's app needs to pay: Stripe's client secret is for the app only, never logged. */
export interface PaymentStart {
  readonly paymentIntentId: string;
  readonly clientSecret: string;
  readonly amountCents: number;
  readonly holdUntil: string;
  /** Stripe's publishable key, for Stripe.js (public by design), when the deployment names it. */
  readonly publishableKey?: string;
}

/** The payment seam of the booking use case, implemented with Stripe. */
export interface Checkout {
  /** What the client pays online at booking for this service (0: nothing; the booking is confirmed at once). */
  amountDue(service: OfferedService): number;
  /** Refuses (409) a booking to be paid online when the practitioner cannot receive payments. */
  assertCanCharge(practitionerId: string): Promise<void>;
  /** Creates (or finds again: idempotent per appointment) the payment of a held booking. */
  start(appointment: Appointment, amountCents: number): Promise<PaymentStart>;
}

/** A checkout where nothing is paid online (every service paid on site). */
export const nothingToPay: Checkout = {
  amountDue: () => 0,
  assertCanCharge: async () => {},
  start: async () => {
    throw new Error('nothing to pay online');
  },
};

const cannotCharge = () =>
  new HttpProblem(
    409,
    'Online payment unavailable',
    'This practitioner cannot receive online payments yet: choose a service paid on site',
  );

const paymentUnavailable = () =>
  new HttpProblem(
    503,
    'Payment unavailable',
    'The payment could not be started: the slot was not kept, book again in a moment',
    {
      headers: { 'Retry-After': '30' },
    },
  );

/**
 * The Stripe checkout. Its dependencies are built on first use (`deps` is called then), so the
 * booking functions that never take a payment never read Stripe's configuration.
 */
export function stripeCheckout(
  deps: () => Pick<PaymentDeps, 'payments' | 'gateway' | 'clock' | 'feeBasisPoints'> & { publishableKey?: string },
): Checkout {
  return {
    amountDue: (service) => amountDueAtBooking(service.priceCents, service.payment ?? defaultServicePayment),

    async assertCanCharge(practitionerId) {
      const { payments, clock } = deps();
      const payee = await payments.payee(practitionerId, clock.now());
      if (!payee?.chargesEnabled) throw cannotCharge();
    },

    async start(appointment, amountCents) {
      const { payments, gateway, clock, feeBasisPoints, publishableKey } = deps();
      const now = clock.now();
      const payee = await payments.payee(appointment.practitionerId, now);
      if (!payee) throw cannotCharge();
      const fee = applicationFee(amountCents, feeBasisPoints);
      let started: Awaited<ReturnType<PaymentGateway['startPayment']>>;
      try {
        started = await gateway.startPayment({
          appointmentId: appointment.id,
          amountCents,
          applicationFeeCents: fee,
          destinationAccountId: payee.accountId,
          description: `Rendez-vous ${appointment.id}`,
        });
      } catch (error) {
        // Whatever Stripe answered, the client gets a problem (the booking use case frees the slot).
        if (error instanceof PaymentNotStarted && error.kind === 'refused') throw cannotCharge();
        logger.warn('Payment could not be started', {
          appointmentId: appointment.id,
          kind: error instanceof PaymentNotStarted ? error.kind : 'unexpected',
        });
        throw paymentUnavailable();
      }
      await payments.open({
        appointmentId: appointment.id,
        clientId: appointment.clientId,
        paymentIntentId: started.paymentIntentId,
        amountCents,
        applicationFeeCents: fee,
        status: 'pending',
        createdAt: now.toISOString(),
      });
      return {
        ...started,
        amountCents,
        holdUntil: (appointment.holdUntil ?? appointment.start).toISOString(),
        ...(publishableKey ? { publishableKey } : {}),
      };
    },
  };
}

/**
 * The webhook: the signature is checked on the raw body before anything else (a bad one is a
 * 400 and nothing is kept); a new event is noted and handed over; an event seen before is
 * acknowledged again without a second hand-over.
 */
export async function receiveStripeWebhook(
  deps: Pick<PaymentDeps, 'gateway' | 'payments' | 'events' | 'clock'>,
  rawBody: string,
  signature: string | undefined,
): Promise<{ received: true; duplicate: boolean }> {
  let event: Awaited<ReturnType<PaymentGateway['verifyWebhook']>>;
  try {
    event = await deps.gateway.verifyWebhook(rawBody, signature);
  } catch {
    throw new HttpProblem(400, 'Invalid signature', 'The Stripe-Signature header does not match this body');
  }
  const state = await deps.payments.receive(event, deps.clock.now());
  if (state === 'published') return { received: true, duplicate: true };
  // New, or noted before but not handed over (a failure between the two): hand it over now.
  await deps.events.publish(
    StripeEventReceived,
    {
      stripeEventId: event.id,
      // Stripe's types are short; a longer one is none we act on, and must not fail the hand-over.
      type: event.type.slice(0, 100),
      ...(event.objectId ? { objectId: event.objectId } : {}),
      ...(event.account ? { account: event.account } : {}),
    },
    { correlationId: event.id },
  );
  await deps.payments.markPublished(event.id);
  return { received: true, duplicate: state !== 'new' };
}

/**
 * The events we act on, each with the kind of object it is about (by its id's prefix). Every
 * other event (another type, an object without an id, an id of another kind) is acknowledged and
 * left: settled as ignored, never thrown, so never retried nor dead-lettered.
 */
const settlements: readonly {
  readonly type: RegExp;
  readonly prefixes: readonly string[];
  readonly settle: (deps: PaymentDeps, objectId: string) => Promise<string>;
}[] = [
  { type: /^payment_intent\./, prefixes: ['pi_'], settle: (deps, id) => settlePaymentIntent(deps, id) },
  // charge.refunded is about the charge; charge.refund.updated and refund.* about the refund.
  { type: /^charge\.refunded$/, prefixes: ['ch_', 'py_'], settle: (deps, id) => settleChargeRefunds(deps, id) },
  {
    type: /^(refund\.|charge\.refund\.updated$)/,
    prefixes: ['re_', 'pyr_'],
    settle: (deps, id) => settleRefund(deps, id),
  },
  { type: /^charge\.dispute\./, prefixes: ['dp_', 'du_'], settle: (deps, id) => settleDispute(deps, id) },
  { type: /^account\.updated$/, prefixes: ['acct_'], settle: (deps, id) => settlePayee(deps, id) },
];

/**
 * Settles one Stripe event by re-reading its object from Stripe: what counts is the object's
 * state now, whatever order the events came in and however often. An object Stripe does not know
 * (404) is not ours: settled as ignored.
 */
export async function processStripeEvent(
  deps: PaymentDeps,
  data: { stripeEventId: string; type: string; objectId?: string | undefined; account?: string | undefined },
): Promise<string> {
  const { objectId } = data;
  const settlement = settlements.find((s) => s.type.test(data.type));
  if (!settlement || !objectId || !settlement.prefixes.some((prefix) => objectId.startsWith(prefix))) return 'ignored';
  // Our payments are destination charges, made on the platform: of what happens on a connected
  // account, only the account itself is ours to follow.
  if (data.account && data.type !== 'account.updated') return 'ignored';
  try {
    return await settlement.settle(deps, objectId);
  } catch (error) {
    if (error instanceof NotAtStripe) return 'unknown-object';
    throw error;
  }
}

async function settlePaymentIntent(deps: PaymentDeps, paymentIntentId: string): Promise<string> {
  const pi = await deps.gateway.paymentIntent(paymentIntentId);
  if (!pi.appointmentId) return 'not-ours';
  const now = deps.clock.now();
  const ids = { appointmentId: pi.appointmentId, paymentIntentId: pi.id };
  // The record may not exist yet when Stripe's event overtakes our own write: open it from Stripe.
  const appointment = await deps.store.find(pi.appointmentId, now);
  if (!appointment) return 'no-appointment';
  await deps.payments.open({
    appointmentId: pi.appointmentId,
    clientId: appointment.clientId,
    paymentIntentId: pi.id,
    amountCents: pi.amountCents,
    applicationFeeCents: 0,
    status: 'pending',
    createdAt: now.toISOString(),
  });
  if (pi.status === 'succeeded') {
    await deps.payments.settle(pi.appointmentId, ['pending', 'failed'], 'succeeded', now);
    // Published on every settlement, changed or not: the booking's reaction is guarded by its state.
    await deps.events.publish(PaymentSucceeded, { ...ids, amountCents: pi.amountReceivedCents });
    return 'succeeded';
  }
  if (pi.status === 'canceled' || (pi.status === 'requires_payment_method' && pi.lastAttemptFailed)) {
    await deps.payments.settle(pi.appointmentId, ['pending'], 'failed', now);
    await deps.events.publish(PaymentFailed, ids);
    return 'failed';
  }
  return 'in-progress';
}

async function settleRefund(deps: PaymentDeps, refundId: string): Promise<string> {
  const refund = await deps.gateway.refundState(refundId);
  if (!refund.paymentIntentId) return 'not-ours';
  return followRefunds(deps, refund.paymentIntentId);
}

async function settleChargeRefunds(deps: PaymentDeps, chargeId: string): Promise<string> {
  const paymentIntentId = await deps.gateway.chargePaymentIntent(chargeId);
  if (!paymentIntentId) return 'not-ours';
  return followRefunds(deps, paymentIntentId);
}

/**
 * The payment record follows Stripe's refunds of its PaymentIntent, whoever made them: ours settle
 * their claim (matched by the key in their metadata), the others are recorded as `external`, and
 * statuses follow (a failed refund no longer counts).
 */
async function followRefunds(deps: PaymentDeps, paymentIntentId: string): Promise<string> {
  const pi = await deps.gateway.paymentIntent(paymentIntentId);
  if (!pi.appointmentId) return 'not-ours';
  const record = await deps.payments.find(pi.appointmentId, deps.clock.now());
  if (record?.paymentIntentId !== pi.id) return 'no-record';
  const refunds = await recordStripeRefunds(deps, record);
  // Published on every settlement (at least once); nothing consumes them to move money.
  for (const refund of refunds)
    await deps.events.publish(PaymentRefunded, {
      appointmentId: record.appointmentId,
      paymentIntentId: pi.id,
      refundId: refund.id,
      amountCents: refund.amountCents,
      status: refund.status,
    });
  return 'refunds-settled';
}

/** Re-reads the payment's refunds at Stripe and records what the record does not know yet. */
async function recordStripeRefunds(deps: PaymentDeps, record: PaymentRecord) {
  const now = deps.clock.now();
  const refunds = await deps.gateway.refundsOf(record.paymentIntentId);
  for (const refund of refunds) {
    const known = record.refunds[refund.id];
    const claim = refund.refundKey ? record.claims?.[refund.refundKey] : undefined;
    if (!known && claim && !claim.refundId) {
      // Our own refund, whose answer from Stripe was not recorded yet (its event came first).
      await deps.payments.settleClaim(
        record.appointmentId,
        claim,
        { refundId: refund.id, amountCents: refund.amountCents, status: refund.status },
        now,
      );
      continue;
    }
    if (known?.status === refund.status) continue;
    await deps.payments.recordRefund(
      record.appointmentId,
      known
        ? { ...known, status: refund.status }
        : {
            refundId: refund.id,
            amountCents: refund.amountCents,
            status: refund.status,
            cause: 'external',
            at: now.toISOString(),
          },
      now,
    );
  }
  return refunds;
}

async function settleDispute(deps: PaymentDeps, disputeId: string): Promise<string> {
  const dispute = await deps.gateway.dispute(disputeId);
  if (!dispute.paymentIntentId) return 'ignored';
  const pi = await deps.gateway.paymentIntent(dispute.paymentIntentId);
  if (!pi.appointmentId) return 'not-ours';
  const now = deps.clock.now();
  if (!(await deps.payments.find(pi.appointmentId, now))) return 'no-record';
  await deps.payments.recordDispute(
    pi.appointmentId,
    {
      disputeId: dispute.id,
      amountCents: dispute.amountCents,
      status: dispute.status,
      reason: dispute.reason,
      at: now.toISOString(),
    },
    now,
  );
  await deps.events.publish(PaymentDisputed, {
    appointmentId: pi.appointmentId,
    paymentIntentId: pi.id,
    disputeId: dispute.id,
    status: dispute.status,
  });
  return 'dispute-recorded';
}

async function settlePayee(deps: PaymentDeps, accountId: string): Promise<string> {
  const state = await deps.gateway.payee(accountId);
  if (!state.practitionerId) return 'not-ours';
  const now = deps.clock.now();
  const known = await deps.payments.payee(state.practitionerId, now);
  if (known && known.accountId !== accountId) return 'not-ours';
  await deps.payments.savePayee({ ...state, practitionerId: state.practitionerId, updatedAt: now.toISOString() }, now);
  return 'payee-updated';
}

/** `PaymentSucceeded`: confirms the held booking; a payment for a booking already released is refunded whole. */
export async function confirmPaidBooking(deps: PaymentDeps, data: { appointmentId: string; amountCents: number }) {
  const now = deps.clock.now();
  const appointment = await deps.store.find(data.appointmentId, now);
  if (!appointment) return 'no-appointment';
  if (appointment.state === 'requested') {
    const outcome = await deps.store.change(appointment, confirm(appointment, now), now);
    if (outcome.kind === 'changed') return 'confirmed';
    throw new Error('The booking changed while its payment was settled; delivered again');
  }
  if (appointment.state === 'cancelled') {
    // As its cancellation gives back: whole, unless the client cancelled late (a PaymentSucceeded
    // delivered again after a late cancellation must not give the practitioner's fee back).
    const amount = appointment.cancellation
      ? refundOnCancellation(data.amountCents, appointment.service.priceCents, appointment.cancellation)
      : data.amountCents;
    return refund(deps, appointment, {
      cause: 'late-payment',
      key: policyRefundKey(appointment.id),
      amountCents: amount,
    });
  }
  return 'already-settled';
}

/** `PaymentFailed`: releases the slot of a booking still waiting for its payment. */
export async function releaseUnpaidBooking(deps: PaymentDeps, data: { appointmentId: string }) {
  const now = deps.clock.now();
  const appointment = await deps.store.find(data.appointmentId, now);
  if (appointment?.state !== 'requested') return 'already-settled';
  const outcome = await deps.store.change(appointment, cancel(appointment, 'platform', now), now);
  if (outcome.kind === 'changed') return 'released';
  throw new Error('The booking changed while its payment failed; delivered again');
}

type OwnRefundCause = Exclude<RefundCause, 'external'>;

/**
 * Who pays each refund (ADR 0011, "Who pays a refund"). Stripe takes a destination charge's
 * refund from the platform's balance unless the transfer is reversed; both flags act in
 * proportion to the refunded amount, so a partial refund takes back the practitioner's share of
 * it and gives back the platform's fee on it.
 */
export function refundFunding(cause: OwnRefundCause, staffReason?: StaffRefundReason): RefundFunding {
  // A refund outside the policy that the platform grants on its own account (a gesture, a no-show
  // forgiven): the practitioner never agreed to it, so it comes out of the platform's balance.
  if (cause === 'staff' && (staffReason === 'goodwill' || staffReason === 'no-show-exception'))
    return { reverseTransfer: false, refundApplicationFee: false };
  // The policy's refunds, a payment after the slot was released, a service that went wrong, a
  // duplicate payment: the money goes back from where it went, the practitioner's part from their
  // account and the platform's fee from the platform.
  return { reverseTransfer: true, refundApplicationFee: true };
}

/**
 * The policy gives one refund per booking, whichever path asks it first (its cancellation, or its
 * payment coming after the booking was released): one key, so the two can never both claim it.
 */
const policyRefundKey = (appointmentId: string) => `refund-${appointmentId}-policy`;

/** What the policy's refunds (cancellation, late payment) gave back or promised between them (older records had two keys). */
function givenByPolicy(record: PaymentRecord): number {
  const policy = (cause: RefundCause) => cause === 'cancellation' || cause === 'late-payment';
  const refunded = Object.values(record.refunds)
    .filter((r) => policy(r.cause) && isLive(r.status))
    .reduce((sum, r) => sum + r.amountCents, 0);
  const claimed = Object.values(record.claims ?? {})
    .filter((c) => policy(c.cause) && !c.refundId)
    .reduce((sum, c) => sum + c.amountCents, 0);
  return refunded + claimed;
}

/** A claim for a key, or a refund recorded under it before claims existed. */
function claimOf(record: PaymentRecord, key: string): RefundClaim | undefined {
  const claim = record.claims?.[key];
  if (claim) return claim;
  const legacy = Object.values(record.refunds).find((r) => r.idempotencyKey === key);
  if (!legacy || legacy.cause === 'external') return undefined;
  return { key, amountCents: legacy.amountCents, cause: legacy.cause, at: legacy.at, refundId: legacy.refundId };
}

const euros = (cents: number) => `${(cents / 100).toFixed(2)} €`;

const tooMuch = (remainingCents: number) =>
  new HttpProblem(
    409,
    'More than remains',
    `Only ${euros(remainingCents)} of this payment remain refundable (other refunds were made or are under way)`,
  );

interface RefundAsk {
  readonly cause: OwnRefundCause;
  /** The idempotency key, also Stripe's: one per reason of refund. */
  readonly key: string;
  /** A staff refund: exactly this; a policy refund: what the policy's refunds give back in all. */
  readonly amountCents: number;
  readonly staff?: { readonly actorId: string; readonly reason: StaffRefundReason };
}

/**
 * Refunds under a claim: the amount is reserved on the payment record (a conditional write on
 * what is committed) before Stripe is asked, then settled with Stripe's refund or released if
 * Stripe refused it. Concurrent refunds can therefore never promise more than was paid. A policy
 * refund is capped by what remains; a staff refund is exact, or a 409 saying what remains.
 */
async function refund(deps: PaymentDeps, appointment: Appointment, ask: RefundAsk): Promise<string> {
  const now = deps.clock.now();
  // Rounds: a concurrent claim, or a refund made at Stripe meanwhile, makes it read again.
  for (let round = 0; round < 5; round++) {
    const record = await deps.payments.find(appointment.id, now);
    if (record?.status !== 'succeeded') return 'nothing-paid';
    let claim = claimOf(record, ask.key);
    if (claim) {
      if (ask.staff && claim.amountCents !== ask.amountCents)
        throw new HttpProblem(
          422,
          'Key reused',
          `This Idempotency-Key was used for a refund of ${euros(claim.amountCents)}: use a new key for another amount`,
        );
      if (claim.refundId) return 'already-refunded';
      // An open claim: an earlier attempt stopped before Stripe's answer; the same key resumes it.
    } else {
      const remaining = record.amountCents - committedOf(record);
      const amount = ask.staff ? ask.amountCents : Math.min(ask.amountCents - givenByPolicy(record), remaining);
      if (ask.staff && amount > remaining) throw tooMuch(Math.max(0, remaining));
      if (amount <= 0) return 'nothing-to-refund';
      claim = {
        key: ask.key,
        amountCents: amount,
        cause: ask.cause,
        ...(ask.staff ? { actorId: ask.staff.actorId, reason: ask.staff.reason } : {}),
        at: now.toISOString(),
      };
      const claimed = await deps.payments.claimRefund(record, claim, now);
      if (claimed.kind === 'exceeds' && ask.staff) throw tooMuch(claimed.remainingCents);
      if (claimed.kind !== 'claimed') continue;
    }

    let done: RefundState;
    try {
      done = await deps.gateway.refund({
        paymentIntentId: record.paymentIntentId,
        amountCents: claim.amountCents,
        idempotencyKey: claim.key,
        appointmentId: appointment.id,
        ...refundFunding(claim.cause, ask.staff?.reason),
      });
    } catch (error) {
      if (!(error instanceof RefundRefused)) {
        // No answer: the refund may have been made, so the claim stays (a retry under the same key
        // resumes it; Stripe's refund event settles it if it was made).
        if (!ask.staff) throw error;
        throw new HttpProblem(
          503,
          'Stripe unavailable',
          'The refund could not be confirmed with Stripe: retry with the same Idempotency-Key',
          { headers: { 'Retry-After': '30' } },
        );
      }
      await deps.payments.releaseClaim(appointment.id, claim, now);
      if (error.code === 'charge-disputed') {
        // The client disputed the charge: the chargeback, not a refund, gives the money back.
        if (ask.staff)
          throw new HttpProblem(
            409,
            'Payment disputed',
            'The client disputed this payment with their bank: settle the dispute in Stripe, no refund can be added',
          );
        logger.warn('Refund refused: the payment is disputed', { appointmentId: appointment.id, cause: ask.cause });
        return 'disputed';
      }
      if (error.code === 'idempotency-conflict') {
        if (ask.staff)
          throw new HttpProblem(422, 'Key reused', 'This Idempotency-Key was used at Stripe for another refund');
        logger.error('Refund refused: its key was used with other parameters', {
          appointmentId: appointment.id,
          cause: ask.cause,
        });
        return 'key-conflict';
      }
      // amount-too-large: someone refunded at Stripe (the dashboard) and its event is not in yet:
      // follow Stripe's refunds now, then decide again on what remains.
      const atStripe = await recordStripeRefunds(deps, record);
      if (ask.staff) {
        // What remains by Stripe's count and by ours, whichever is less: never a 500, never a retry loop.
        const refundedAtStripe = atStripe.filter((r) => isLive(r.status)).reduce((sum, r) => sum + r.amountCents, 0);
        const latest = await deps.payments.find(appointment.id, now);
        const ours = latest ? latest.amountCents - committedOf(latest) : 0;
        throw tooMuch(Math.max(0, Math.min(record.amountCents - refundedAtStripe, ours)));
      }
      continue;
    }
    await deps.payments.settleClaim(
      appointment.id,
      claim,
      { refundId: done.id, amountCents: done.amountCents, status: done.status },
      now,
    );
    logger.info('Refund issued', {
      appointmentId: appointment.id,
      refundId: done.id,
      cause: ask.cause,
      amountCents: done.amountCents,
    });
    return 'refunded';
  }
  if (ask.staff)
    throw new HttpProblem(409, 'Changed meanwhile', 'Other refunds of this payment are under way: read it again');
  throw new Error('The payment kept changing while it was refunded; delivered again');
}

/**
 * `BookingCancelled`: gives back what the policy says (everything when the client cancelled in
 * time or the practitioner or the platform cancelled; the payment minus the policy's fee when the
 * client cancelled late); a payment still pending is canceled at Stripe.
 */
export async function refundCancelledBooking(deps: PaymentDeps, data: { appointmentId: string }) {
  const now = deps.clock.now();
  const appointment = await deps.store.find(data.appointmentId, now);
  if (appointment?.state !== 'cancelled' || !appointment.cancellation) return 'not-cancelled';
  const record = await deps.payments.find(appointment.id, now);
  if (!record) return 'nothing-paid';
  if (record.status === 'pending') {
    // If it succeeded meanwhile, its PaymentSucceeded refunds it (the booking is cancelled).
    await deps.gateway.cancelPayment(record.paymentIntentId);
    return 'payment-canceled';
  }
  const amount = refundOnCancellation(record.amountCents, appointment.service.priceCents, appointment.cancellation);
  return refund(deps, appointment, {
    cause: 'cancellation',
    key: policyRefundKey(appointment.id),
    amountCents: amount,
  });
}

/**
 * Staff refund outside the policy (a no-show they forgive, a service issue): who, why, and a key.
 * Exactly the amount asked or nothing: more than remains is a 409 saying what remains; the same
 * key with another amount a 422.
 */
export async function refundByStaff(
  deps: PaymentDeps,
  appointmentId: string,
  staff: { actorId: string; key: string },
  input: { amountCents: number; reason: StaffRefundReason },
) {
  const now = deps.clock.now();
  const appointment = await deps.store.find(appointmentId, now);
  if (!appointment) throw new HttpProblem(404, 'Not found', 'No appointment has this id');
  const outcome = await refund(deps, appointment, {
    cause: 'staff',
    key: `refund-${appointment.id}-staff-${staff.key}`,
    amountCents: input.amountCents,
    staff: { actorId: staff.actorId, reason: input.reason },
  });
  if (outcome === 'nothing-paid')
    throw new HttpProblem(409, 'Nothing paid', 'This appointment has no succeeded payment to refund');
  return paymentView(await deps.payments.find(appointmentId, now));
}

export function paymentView(record: Awaited<ReturnType<PaymentStore['find']>>) {
  if (!record) return undefined;
  const refunds = Object.values(record.refunds).sort((a, b) => a.at.localeCompare(b.at));
  return {
    paymentIntentId: record.paymentIntentId,
    amountCents: record.amountCents,
    status: record.status,
    refundedCents: refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amountCents, 0),
    refunds: refunds.map((r) => ({
      refundId: r.refundId,
      amountCents: r.amountCents,
      status: r.status,
      cause: r.cause,
    })),
    disputes: Object.values(record.disputes).map((d) => ({
      disputeId: d.disputeId,
      status: d.status,
      reason: d.reason,
    })),
  };
}

/**
 * Held bookings whose payment did not come in time: the payment is canceled at Stripe (unless it
 * succeeded meanwhile: then the booking is confirmed) and the slot released.
 */
export async function releaseExpiredHolds(deps: PaymentDeps): Promise<{ released: number; confirmed: number }> {
  const now = deps.clock.now();
  let released = 0;
  let confirmed = 0;
  for (const appointment of await deps.store.listExpiredHolds(now)) {
    const record = await deps.payments.find(appointment.id, now);
    const canceled = record ? await deps.gateway.cancelPayment(record.paymentIntentId) : true;
    if (!canceled) {
      if (
        (await confirmPaidBooking(deps, { appointmentId: appointment.id, amountCents: record!.amountCents })) ===
        'confirmed'
      )
        confirmed++;
      continue;
    }
    if (record) await deps.payments.settle(appointment.id, ['pending'], 'failed', now);
    const outcome = await deps.store.change(appointment, cancel(appointment, 'platform', now), now);
    if (outcome.kind === 'changed') released++;
  }
  return { released, confirmed };
}

/** Connect onboarding: the practitioner's connected account (created once), and a link to complete it. */
export async function startPayoutOnboarding(
  deps: PaymentDeps,
  practitionerId: string,
  urls: { returnUrl: string; refreshUrl: string },
) {
  const now = deps.clock.now();
  let payee = await deps.payments.payee(practitionerId, now);
  if (!payee) {
    const created = await deps.gateway.createPayee({ practitionerId });
    payee = { ...created, practitionerId, updatedAt: now.toISOString() };
    await deps.payments.savePayee(payee, now);
  }
  const url = await deps.gateway.onboardingLink({ accountId: payee.accountId, ...urls });
  return { url, accountId: payee.accountId };
}

/** Whether the practitioner can receive payments, as Stripe says now. */
export async function payoutStatus(deps: PaymentDeps, practitionerId: string) {
  const now = deps.clock.now();
  const known = await deps.payments.payee(practitionerId, now);
  if (!known) return { connected: false, chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: false };
  const state = await deps.gateway.payee(known.accountId);
  const payee = { ...state, practitionerId, updatedAt: now.toISOString() };
  await deps.payments.savePayee(payee, now);
  return {
    connected: true,
    accountId: payee.accountId,
    chargesEnabled: payee.chargesEnabled,
    payoutsEnabled: payee.payoutsEnabled,
    detailsSubmitted: payee.detailsSubmitted,
  };
}

/** Staff: the payments with a dispute, the latest first, with the appointment they pay. */
export async function listPaymentDisputes(
  deps: { readonly payments: Pick<PaymentStore, 'listDisputed'> },
  query: { limit: number; cursor?: string | undefined },
) {
  const page = await deps.payments.listDisputed({
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return {
    items: page.items.map((record) => ({ appointmentId: record.appointmentId, ...paymentView(record)! })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
