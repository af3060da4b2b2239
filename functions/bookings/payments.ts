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
import type { PaymentStore, RefundRecord } from './adapters/payment-store.ts';
import { type Appointment, cancel, confirm } from './domain/appointment.ts';
import { amountDueAtBooking, applicationFee, refundOnCancellation } from './domain/payment.ts';
import { type PaymentGateway, RefundRefused } from './payment-gateway.ts';

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

/**
 * The Stripe checkout. Its dependencies are built on first use (`deps` is called then), so the
 * booking functions that never take a payment never read Stripe's configuration.
 */
export function stripeCheckout(
  deps: () => Pick<PaymentDeps, 'payments' | 'gateway' | 'clock' | 'feeBasisPoints'>,
): Checkout {
  return {
    amountDue: (service) => amountDueAtBooking(service.priceCents, service.payment ?? defaultServicePayment),

    async assertCanCharge(practitionerId) {
      const { payments, clock } = deps();
      const payee = await payments.payee(practitionerId, clock.now());
      if (!payee?.chargesEnabled)
        throw new HttpProblem(
          409,
          'Online payment unavailable',
          'This practitioner cannot receive online payments yet: choose a service paid on site',
        );
    },

    async start(appointment, amountCents) {
      const { payments, gateway, clock, feeBasisPoints } = deps();
      const now = clock.now();
      const payee = await payments.payee(appointment.practitionerId, now);
      if (!payee) throw new Error('No payee for a booking to be paid online');
      const fee = applicationFee(amountCents, feeBasisPoints);
      const started = await gateway.startPayment({
        appointmentId: appointment.id,
        amountCents,
        applicationFeeCents: fee,
        destinationAccountId: payee.accountId,
        description: `Rendez-vous ${appointment.id}`,
      });
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
    { stripeEventId: event.id, type: event.type, objectId: event.objectId },
    { correlationId: event.id },
  );
  await deps.payments.markPublished(event.id);
  return { received: true, duplicate: state !== 'new' };
}

/** The types we act on; every other event is acknowledged and left. */
const handled = /^(payment_intent\.|charge\.refund|charge\.refunded$|refund\.|charge\.dispute\.|account\.updated$)/;

/**
 * Settles one Stripe event by re-reading its object from Stripe: what counts is the object's
 * state now, whatever order the events came in and however often.
 */
export async function processStripeEvent(
  deps: PaymentDeps,
  data: { stripeEventId: string; type: string; objectId: string },
): Promise<string> {
  if (!handled.test(data.type)) return 'ignored';
  if (data.type.startsWith('payment_intent.')) return settlePaymentIntent(deps, data.objectId);
  if (data.type.startsWith('charge.dispute.')) return settleDispute(deps, data.objectId);
  if (data.type === 'account.updated') return settlePayee(deps, data.objectId);
  if (data.type.startsWith('refund.')) return settleRefund(deps, data.objectId);
  // charge.refunded / charge.refund.updated: the refunds of the charge's payment.
  const paymentIntentId = await deps.gateway.chargePaymentIntent(data.objectId);
  if (!paymentIntentId) return 'ignored';
  return settleRefundsOf(deps, paymentIntentId);
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
  if (!refund.paymentIntentId) return 'ignored';
  return settleRefundsOf(deps, refund.paymentIntentId, refund);
}

async function settleRefundsOf(
  deps: PaymentDeps,
  paymentIntentId: string,
  known?: Awaited<ReturnType<PaymentGateway['refundState']>>,
): Promise<string> {
  const pi = await deps.gateway.paymentIntent(paymentIntentId);
  if (!pi.appointmentId) return 'not-ours';
  const record = await deps.payments.find(pi.appointmentId, deps.clock.now());
  if (!record) return 'no-record';
  const refunds = known
    ? [known]
    : await Promise.all(Object.keys(record.refunds).map((id) => deps.gateway.refundState(id)));
  for (const refund of refunds) {
    const recorded = record.refunds[refund.id];
    if (!recorded) continue; // a refund made outside the platform: staff see it at Stripe
    await deps.payments.recordRefund(pi.appointmentId, { ...recorded, status: refund.status }, deps.clock.now());
    await deps.events.publish(PaymentRefunded, {
      appointmentId: pi.appointmentId,
      paymentIntentId,
      refundId: refund.id,
      amountCents: refund.amountCents,
      status: refund.status,
    });
  }
  return 'refunds-settled';
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
    return refund(deps, appointment, 'late-payment', amount);
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

async function refund(
  deps: PaymentDeps,
  appointment: Appointment,
  cause: RefundRecord['cause'],
  amountCents: number,
  staff?: { actorId: string; reason: string; key: string },
): Promise<string> {
  const now = deps.clock.now();
  const record = await deps.payments.find(appointment.id, now);
  if (record?.status !== 'succeeded') return 'nothing-paid';
  const live = Object.values(record.refunds).filter((r) => r.status !== 'failed' && r.status !== 'canceled');
  const refunded = live.reduce((sum, r) => sum + r.amountCents, 0);
  // A staff refund adds to what was given back; the policy's refunds (cancellation, late payment)
  // make up `amountCents` between them, so the two never both give back the same money.
  const byPolicy = live.filter((r) => r.cause !== 'staff').reduce((sum, r) => sum + r.amountCents, 0);
  const amount = Math.min(staff ? amountCents : amountCents - byPolicy, record.amountCents - refunded);
  if (amount <= 0) return 'nothing-to-refund';
  // One key per reason of refund: a retry of the same refund never pays back twice.
  const idempotencyKey = staff ? `refund-${appointment.id}-staff-${staff.key}` : `refund-${appointment.id}-${cause}`;
  let done: Awaited<ReturnType<PaymentGateway['refund']>>;
  try {
    done = await deps.gateway.refund({
      paymentIntentId: record.paymentIntentId,
      amountCents: amount,
      idempotencyKey,
      appointmentId: appointment.id,
    });
  } catch (error) {
    if (!(error instanceof RefundRefused)) throw error;
    // The client disputed the charge: the chargeback, not a refund, gives the money back.
    if (staff)
      throw new HttpProblem(
        409,
        'Payment disputed',
        'The client disputed this payment with their bank: settle the dispute in Stripe, no refund can be added',
      );
    logger.warn('Refund refused: the payment is disputed', { appointmentId: appointment.id, cause });
    return 'disputed';
  }
  await deps.payments.recordRefund(
    appointment.id,
    {
      refundId: done.id,
      amountCents: done.amountCents,
      status: done.status,
      cause,
      ...(staff ? { actorId: staff.actorId, reason: staff.reason } : {}),
      idempotencyKey,
      at: now.toISOString(),
    },
    now,
  );
  logger.info('Refund issued', {
    appointmentId: appointment.id,
    refundId: done.id,
    cause,
    amountCents: done.amountCents,
  });
  return 'refunded';
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
  return refund(deps, appointment, 'cancellation', amount);
}

/** Staff refund outside the policy (a no-show they forgive, a service issue): who, why, and a key. */
export async function refundByStaff(
  deps: PaymentDeps,
  appointmentId: string,
  staff: { actorId: string; key: string },
  input: { amountCents: number; reason: string },
) {
  const now = deps.clock.now();
  const appointment = await deps.store.find(appointmentId, now);
  if (!appointment) throw new HttpProblem(404, 'Not found', 'No appointment has this id');
  const outcome = await refund(deps, appointment, 'staff', input.amountCents, {
    actorId: staff.actorId,
    reason: input.reason,
    key: staff.key,
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
