/**
 * The payment use cases (functions/bookings/payments.ts) on in-memory ports: a Stripe gateway
 * whose PaymentIntents we steer and which answers the same refund to the same idempotency key (as
 * Stripe does), a payment store with the conditions of the DynamoDB one, an appointment store, a
 * publisher that records the events, a manual clock.
 *
 * Settlement re-reads Stripe, so duplicated and reordered events settle to one state; a booking is
 * confirmed once; cancellations refund what the policy gives back, once per reason; held bookings
 * whose payment did not come are released; book() holds the slot and answers a checkout.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { EventContract } from '#events/envelope.ts';
import { rules } from '#events/rules.ts';
import {
  type AppointmentStore,
  appointmentIdFor,
  type ChangeOutcome,
  type CreateOutcome,
} from '#functions/bookings/adapters/appointment-store.ts';
import {
  committedOf,
  type DisputeRecord,
  isLive,
  type Payee,
  type PaymentRecord,
  type PaymentStatus,
  type PaymentStore,
  type ReceiptState,
  type RefundRecord,
} from '#functions/bookings/adapters/payment-store.ts';
import { stripeGateway } from '#functions/bookings/adapters/stripe-gateway.ts';
import {
  type Appointment,
  cancel,
  confirm,
  markNoShow,
  newAppointment,
} from '#functions/bookings/domain/appointment.ts';
import {
  NotAtStripe,
  type PaymentGateway,
  type PaymentIntentState,
  RefundRefused,
  type RefundState,
} from '#functions/bookings/payment-gateway.ts';
import {
  confirmPaidBooking,
  type PaymentDeps,
  paymentView,
  processStripeEvent,
  receiveStripeWebhook,
  refundByStaff,
  refundCancelledBooking,
  releaseExpiredHolds,
  releaseUnpaidBooking,
  stripeCheckout,
} from '#functions/bookings/payments.ts';
import { type BookDeps, book } from '#functions/bookings/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { OfferedService } from '#shared/offer/offer.ts';
import type { OfferReader } from '#shared/offer/offer-reader.ts';
import type { CancellationPolicy } from '#shared/offer/schedule.ts';

const CLIENT = '11111111-1111-4111-8111-111111111111';
const PRACTITIONER = '22222222-2222-4222-8222-222222222222';
const STAFF = '33333333-3333-4333-8333-333333333333';
const ACCOUNT = 'acct_practitioner22';

const minute = 60_000;
const T0 = '2027-03-01T09:00:00.000Z';
/** Free cancellation until 2027-03-09T09:00Z under the policy below. */
const START = new Date('2027-03-10T09:00:00Z');
const policy: CancellationPolicy = { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 };

const fullService: OfferedService = {
  id: 'svc_full',
  name: 'Séance',
  durationMinutes: 60,
  priceCents: 6000,
  payment: { mode: 'full' },
};
const depositService: OfferedService = {
  id: 'svc_deposit',
  name: 'Séance (acompte)',
  durationMinutes: 60,
  priceCents: 6000,
  payment: { mode: 'deposit', depositPercent: 30 },
};

// ─── in-memory ports ────────────────────────────────────────────────────────────────────────────

const unused = (name: string) => async (): Promise<never> => {
  throw new Error(`${name} is not used here`);
};

function memoryAppointments() {
  const items = new Map<string, Appointment>();
  const store: AppointmentStore = {
    async create(a): Promise<CreateOutcome> {
      if (items.has(a.id)) return { kind: 'exists', appointment: items.get(a.id) };
      items.set(a.id, a);
      return { kind: 'created' };
    },
    async change(previous, next): Promise<ChangeOutcome> {
      if (items.get(previous.id)?.version !== previous.version) return { kind: 'stale' };
      items.set(next.id, next);
      return { kind: 'changed' };
    },
    async find(id) {
      return items.get(id);
    },
    async listForPractitioner(practitionerId, range) {
      return [...items.values()].filter(
        (a) => a.practitionerId === practitionerId && a.start >= range.from && a.start < range.to,
      );
    },
    async listExpiredHolds(now) {
      return [...items.values()].filter(
        (a) => a.state === 'requested' && a.holdUntil !== undefined && a.holdUntil.getTime() <= now.getTime(),
      );
    },
    // This store keeps no holdings: none are read, none limit a booking.
    async readHoldings(clientId, practitionerId) {
      return { clientId, practitionerId, holdings: [], version: undefined, held: false };
    },
    listForClient: unused('listForClient'),
    erase: unused('erase'),
  };
  return { store, items };
}

/** The payment store's contract, as the DynamoDB one keeps it (test/integration/payment-store.test.ts). */
function memoryPayments() {
  const records = new Map<string, PaymentRecord>();
  const receipts = new Map<string, { published: boolean }>();
  const payees = new Map<string, Payee>();
  const store: PaymentStore = {
    async open(record) {
      if (records.has(record.appointmentId)) return;
      records.set(record.appointmentId, {
        ...record,
        refunds: {},
        claims: {},
        committedCents: 0,
        disputes: {},
        updatedAt: record.createdAt,
      });
    },
    async find(appointmentId) {
      return records.get(appointmentId);
    },
    async settle(appointmentId, from: readonly PaymentStatus[], to, now) {
      const record = records.get(appointmentId);
      if (!record || !from.includes(record.status)) return false;
      records.set(appointmentId, { ...record, status: to, updatedAt: now.toISOString() });
      return true;
    },
    // Each write below is atomic (no await inside), as one conditional DynamoDB update is.
    async claimRefund(read, claim, now) {
      const record = records.get(read.appointmentId);
      if (!record) return { kind: 'exceeds', remainingCents: 0 };
      const taken = record.claims?.[claim.key];
      if (taken) return { kind: 'taken', claim: taken };
      const committed = committedOf(record);
      if (committed + claim.amountCents > record.amountCents)
        return { kind: 'exceeds', remainingCents: Math.max(0, record.amountCents - committed) };
      records.set(read.appointmentId, {
        ...record,
        claims: { ...record.claims, [claim.key]: claim },
        committedCents: committed + claim.amountCents,
        updatedAt: now.toISOString(),
      });
      return { kind: 'claimed' };
    },
    async settleClaim(appointmentId, claim, refund, now) {
      const record = records.get(appointmentId);
      const open = record?.claims?.[claim.key];
      if (!record || !open || open.refundId || record.refunds[refund.refundId]) return;
      const recorded: RefundRecord = {
        ...refund,
        cause: claim.cause,
        ...(claim.actorId ? { actorId: claim.actorId } : {}),
        ...(claim.reason ? { reason: claim.reason } : {}),
        idempotencyKey: claim.key,
        at: now.toISOString(),
      };
      records.set(appointmentId, {
        ...record,
        claims: { ...record.claims, [claim.key]: { ...open, refundId: refund.refundId } },
        refunds: { ...record.refunds, [refund.refundId]: recorded },
        committedCents: committedOf(record) - open.amountCents + (isLive(refund.status) ? refund.amountCents : 0),
        updatedAt: now.toISOString(),
      });
    },
    async releaseClaim(appointmentId, claim, now) {
      const record = records.get(appointmentId);
      const open = record?.claims?.[claim.key];
      if (!record || !open || open.refundId) return;
      const { [claim.key]: _released, ...claims } = record.claims ?? {};
      records.set(appointmentId, {
        ...record,
        claims,
        committedCents: committedOf(record) - open.amountCents,
        updatedAt: now.toISOString(),
      });
    },
    async recordRefund(appointmentId, refund: RefundRecord, now) {
      const record = records.get(appointmentId);
      if (!record) throw new Error('no payment record');
      const known = record.refunds[refund.refundId];
      const stored = known ? { ...known, status: refund.status } : refund;
      const before = known && isLive(known.status) ? known.amountCents : 0;
      const after = isLive(stored.status) ? stored.amountCents : 0;
      records.set(appointmentId, {
        ...record,
        refunds: { ...record.refunds, [refund.refundId]: stored },
        committedCents: committedOf(record) - before + after,
        updatedAt: now.toISOString(),
      });
    },
    async recordDispute(appointmentId, dispute: DisputeRecord, now) {
      const record = records.get(appointmentId);
      if (!record) throw new Error('no payment record');
      records.set(appointmentId, {
        ...record,
        disputes: { ...record.disputes, [dispute.disputeId]: dispute },
        updatedAt: now.toISOString(),
      });
    },
    async listDisputed({ limit }) {
      const disputed = [...records.values()].filter((r) => Object.keys(r.disputes).length > 0);
      return { items: disputed.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit) };
    },
    async receive(event): Promise<ReceiptState> {
      const receipt = receipts.get(event.id);
      if (!receipt) {
        receipts.set(event.id, { published: false });
        return 'new';
      }
      return receipt.published ? 'published' : 'unpublished';
    },
    async markPublished(eventId) {
      receipts.set(eventId, { published: true });
    },
    async payee(practitionerId) {
      return payees.get(practitionerId);
    },
    async savePayee(payee) {
      payees.set(payee.practitionerId, payee);
    },
  };
  return { store, records, payees };
}

interface RefundCall {
  readonly paymentIntentId: string;
  readonly amountCents: number;
  readonly idempotencyKey: string;
  readonly reverseTransfer?: boolean;
  readonly refundApplicationFee?: boolean;
}

/**
 * Stripe as far as the use cases see it. PaymentIntents are created once per appointment (the
 * real gateway's idempotency key is `appointment-payment-<id>`, checked below on the real
 * gateway); a refund is created once per idempotency key and the same key answers the same
 * refund; more than the unrefunded amount is refused, as Stripe refuses it.
 */
function fakeStripe() {
  const intents = new Map<string, PaymentIntentState>();
  const refunds = new Map<string, RefundState>();
  const refundsByKey = new Map<string, { refund: RefundState; amountCents: number }>();
  /** PaymentIntents whose charge the client disputed: Stripe refuses refunds on them. */
  const disputed = new Set<string>();
  const calls = {
    startPayment: [] as Parameters<PaymentGateway['startPayment']>[0][],
    cancelPayment: [] as string[],
    refund: [] as RefundCall[],
  };
  let next = 0;
  const newId = (prefix: string) => `${prefix}_${String(++next).padStart(8, '0')}`;
  const intent = (id: string) => {
    const found = intents.get(id);
    if (!found) throw new NotAtStripe(`No such payment_intent: ${id}`);
    return found;
  };
  const set = (id: string, changes: Partial<PaymentIntentState>) => intents.set(id, { ...intent(id), ...changes });
  const refundedOf = (paymentIntentId: string) =>
    [...refunds.values()]
      .filter((r) => r.paymentIntentId === paymentIntentId && r.status !== 'failed' && r.status !== 'canceled')
      .reduce((sum, r) => sum + r.amountCents, 0);

  const gateway: PaymentGateway = {
    async startPayment(input) {
      calls.startPayment.push(input);
      const existing = [...intents.values()].find((pi) => pi.appointmentId === input.appointmentId);
      const pi = existing ?? {
        id: newId('pi'),
        status: 'requires_payment_method' as const,
        amountCents: input.amountCents,
        amountReceivedCents: 0,
        appointmentId: input.appointmentId,
        lastAttemptFailed: false,
        chargeId: undefined,
      };
      intents.set(pi.id, pi);
      return { paymentIntentId: pi.id, clientSecret: `${pi.id}_secret_abc` };
    },
    async paymentIntent(id) {
      return intent(id);
    },
    async cancelPayment(id) {
      calls.cancelPayment.push(id);
      const pi = intent(id);
      if (pi.status === 'succeeded') return false;
      set(id, { status: 'canceled' });
      return true;
    },
    async refund(input) {
      calls.refund.push({
        paymentIntentId: input.paymentIntentId,
        amountCents: input.amountCents,
        idempotencyKey: input.idempotencyKey,
        reverseTransfer: input.reverseTransfer,
        refundApplicationFee: input.refundApplicationFee,
      });
      // Stripe's answer comes later than the call: concurrent callers interleave here.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (disputed.has(input.paymentIntentId)) throw new RefundRefused('charge-disputed');
      const seen = refundsByKey.get(input.idempotencyKey);
      if (seen) {
        if (seen.amountCents !== input.amountCents) throw new RefundRefused('idempotency-conflict');
        return seen.refund;
      }
      const pi = intent(input.paymentIntentId);
      if (pi.status !== 'succeeded') throw new Error('This PaymentIntent has no successful charge to refund');
      // Stripe's amount_too_large.
      if (input.amountCents > pi.amountReceivedCents - refundedOf(pi.id)) throw new RefundRefused('amount-too-large');
      const refund: RefundState = {
        id: newId('re'),
        paymentIntentId: pi.id,
        amountCents: input.amountCents,
        status: 'succeeded',
        refundKey: input.idempotencyKey,
      };
      refunds.set(refund.id, refund);
      refundsByKey.set(input.idempotencyKey, { refund, amountCents: input.amountCents });
      return refund;
    },
    async refundState(id) {
      const refund = refunds.get(id);
      if (!refund) throw new NotAtStripe(`No such refund: ${id}`);
      return refund;
    },
    async refundsOf(paymentIntentId) {
      return [...refunds.values()].filter((r) => r.paymentIntentId === paymentIntentId);
    },
    dispute: unused('dispute'),
    async chargePaymentIntent(chargeId) {
      const pi = [...intents.values()].find((p) => p.chargeId === chargeId);
      if (!pi) throw new NotAtStripe(`No such charge: ${chargeId}`);
      return pi.id;
    },
    createPayee: unused('createPayee'),
    payee: unused('payee'),
    onboardingLink: unused('onboardingLink'),
    verifyWebhook: unused('verifyWebhook'),
  };

  return {
    gateway,
    calls,
    intents,
    refunds,
    dispute: (id: string) => disputed.add(id),
    /** A PaymentIntent made at Stripe without our write (the event overtakes it), or not ours at all. */
    create(input: { amountCents: number; appointmentId?: string }) {
      const id = newId('pi');
      intents.set(id, {
        id,
        status: 'requires_payment_method',
        amountCents: input.amountCents,
        amountReceivedCents: 0,
        appointmentId: input.appointmentId,
        lastAttemptFailed: false,
        chargeId: undefined,
      });
      return id;
    },
    succeed: (id: string) =>
      set(id, { status: 'succeeded', amountReceivedCents: intent(id).amountCents, chargeId: `ch_of_${id}` }),
    decline: (id: string) => set(id, { status: 'requires_payment_method', lastAttemptFailed: true }),
    cancelAtStripe: (id: string) => set(id, { status: 'canceled' }),
    processing: (id: string) => set(id, { status: 'processing' }),
    /** A refund made elsewhere (Stripe's dashboard): no key of ours in its metadata. */
    refundAtDashboard(paymentIntentId: string, amountCents: number) {
      const pi = intent(paymentIntentId);
      if (amountCents > pi.amountReceivedCents - refundedOf(pi.id)) throw new Error('amount_too_large');
      const refund: RefundState = { id: newId('re'), paymentIntentId, amountCents, status: 'succeeded' };
      refunds.set(refund.id, refund);
      return refund.id;
    },
    /** A refund Stripe later reports failed (e.g. the card was closed). */
    failRefund: (id: string) => {
      const refund = refunds.get(id);
      if (refund) refunds.set(id, { ...refund, status: 'failed' });
    },
  };
}

interface Published {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

function recordingEvents() {
  const published: Published[] = [];
  const publisher: EventPublisher = {
    async publish<E extends EventContract>(contract: E, data: unknown) {
      // As on the bus: the data must satisfy the event's contract.
      published.push({ type: contract.detailType, data: contract.data.parse(data) as Record<string, unknown> });
      return `evt_${published.length}`;
    },
  };
  return { publisher, published };
}

// ─── the scene ─────────────────────────────────────────────────────────────────────────────────

function world(options: { chargesEnabled?: boolean; payee?: boolean } = {}) {
  const clock = manualClock(T0);
  const appointments = memoryAppointments();
  const payments = memoryPayments();
  const stripe = fakeStripe();
  const events = recordingEvents();
  const deps: PaymentDeps = {
    store: appointments.store,
    payments: payments.store,
    gateway: stripe.gateway,
    events: events.publisher,
    clock,
    feeBasisPoints: 1000,
  };
  if (options.payee !== false)
    payments.payees.set(PRACTITIONER, {
      practitionerId: PRACTITIONER,
      accountId: ACCOUNT,
      chargesEnabled: options.chargesEnabled ?? true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      updatedAt: T0,
    });
  const checkout = stripeCheckout(() => deps);
  let keys = 0;
  let delivered = 0;
  let stripeEvents = 0;

  const find = async (id: string) => (await appointments.store.find(id, clock.now()))!;
  const record = (id: string) => payments.records.get(id);

  return {
    clock,
    deps,
    checkout,
    appointments,
    payments,
    stripe,
    events,
    find,
    record,

    /** A booking of `service` written `requested` with its 15-minute hold, and its payment started. */
    async held(service: OfferedService = fullService) {
      const now = clock.now();
      const appointment = newAppointment({
        id: appointmentIdFor(CLIENT, `key-${++keys}`),
        practitionerId: PRACTITIONER,
        clientId: CLIENT,
        service,
        start: START,
        cancellationPolicy: policy,
        requestFingerprint: 'fp',
        now,
        holdUntil: new Date(now.getTime() + 15 * minute),
      });
      await appointments.store.create(appointment, now);
      const started = await checkout.start(appointment, checkout.amountDue(service));
      return { id: appointment.id, paymentIntentId: started.paymentIntentId };
    },

    /** Stripe sends an event about an object; it reaches processStripeEvent (StripeEventReceived). */
    stripeSays(type: string, objectId: string) {
      return processStripeEvent(deps, {
        stripeEventId: `evt_${String(++stripeEvents).padStart(8, '0')}`,
        type,
        objectId,
      });
    },

    /** The rule payment-outcomes-to-bookings: the payment events published since the last call reach the booking. */
    async deliverOutcomes() {
      const outcomes: string[] = [];
      for (const event of events.published.slice(delivered)) {
        delivered += 1;
        if (event.type === 'PaymentSucceeded')
          outcomes.push(await confirmPaidBooking(deps, event.data as { appointmentId: string; amountCents: number }));
        if (event.type === 'PaymentFailed')
          outcomes.push(await releaseUnpaidBooking(deps, event.data as { appointmentId: string }));
      }
      return outcomes;
    },

    /** A party cancels (the transition, written), then BookingCancelled reaches refundCancelledBooking. */
    async cancelAs(id: string, by: 'client' | 'practitioner' | 'platform') {
      const current = await find(id);
      expect((await appointments.store.change(current, cancel(current, by, clock.now()), clock.now())).kind).toBe(
        'changed',
      );
      return refundCancelledBooking(deps, { appointmentId: id });
    },
  };
}

type World = ReturnType<typeof world>;

/** A booking paid and confirmed: the client paid, Stripe's event was settled, the booking confirmed. */
async function paid(w: World, service: OfferedService = fullService) {
  const booking = await w.held(service);
  w.stripe.succeed(booking.paymentIntentId);
  expect(await w.stripeSays('payment_intent.succeeded', booking.paymentIntentId)).toBe('succeeded');
  expect(await w.deliverOutcomes()).toEqual(['confirmed']);
  return booking;
}

const refundsOf = (w: World, id: string) => Object.values(w.record(id)?.refunds ?? {});
const refundedAtStripe = (w: World, paymentIntentId: string) =>
  [...w.stripe.refunds.values()]
    .filter((r) => r.paymentIntentId === paymentIntentId && r.status === 'succeeded')
    .reduce((sum, r) => sum + r.amountCents, 0);
const types = (w: World) => w.events.published.map((e) => e.type);
const getView = async (w: World, id: string) => paymentView(await w.payments.store.find(id, w.clock.now()));

// ─── settlement ───────────────────────────────────────────────────────────────────────────────

describe('settling what Stripe says', () => {
  it('a succeeded PaymentIntent: the record is succeeded, PaymentSucceeded is published, the booking confirmed', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    expect(w.record(id)).toMatchObject({ status: 'pending', amountCents: 6000, applicationFeeCents: 600 });
    expect(await w.stripeSays('payment_intent.created', paymentIntentId)).toBe('in-progress');
    expect(w.events.published).toEqual([]);

    w.stripe.succeed(paymentIntentId);
    w.clock.advance(2 * minute);
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(w.record(id)).toMatchObject({ status: 'succeeded', updatedAt: '2027-03-01T09:02:00.000Z' });
    expect(w.events.published).toEqual([
      { type: 'PaymentSucceeded', data: { appointmentId: id, paymentIntentId, amountCents: 6000 } },
    ]);
    expect(await w.deliverOutcomes()).toEqual(['confirmed']);
    expect(await w.find(id)).toMatchObject({ state: 'confirmed', version: 2 });
  });

  it('the same event processed twice settles to the same state; the booking is confirmed once', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    w.stripe.succeed(paymentIntentId);
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    const after = w.record(id);
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(w.record(id)).toEqual(after);
    expect(types(w)).toEqual(['PaymentSucceeded', 'PaymentSucceeded']);

    expect(await w.deliverOutcomes()).toEqual(['confirmed', 'already-settled']);
    expect(await w.find(id)).toMatchObject({ state: 'confirmed', version: 2 });
    expect(w.stripe.calls.refund).toEqual([]);
  });

  it('events in any order: a late `payment_intent.created` re-reads the succeeded state and changes nothing', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    expect(await w.stripeSays('payment_intent.created', paymentIntentId)).toBe('succeeded');
    expect(await w.deliverOutcomes()).toEqual(['already-settled']);
    expect(await w.find(id)).toMatchObject({ state: 'confirmed', version: 2 });
  });

  it('`payment_intent.succeeded` before our record was written: the record is opened from Stripe’s state', async () => {
    const w = world();
    const appointment = newAppointment({
      id: appointmentIdFor(CLIENT, 'overtaken'),
      practitionerId: PRACTITIONER,
      clientId: CLIENT,
      service: fullService,
      start: START,
      cancellationPolicy: policy,
      requestFingerprint: 'fp',
      now: w.clock.now(),
      holdUntil: new Date(w.clock.now().getTime() + 15 * minute),
    });
    await w.appointments.store.create(appointment, w.clock.now());
    const paymentIntentId = w.stripe.create({ amountCents: 6000, appointmentId: appointment.id });
    w.stripe.succeed(paymentIntentId);

    expect(w.record(appointment.id)).toBeUndefined();
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(w.record(appointment.id)).toMatchObject({
      appointmentId: appointment.id,
      clientId: CLIENT,
      paymentIntentId,
      amountCents: 6000,
      status: 'succeeded',
    });
    expect(await w.deliverOutcomes()).toEqual(['confirmed']);

    // Our own write, arriving after, finds the same PaymentIntent and leaves the settled record as it is.
    const started = await w.checkout.start(appointment, 6000);
    expect(started.paymentIntentId).toBe(paymentIntentId);
    expect(w.record(appointment.id)?.status).toBe('succeeded');
  });

  it('a canceled PaymentIntent: PaymentFailed, the record failed, the booking released by the platform', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    w.stripe.cancelAtStripe(paymentIntentId);
    expect(await w.stripeSays('payment_intent.canceled', paymentIntentId)).toBe('failed');
    expect(w.record(id)?.status).toBe('failed');
    expect(w.events.published).toEqual([{ type: 'PaymentFailed', data: { appointmentId: id, paymentIntentId } }]);
    expect(await w.deliverOutcomes()).toEqual(['released']);
    const released = await w.find(id);
    expect(released.state).toBe('cancelled');
    expect(released.cancellation).toMatchObject({ by: 'platform', late: false, feePercent: 0 });
    // Delivered again: nothing more.
    expect(await releaseUnpaidBooking(w.deps, { appointmentId: id })).toBe('already-settled');
    expect((await w.find(id)).version).toBe(released.version);
  });

  it('a declined card fails the payment; a payment still waiting for a card does not', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    expect(await w.stripeSays('payment_intent.requires_action', paymentIntentId)).toBe('in-progress');
    w.stripe.processing(paymentIntentId);
    expect(await w.stripeSays('payment_intent.processing', paymentIntentId)).toBe('in-progress');
    expect(w.events.published).toEqual([]);
    expect(w.record(id)?.status).toBe('pending');

    w.stripe.decline(paymentIntentId);
    expect(await w.stripeSays('payment_intent.payment_failed', paymentIntentId)).toBe('failed');
    expect(types(w)).toEqual(['PaymentFailed']);
    expect(await w.deliverOutcomes()).toEqual(['released']);
    expect((await w.find(id)).cancellation?.by).toBe('platform');
  });

  it('declined, then paid with another card after the slot was released: the record succeeds, refunded whole', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    w.stripe.decline(paymentIntentId);
    expect(await w.stripeSays('payment_intent.payment_failed', paymentIntentId)).toBe('failed');
    expect(await w.deliverOutcomes()).toEqual(['released']);
    w.stripe.succeed(paymentIntentId);
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(w.record(id)?.status).toBe('succeeded');
    expect(await w.deliverOutcomes()).toEqual(['refunded']);
    expect(w.stripe.calls.refund).toEqual([
      {
        paymentIntentId,
        amountCents: 6000,
        idempotencyKey: `refund-${id}-policy`,
        reverseTransfer: true,
        refundApplicationFee: true,
      },
    ]);
  });

  it('a failed payment does not release a booking already confirmed', async () => {
    const w = world();
    const { id } = await paid(w);
    expect(await releaseUnpaidBooking(w.deps, { appointmentId: id })).toBe('already-settled');
    expect((await w.find(id)).state).toBe('confirmed');
  });

  it('types we do not act on are ignored without asking Stripe', async () => {
    const w = world();
    for (const type of ['customer.created', 'charge.succeeded', 'payment_method.attached', 'payout.paid'])
      expect(await w.stripeSays(type, 'ch_unrelated1')).toBe('ignored');
    expect(w.events.published).toEqual([]);
  });

  it('a PaymentIntent without our metadata is not ours: nothing recorded, nothing published', async () => {
    const w = world();
    const paymentIntentId = w.stripe.create({ amountCents: 2500 });
    w.stripe.succeed(paymentIntentId);
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('not-ours');
    expect(w.payments.records.size).toBe(0);
    expect(w.events.published).toEqual([]);
  });

  it('a PaymentIntent of an appointment we do not know: nothing recorded', async () => {
    const w = world();
    const paymentIntentId = w.stripe.create({ amountCents: 2500, appointmentId: appointmentIdFor(CLIENT, 'gone') });
    w.stripe.succeed(paymentIntentId);
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('no-appointment');
    expect(w.payments.records.size).toBe(0);
    expect(w.events.published).toEqual([]);
  });
});

// ─── refunds ───────────────────────────────────────────────────────────────────────────────────

describe('refunds of a cancellation', () => {
  it('the client cancels in time: everything back, under the policy key refund-<id>-policy, the transfer reversed and the fee refunded', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T09:00:00Z'); // the deadline itself: still free
    expect(await w.cancelAs(id, 'client')).toBe('refunded');
    expect(w.stripe.calls.refund).toEqual([
      {
        paymentIntentId,
        amountCents: 6000,
        idempotencyKey: `refund-${id}-policy`,
        reverseTransfer: true,
        refundApplicationFee: true,
      },
    ]);
    expect(refundsOf(w, id)).toEqual([
      expect.objectContaining({
        amountCents: 6000,
        status: 'succeeded',
        cause: 'cancellation',
        idempotencyKey: `refund-${id}-policy`,
        at: '2027-03-09T09:00:00.000Z',
      }),
    ]);
    expect(refundsOf(w, id)[0]).not.toHaveProperty('actorId');
  });

  it('the client cancels late, paid in full: the price minus the policy’s 50 %', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T09:00:01Z');
    expect(await w.cancelAs(id, 'client')).toBe('refunded');
    expect(w.stripe.calls.refund).toEqual([
      {
        paymentIntentId,
        amountCents: 3000,
        idempotencyKey: `refund-${id}-policy`,
        reverseTransfer: true,
        refundApplicationFee: true,
      },
    ]);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(3000);
  });

  it('the client cancels late, deposit paid: the deposit minus the fee, or nothing when the fee is larger', async () => {
    const w = world();
    // deposit 30 % of 6000 = 1800; the fee is 50 % of the price = 3000 > 1800: the deposit is kept whole
    const { id, paymentIntentId } = await paid(w, depositService);
    expect(w.record(id)).toMatchObject({ amountCents: 1800, applicationFeeCents: 180 });
    w.clock.set('2027-03-10T08:00:00Z');
    expect(await w.cancelAs(id, 'client')).toBe('nothing-to-refund');
    expect(w.stripe.calls.refund).toEqual([]);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(0);

    // a deposit of 80 % (4800) with the same policy: 4800 − 3000 = 1800 back
    const bigDeposit: OfferedService = { ...depositService, payment: { mode: 'deposit', depositPercent: 80 } };
    w.clock.set(T0);
    const second = await paid(w, bigDeposit);
    w.clock.set('2027-03-10T08:00:00Z');
    expect(await w.cancelAs(second.id, 'client')).toBe('refunded');
    expect(w.stripe.calls.refund).toEqual([
      {
        paymentIntentId: second.paymentIntentId,
        amountCents: 1800,
        idempotencyKey: `refund-${second.id}-policy`,
        reverseTransfer: true,
        refundApplicationFee: true,
      },
    ]);
  });

  it('the practitioner cancels late: everything back', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-10T08:30:00Z');
    expect(await w.cancelAs(id, 'practitioner')).toBe('refunded');
    expect(w.stripe.calls.refund).toEqual([
      {
        paymentIntentId,
        amountCents: 6000,
        idempotencyKey: `refund-${id}-policy`,
        reverseTransfer: true,
        refundApplicationFee: true,
      },
    ]);
  });

  it('a disputed charge is not refunded: the policy refund stops quietly, support is told (409)', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.stripe.dispute(paymentIntentId);
    w.clock.set('2027-03-01T12:00:00Z');
    expect(await w.cancelAs(id, 'client')).toBe('disputed');
    await expect(
      refundByStaff(w.deps, id, { actorId: 'staff-1', key: 'goodwill-1' }, { amountCents: 1000, reason: 'goodwill' }),
    ).rejects.toMatchObject({ status: 409 });
    expect(refundsOf(w, id)).toEqual([]);
  });

  it('BookingCancelled delivered again refunds nothing more', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T12:00:00Z');
    expect(await w.cancelAs(id, 'client')).toBe('refunded');
    await refundCancelledBooking(w.deps, { appointmentId: id });
    await refundCancelledBooking(w.deps, { appointmentId: id });
    expect(refundsOf(w, id)).toHaveLength(1);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(3000);
  });

  it('a no-show is not refunded automatically: no rule routes BookingNoShow to refunds', async () => {
    const toRefunds = rules.filter(
      (r) => r.target === 'refundCancelledBooking' || r.target === 'refundAppointmentByStaff',
    );
    expect(toRefunds.flatMap((r) => r.events.map((e) => e.detailType))).toEqual(['BookingCancelled']);
    expect(rules.filter((r) => r.events.some((e) => e.detailType === 'BookingNoShow'))).toEqual([]);

    // and were it delivered, a no-show is not a cancellation
    const w = world();
    const { id } = await paid(w);
    w.clock.set('2027-03-10T09:30:00Z');
    const current = await w.find(id);
    await w.appointments.store.change(current, markNoShow(current, w.clock.now()), w.clock.now());
    expect(await refundCancelledBooking(w.deps, { appointmentId: id })).toBe('not-cancelled');
    expect(w.stripe.calls.refund).toEqual([]);
  });

  it('a cancellation while the payment is pending cancels the PaymentIntent, and refunds nothing', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    expect(await w.cancelAs(id, 'client')).toBe('payment-canceled');
    expect(w.stripe.calls.cancelPayment).toEqual([paymentIntentId]);
    expect(w.stripe.intents.get(paymentIntentId)?.status).toBe('canceled');
    expect(w.stripe.calls.refund).toEqual([]);
    // Stripe's event follows: the record fails, the booking is already cancelled.
    expect(await w.stripeSays('payment_intent.canceled', paymentIntentId)).toBe('failed');
    expect(await w.deliverOutcomes()).toEqual(['already-settled']);
  });

  it('a booking never paid online has nothing to refund', async () => {
    const w = world();
    const now = w.clock.now();
    const onSite = confirm(
      newAppointment({
        id: appointmentIdFor(CLIENT, 'on-site'),
        practitionerId: PRACTITIONER,
        clientId: CLIENT,
        service: { ...fullService, payment: { mode: 'on-site' } },
        start: START,
        cancellationPolicy: policy,
        requestFingerprint: 'fp',
        now,
      }),
      now,
    );
    await w.appointments.store.create(onSite, now);
    expect(await w.cancelAs(onSite.id, 'client')).toBe('nothing-paid');
    expect(w.stripe.calls.cancelPayment).toEqual([]);
  });
});

describe('a payment that succeeds after its booking was cancelled', () => {
  it('the hold expired, then the client’s payment succeeded: refunded whole, cause late-payment', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    // the client paid at the last second; the release cancelled the booking before Stripe's event was settled
    w.clock.advance(15 * minute);
    const current = await w.find(id);
    await w.appointments.store.change(current, cancel(current, 'platform', w.clock.now()), w.clock.now());
    w.stripe.succeed(paymentIntentId);

    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(await w.deliverOutcomes()).toEqual(['refunded']);
    expect(w.stripe.calls.refund).toEqual([
      {
        paymentIntentId,
        amountCents: 6000,
        idempotencyKey: `refund-${id}-policy`,
        reverseTransfer: true,
        refundApplicationFee: true,
      },
    ]);
    expect(refundsOf(w, id)).toEqual([expect.objectContaining({ amountCents: 6000, cause: 'late-payment' })]);
    expect((await w.find(id)).state).toBe('cancelled');

    // the same event again: nothing more back
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(await w.deliverOutcomes()).toEqual(['already-refunded']);
    // and BookingCancelled, reaching the refunds after all this, gives nothing more either
    expect(await refundCancelledBooking(w.deps, { appointmentId: id })).toBe('already-refunded');
    expect(refundedAtStripe(w, paymentIntentId)).toBe(6000);
  });

  it('the client cancelled while paying, and the payment went through: its PaymentSucceeded refunds it', async () => {
    const w = world();
    const { id, paymentIntentId } = await w.held();
    w.stripe.succeed(paymentIntentId); // at Stripe, not yet settled here
    expect(await w.cancelAs(id, 'client')).toBe('payment-canceled');
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    expect(await w.deliverOutcomes()).toEqual(['refunded']);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(6000);
  });

  it('PaymentSucceeded delivered again after a late cancellation does not give the fee back', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T20:00:00Z');
    expect(await w.cancelAs(id, 'client')).toBe('refunded');
    expect(refundedAtStripe(w, paymentIntentId)).toBe(3000);
    // A `payment_intent.*` event delivered late (or StripeEventReceived delivered twice) re-reads a
    // succeeded PaymentIntent and publishes PaymentSucceeded again.
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    await w.deliverOutcomes();
    expect(refundedAtStripe(w, paymentIntentId)).toBe(3000);
  });

  it('the same, PaymentSucceeded settled before BookingCancelled reaches the refunds: the fee is kept', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T20:00:00Z');
    const current = await w.find(id);
    await w.appointments.store.change(current, cancel(current, 'client', w.clock.now()), w.clock.now());
    expect(await w.stripeSays('payment_intent.succeeded', paymentIntentId)).toBe('succeeded');
    await w.deliverOutcomes();
    await refundCancelledBooking(w.deps, { appointmentId: id });
    expect(refundedAtStripe(w, paymentIntentId)).toBe(3000);
  });
});

describe('staff refunds', () => {
  it('carry their own key, actor and reason; more than remains is a 409 saying what remains, nothing refunded', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T20:00:00Z');
    expect(await w.cancelAs(id, 'client')).toBe('refunded'); // 3000 back, 3000 kept

    w.clock.set('2027-03-11T10:00:00Z');
    const asked = refundByStaff(
      w.deps,
      id,
      { actorId: STAFF, key: 'ticket-42' },
      { amountCents: 5000, reason: 'goodwill' },
    );
    await expect(asked).rejects.toMatchObject({ status: 409, message: expect.stringContaining('30.00 €') });
    expect(w.stripe.calls.refund).toHaveLength(1);

    const view = await refundByStaff(
      w.deps,
      id,
      { actorId: STAFF, key: 'ticket-43' },
      { amountCents: 3000, reason: 'goodwill' },
    );
    expect(w.stripe.calls.refund.at(-1)).toEqual({
      paymentIntentId,
      amountCents: 3000,
      idempotencyKey: `refund-${id}-staff-ticket-43`,
      reverseTransfer: false,
      refundApplicationFee: false,
    });
    expect(refundsOf(w, id).find((r) => r.cause === 'staff')).toMatchObject({
      amountCents: 3000,
      actorId: STAFF,
      reason: 'goodwill',
      idempotencyKey: `refund-${id}-staff-ticket-43`,
      at: '2027-03-11T10:00:00.000Z',
    });
    expect(view).toMatchObject({ paymentIntentId, amountCents: 6000, status: 'succeeded', refundedCents: 6000 });
    expect(view?.refunds.map((r) => r.cause)).toEqual(['cancellation', 'staff']);

    // nothing is left: another key is refused, and Stripe is not asked
    await expect(
      refundByStaff(w.deps, id, { actorId: STAFF, key: 'ticket-44' }, { amountCents: 100, reason: 'goodwill' }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringContaining('0.00 €') });
    expect(w.stripe.calls.refund).toHaveLength(2);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(6000);
  });

  it('the same key twice refunds once: Stripe answers the same refund, recorded once', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const staff = { actorId: STAFF, key: 'ticket-7' };
    const input = { amountCents: 1000, reason: 'service-issue' } as const;
    const first = await refundByStaff(w.deps, id, staff, input);
    const again = await refundByStaff(w.deps, id, staff, input);
    expect(again).toEqual(first);
    expect(refundsOf(w, id)).toHaveLength(1);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(1000);
  });

  it('a retry after a crash between the claim and Stripe’s answer resumes the claim under the same key', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const staff = { actorId: STAFF, key: 'ticket-8' };
    const input = { amountCents: 1000, reason: 'goodwill' } as const;
    // Stripe made the refund but its answer was lost (a timeout): the claim stays open.
    const refund = w.stripe.gateway.refund;
    w.stripe.gateway.refund = async (call) => {
      await refund(call);
      throw new Error('socket hang up');
    };
    await expect(refundByStaff(w.deps, id, staff, input)).rejects.toMatchObject({ status: 503 });
    expect(w.record(id)?.committedCents).toBe(1000); // still reserved: it may have been made
    w.stripe.gateway.refund = refund;
    await refundByStaff(w.deps, id, staff, input);
    expect(refundsOf(w, id)).toHaveLength(1);
    expect(w.stripe.calls.refund.map((c) => c.idempotencyKey)).toEqual([
      `refund-${id}-staff-ticket-8`,
      `refund-${id}-staff-ticket-8`,
    ]);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(1000);
    expect(w.record(id)?.committedCents).toBe(1000);
  });

  it('the same key with another amount is a 422 naming the conflict; nothing more is refunded', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const staff = { actorId: STAFF, key: 'ticket-9' };
    await refundByStaff(w.deps, id, staff, { amountCents: 1000, reason: 'goodwill' });
    const reused = refundByStaff(w.deps, id, staff, { amountCents: 2000, reason: 'goodwill' });
    await expect(reused).rejects.toMatchObject({ status: 422, message: expect.stringContaining('10.00 €') });
    expect(w.stripe.calls.refund).toHaveLength(1);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(1000);
  });

  it('the same key with another amount, concurrently: one is refunded, the other is a 422', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const staff = { actorId: STAFF, key: 'ticket-10' };
    const results = await Promise.allSettled([
      refundByStaff(w.deps, id, staff, { amountCents: 1000, reason: 'goodwill' }),
      refundByStaff(w.deps, id, staff, { amountCents: 2000, reason: 'goodwill' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 422 } });
    expect(refundedAtStripe(w, paymentIntentId)).toBe(1000);
  });

  it('two concurrent refunds whose sum exceeds the payment: one 200, the other a 409 saying what remains', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const results = await Promise.allSettled([
      refundByStaff(w.deps, id, { actorId: STAFF, key: 'desk-1' }, { amountCents: 4000, reason: 'service-issue' }),
      refundByStaff(w.deps, id, { actorId: STAFF, key: 'desk-2' }, { amountCents: 4000, reason: 'service-issue' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { status: 409, message: expect.stringContaining('20.00 €') },
    });
    expect(refundedAtStripe(w, paymentIntentId)).toBe(4000);
    expect(w.record(id)?.committedCents).toBe(4000);
  });

  it('10 concurrent partial refunds never exceed the payment (any amounts, any keys)', async () => {
    // A property over seeded random amounts: whatever the interleaving, Stripe never refunds more
    // than was paid, and every refusal says what remained.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const w = world();
      const { id, paymentIntentId } = await paid(w);
      const amounts = Array.from({ length: 10 }, () => 1 + Math.floor(random() * 1500));
      const results = await Promise.allSettled(
        amounts.map((amountCents, i) =>
          refundByStaff(w.deps, id, { actorId: STAFF, key: `desk-${round}-${i}` }, { amountCents, reason: 'goodwill' }),
        ),
      );
      const granted = amounts.filter((_, i) => results[i]?.status === 'fulfilled').reduce((a, b) => a + b, 0);
      expect(refundedAtStripe(w, paymentIntentId)).toBe(granted);
      expect(granted).toBeLessThanOrEqual(6000);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409 });
      expect(w.record(id)?.committedCents).toBe(granted);
      // and the policy's refund of a later cancellation gives back only what remains
      w.clock.set('2027-03-02T09:00:00Z');
      await w.cancelAs(id, 'client');
      expect(refundedAtStripe(w, paymentIntentId)).toBe(6000);
    }
  });

  it('a cancellation and a late payment refunding at once never give back more than the policy', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.clock.set('2027-03-09T20:00:00Z'); // late: the policy gives 3000 back
    const current = await w.find(id);
    await w.appointments.store.change(current, cancel(current, 'client', w.clock.now()), w.clock.now());
    await Promise.all([
      refundCancelledBooking(w.deps, { appointmentId: id }),
      confirmPaidBooking(w.deps, { appointmentId: id, amountCents: 6000 }),
      refundCancelledBooking(w.deps, { appointmentId: id }),
    ]);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(3000);
  });

  it('Stripe’s amount_too_large (a refund at the dashboard not yet followed) is a 409 with what remains, never a 500', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    w.stripe.refundAtDashboard(paymentIntentId, 5500); // its event has not come in yet
    const asked = refundByStaff(
      w.deps,
      id,
      { actorId: STAFF, key: 'desk-9' },
      { amountCents: 1000, reason: 'goodwill' },
    );
    await expect(asked).rejects.toMatchObject({ status: 409, message: expect.stringContaining('5.00 €') });
    // The refund made elsewhere is now on the record; nothing stays reserved.
    expect(refundsOf(w, id)).toEqual([expect.objectContaining({ cause: 'external', amountCents: 5500 })]);
    expect(w.record(id)?.committedCents).toBe(5500);
  });

  it('a failed refund no longer counts: what it did not give back can be refunded again', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    await refundByStaff(w.deps, id, { actorId: STAFF, key: 'a' }, { amountCents: 6000, reason: 'service-issue' });
    const [refund] = refundsOf(w, id);
    w.stripe.failRefund(refund!.refundId);
    expect(await w.stripeSays('refund.failed', refund!.refundId)).toBe('refunds-settled');
    expect(refundsOf(w, id)[0]?.status).toBe('failed');
    expect(w.record(id)?.committedCents).toBe(0);
    expect(types(w).at(-1)).toBe('PaymentRefunded');
    await refundByStaff(w.deps, id, { actorId: STAFF, key: 'b' }, { amountCents: 6000, reason: 'service-issue' });
    expect(refundedAtStripe(w, paymentIntentId)).toBe(6000);
  });

  it('nothing paid is a 409; an unknown appointment a 404', async () => {
    const w = world();
    const { id } = await w.held();
    await expect(
      refundByStaff(w.deps, id, { actorId: STAFF, key: 'k' }, { amountCents: 100, reason: 'goodwill' }),
    ).rejects.toMatchObject({ status: 409 });
    await expect(
      refundByStaff(
        w.deps,
        appointmentIdFor(CLIENT, 'nope'),
        { actorId: STAFF, key: 'k' },
        { amountCents: 1, reason: 'goodwill' },
      ),
    ).rejects.toBeInstanceOf(HttpProblem);
    expect(w.stripe.calls.refund).toEqual([]);
  });
});

// ─── holds ─────────────────────────────────────────────────────────────────────────────────────

describe('held bookings whose hold is over', () => {
  it('unpaid ones are released and their PaymentIntent canceled; one paid meanwhile is confirmed; a live hold is left', async () => {
    const w = world();
    const unpaid = await w.held();
    const paidMeanwhile = await w.held();
    w.stripe.succeed(paidMeanwhile.paymentIntentId); // Stripe's event not settled yet
    w.clock.advance(10 * minute);
    const fresh = await w.held(); // holds until T0 + 25 min

    w.clock.advance(5 * minute); // T0 + 15 min: the first two holds end now
    expect(await releaseExpiredHolds(w.deps)).toEqual({ released: 1, confirmed: 1 });

    const released = await w.find(unpaid.id);
    expect(released.state).toBe('cancelled');
    expect(released.cancellation).toMatchObject({ by: 'platform', late: false });
    expect(w.stripe.intents.get(unpaid.paymentIntentId)?.status).toBe('canceled');
    expect(w.record(unpaid.id)?.status).toBe('failed');

    expect((await w.find(paidMeanwhile.id)).state).toBe('confirmed');
    expect(w.stripe.intents.get(paidMeanwhile.paymentIntentId)?.status).toBe('succeeded');

    expect(await w.find(fresh.id)).toMatchObject({ state: 'requested', version: 1 });
    expect(w.stripe.calls.cancelPayment).not.toContain(fresh.paymentIntentId);
    expect(w.stripe.intents.get(fresh.paymentIntentId)?.status).toBe('requires_payment_method');

    // run again: nothing more to do
    expect(await releaseExpiredHolds(w.deps)).toEqual({ released: 0, confirmed: 0 });
    w.clock.advance(10 * minute);
    expect(await releaseExpiredHolds(w.deps)).toEqual({ released: 1, confirmed: 0 });
    expect((await w.find(fresh.id)).state).toBe('cancelled');
  });

  it('a hold ends at holdUntil exactly, not a millisecond before', async () => {
    const w = world();
    const { id } = await w.held();
    w.clock.advance(15 * minute - 1);
    expect(await releaseExpiredHolds(w.deps)).toEqual({ released: 0, confirmed: 0 });
    w.clock.advance(1);
    expect(await releaseExpiredHolds(w.deps)).toEqual({ released: 1, confirmed: 0 });
    expect((await w.find(id)).state).toBe('cancelled');
  });

  it('a held booking whose payment was never opened is released without asking Stripe', async () => {
    const w = world();
    const now = w.clock.now();
    const orphan = newAppointment({
      id: appointmentIdFor(CLIENT, 'orphan'),
      practitionerId: PRACTITIONER,
      clientId: CLIENT,
      service: fullService,
      start: START,
      cancellationPolicy: policy,
      requestFingerprint: 'fp',
      now,
      holdUntil: new Date(now.getTime() + 15 * minute),
    });
    await w.appointments.store.create(orphan, now);
    w.clock.advance(15 * minute);
    expect(await releaseExpiredHolds(w.deps)).toEqual({ released: 1, confirmed: 0 });
    expect(w.stripe.calls.cancelPayment).toEqual([]);
  });
});

// ─── book() ────────────────────────────────────────────────────────────────────────────────────

const everyDay = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [
    d,
    [{ from: '08:00', to: '20:00' }],
  ]),
);

const offers: OfferReader = {
  async find(practitionerId) {
    if (practitionerId !== PRACTITIONER) return undefined;
    return {
      practitionerId,
      displayName: 'Aurore',
      services: [fullService, depositService, { ...fullService, id: 'svc_onsite', payment: { mode: 'on-site' } }],
      schedule: {
        weekly: everyDay,
        exceptions: [],
        minimumNoticeMinutes: 60,
        bookingHorizonDays: 30,
        bufferMinutes: 0,
        slotStepMinutes: 60,
      },
      cancellationPolicy: policy,
    };
  },
};

/**
 * The real Stripe gateway over a stand-in of the SDK's PaymentIntents: it records the idempotency
 * key of each create, and answers the same PaymentIntent to the same key, as Stripe does.
 */
function stripeSdkStandIn() {
  const creates: { params: Stripe.PaymentIntentCreateParams; idempotencyKey: string | undefined }[] = [];
  const byKey = new Map<string, Stripe.PaymentIntent>();
  /** What Stripe answers instead of a PaymentIntent, when set (the SDK's errors carry type, statusCode, code). */
  const failure: { error?: unknown } = {};
  const sdk = {
    paymentIntents: {
      async create(params: Stripe.PaymentIntentCreateParams, options?: Stripe.RequestOptions) {
        creates.push({ params, idempotencyKey: options?.idempotencyKey });
        if (failure.error) throw failure.error;
        const key = options?.idempotencyKey ?? `none-${creates.length}`;
        const pi =
          byKey.get(key) ??
          ({
            id: `pi_${String(byKey.size + 1).padStart(8, '0')}`,
            client_secret: `pi_${byKey.size + 1}_secret_xyz`,
          } as Stripe.PaymentIntent);
        byKey.set(key, pi);
        return pi;
      },
    },
  };
  const gateway = stripeGateway(async () => ({ stripe: sdk as unknown as Stripe, webhookSecret: 'whsec_test' }));
  return { gateway, creates, failure };
}

function bookingWorld(options: { chargesEnabled?: boolean; payee?: boolean } = {}) {
  const w = world(options);
  const sdk = stripeSdkStandIn();
  const paymentDeps: PaymentDeps = { ...w.deps, gateway: sdk.gateway };
  const deps: BookDeps = {
    store: w.appointments.store,
    offers,
    clock: w.clock,
    checkout: stripeCheckout(() => paymentDeps),
    payments: w.payments.store,
  };
  return { ...w, sdk, bookingDeps: deps };
}

describe('book() of a service paid online', () => {
  const slot = { practitionerId: PRACTITIONER, serviceId: 'svc_full', start: new Date('2027-03-03T09:00:00Z') };

  it('writes the booking requested, holding its slot 15 minutes, and answers a checkout', async () => {
    const w = bookingWorld();
    const { status, body } = await book(w.bookingDeps, CLIENT, 'key-1', slot);
    const id = appointmentIdFor(CLIENT, 'key-1');
    expect(status).toBe(201);
    expect(body).toMatchObject({ id, state: 'requested', holdUntil: '2027-03-01T09:15:00.000Z', version: 1 });
    expect(body.checkout).toEqual({
      paymentIntentId: 'pi_00000001',
      clientSecret: 'pi_1_secret_xyz',
      amountCents: 6000,
      holdUntil: '2027-03-01T09:15:00.000Z',
    });
    expect(w.appointments.items.get(id)).toMatchObject({
      state: 'requested',
      holdUntil: new Date('2027-03-01T09:15:00Z'),
    });
    expect(w.record(id)).toMatchObject({
      paymentIntentId: 'pi_00000001',
      clientId: CLIENT,
      amountCents: 6000,
      applicationFeeCents: 600,
      status: 'pending',
    });
    expect(w.sdk.creates).toEqual([
      {
        params: expect.objectContaining({
          amount: 6000,
          currency: 'eur',
          application_fee_amount: 600,
          transfer_data: { destination: ACCOUNT },
          metadata: { appointmentId: id },
        }),
        idempotencyKey: `appointment-payment-${id}`,
      },
    ]);
  });

  it('a deposit: the checkout asks for the deposit only', async () => {
    const w = bookingWorld();
    const { body } = await book(w.bookingDeps, CLIENT, 'key-d', { ...slot, serviceId: 'svc_deposit' });
    expect(body.checkout?.amountCents).toBe(1800);
    expect(w.sdk.creates[0]?.params).toMatchObject({ amount: 1800, application_fee_amount: 180 });
  });

  it('a retry with the same key answers the same PaymentIntent: Stripe is asked again under the same key', async () => {
    const w = bookingWorld();
    const first = await book(w.bookingDeps, CLIENT, 'key-1', slot);
    w.clock.advance(2 * minute);
    const again = await book(w.bookingDeps, CLIENT, 'key-1', slot);
    const id = appointmentIdFor(CLIENT, 'key-1');
    expect(again.status).toBe(200);
    expect(again.body.checkout).toEqual(first.body.checkout);
    expect(w.sdk.creates.map((c) => c.idempotencyKey)).toEqual([
      `appointment-payment-${id}`,
      `appointment-payment-${id}`,
    ]);
    expect(w.appointments.items.size).toBe(1);
    expect(w.payments.records.size).toBe(1);
  });

  it('a retry once paid answers the confirmed booking, without a checkout', async () => {
    const w = bookingWorld();
    await book(w.bookingDeps, CLIENT, 'key-1', slot);
    const id = appointmentIdFor(CLIENT, 'key-1');
    const current = w.appointments.items.get(id)!;
    w.appointments.items.set(id, confirm(current, w.clock.now()));
    const again = await book(w.bookingDeps, CLIENT, 'key-1', slot);
    expect(again.body.state).toBe('confirmed');
    expect(again.body).not.toHaveProperty('checkout');
    expect(again.body).not.toHaveProperty('holdUntil');
    expect(w.sdk.creates).toHaveLength(1);
  });

  it('a practitioner who cannot receive payments: 409, and nothing is written nor asked of Stripe', async () => {
    for (const options of [{ chargesEnabled: false }, { payee: false }]) {
      const w = bookingWorld(options);
      await expect(book(w.bookingDeps, CLIENT, 'key-1', slot)).rejects.toMatchObject({
        status: 409,
        title: 'Online payment unavailable',
      });
      expect(w.appointments.items.size).toBe(0);
      expect(w.payments.records.size).toBe(0);
      expect(w.sdk.creates).toEqual([]);
    }
  });

  it('a service paid on site is confirmed at once, with no checkout, even without a payee', async () => {
    const w = bookingWorld({ payee: false });
    const { status, body } = await book(w.bookingDeps, CLIENT, 'key-1', { ...slot, serviceId: 'svc_onsite' });
    expect(status).toBe(201);
    expect(body.state).toBe('confirmed');
    expect(body).not.toHaveProperty('checkout');
    expect(w.appointments.items.get(body.id)?.holdUntil).toBeUndefined();
    expect(w.sdk.creates).toEqual([]);
  });
});

// ─── issue 11 ────────────────────────────────────────────────────────────────────────────────

describe('a booking whose payment cannot start does not hold its slot', () => {
  const slot = { practitionerId: PRACTITIONER, serviceId: 'svc_full', start: new Date('2027-03-03T09:00:00Z') };
  const stripeError = (type: string, statusCode: number | undefined, code?: string) =>
    Object.assign(new Error('Stripe says no'), { type, statusCode, code });

  it.each([
    [
      'an unknown connected account (400 resource_missing)',
      stripeError('StripeInvalidRequestError', 400, 'resource_missing'),
      409,
    ],
    ['a restricted account (403)', stripeError('StripePermissionError', 403), 409],
    ['Stripe down (500)', stripeError('StripeAPIError', 500), 503],
    ['no answer (connection)', stripeError('StripeConnectionError', undefined), 503],
    ['rate limited (429)', stripeError('StripeRateLimitError', 429, 'rate_limit'), 503],
    ['our keys refused (401)', stripeError('StripeAuthenticationError', 401), 503],
    ['something unexpected', new TypeError('boom'), 503],
  ])('%s: the booking is released and the client gets a %i problem', async (_, error, status) => {
    const w = bookingWorld();
    w.sdk.failure.error = error;
    const attempt = book(w.bookingDeps, CLIENT, 'key-1', slot);
    await expect(attempt).rejects.toBeInstanceOf(HttpProblem);
    await expect(attempt).rejects.toMatchObject({ status });
    const id = appointmentIdFor(CLIENT, 'key-1');
    expect(w.appointments.items.get(id)).toMatchObject({ state: 'cancelled', cancellation: { by: 'platform' } });
    expect(w.payments.records.size).toBe(0);
    // The slot is free: once Stripe answers again, another booking takes it.
    delete w.sdk.failure.error;
    expect((await book(w.bookingDeps, CLIENT, 'key-2', slot)).status).toBe(201);
  });

  it('a retry of a booking whose payment did start is not released when Stripe fails then', async () => {
    const w = bookingWorld();
    await book(w.bookingDeps, CLIENT, 'key-1', slot);
    w.sdk.failure.error = stripeError('StripeAPIError', 502);
    await expect(book(w.bookingDeps, CLIENT, 'key-1', slot)).rejects.toMatchObject({ status: 503 });
    // The client may be paying the first PaymentIntent: the hold's end decides.
    expect(w.appointments.items.get(appointmentIdFor(CLIENT, 'key-1'))?.state).toBe('requested');
  });
});

describe('events the platform does not act on are settled, never thrown', () => {
  const unknownAtStripe = (what: string) => async (): Promise<never> => {
    throw new NotAtStripe(`No such ${what}`);
  };

  it('objects without id, types we do not handle, ids of another kind, Connect events on a connected account', async () => {
    const w = world();
    const { paymentIntentId } = await paid(w);
    const before = structuredClone([...w.payments.records.values()]);
    const published = w.events.published.length;
    const settle = (data: { type: string; objectId?: string; account?: string }) =>
      processStripeEvent(w.deps, { stripeEventId: 'evt_00000001', ...data });
    expect(await settle({ type: 'balance.available' })).toBe('ignored');
    expect(await settle({ type: 'checkout.session.completed', objectId: 'cs_test_a1YS1URlnyQCN5' })).toBe('ignored');
    expect(await settle({ type: 'coupon.created', objectId: 'Z4OV52SU' })).toBe('ignored');
    expect(await settle({ type: 'invented.thing_happened', objectId: 'thing_123456789' })).toBe('ignored');
    // a type we handle about an object of another kind
    expect(await settle({ type: 'payment_intent.succeeded', objectId: 'ch_1PgafuB7WZ01zgkWX' })).toBe('ignored');
    // our own PaymentIntent's id, in an event of a connected account: not about our platform's object
    expect(await settle({ type: 'payment_intent.succeeded', objectId: paymentIntentId, account: ACCOUNT })).toBe(
      'ignored',
    );
    expect(w.payments.records.size).toBe(1);
    expect([...w.payments.records.values()]).toEqual(before);
    expect(w.events.published).toHaveLength(published);
  });

  it('objects this platform never made: a foreign PaymentIntent, an unknown booking, an unknown account, a dispute of an unknown charge', async () => {
    const w = world();
    w.stripe.gateway.payee = async (accountId) => ({
      accountId,
      practitionerId: undefined,
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
    });
    w.stripe.gateway.dispute = unknownAtStripe('dispute');
    const foreign = w.stripe.create({ amountCents: 1000 });
    const unknownBooking = w.stripe.create({ amountCents: 1000, appointmentId: appointmentIdFor(CLIENT, 'ghost') });
    expect(await w.stripeSays('payment_intent.succeeded', foreign)).toBe('not-ours');
    expect(await w.stripeSays('payment_intent.succeeded', unknownBooking)).toBe('no-appointment');
    expect(
      await processStripeEvent(w.deps, {
        stripeEventId: 'evt_00000009',
        type: 'account.updated',
        objectId: 'acct_1PgafTB7WZ01zgkW',
        account: 'acct_1PgafTB7WZ01zgkW',
      }),
    ).toBe('not-ours');
    expect(await w.stripeSays('charge.dispute.created', 'dp_1Pgc71B7WZ01zgkWMevJiAUx')).toBe('unknown-object');
    // Stripe answers 404 for any of them (a fixture's ids, an object deleted since): settled too.
    expect(await w.stripeSays('payment_intent.created', 'pi_1PgafyB7WZ01zgkWSjxsAJo3')).toBe('unknown-object');
    expect(await w.stripeSays('refund.updated', 're_1Pgc72B7WZ01zgkWqPvrRrPE')).toBe('unknown-object');
    expect(await w.stripeSays('charge.refunded', 'ch_1PgafuB7WZ01zgkWXYmPNZs8')).toBe('unknown-object');
    expect(w.payments.records.size).toBe(0);
    expect(w.payments.payees.size).toBe(1); // only the practitioner's own
    expect(w.events.published).toEqual([]);
  });

  it('Stripe unreachable while settling an event we act on: thrown, so the event is retried', async () => {
    const w = world();
    const { paymentIntentId } = await w.held();
    w.stripe.gateway.paymentIntent = async () => {
      throw Object.assign(new Error('Stripe is down'), { type: 'StripeAPIError', statusCode: 500 });
    };
    await expect(w.stripeSays('payment_intent.succeeded', paymentIntentId)).rejects.toThrow('Stripe is down');
  });

  it('the webhook hands over an event without an object id, or with a connected account, within the event’s contract', async () => {
    const w = world();
    w.stripe.gateway.verifyWebhook = async (body) => JSON.parse(body);
    for (const event of [
      { id: 'evt_balance0001', type: 'balance.available', objectId: undefined, account: undefined, created: 1 },
      {
        id: 'evt_account0001',
        type: 'account.updated',
        objectId: 'acct_1PgafTB7WZ01zgkW',
        account: 'acct_1PgafTB7WZ01zgkW',
        created: 1,
      },
      {
        id: 'evt_longtype001',
        type: `invented.${'x'.repeat(200)}`,
        objectId: 'thing_123456789',
        account: undefined,
        created: 1,
      },
    ])
      expect(await receiveStripeWebhook(w.deps, JSON.stringify(event), 't=1,v1=x')).toEqual({
        received: true,
        duplicate: false,
      });
    expect(w.events.published.map((e) => e.data)).toEqual([
      { stripeEventId: 'evt_balance0001', type: 'balance.available' },
      {
        stripeEventId: 'evt_account0001',
        type: 'account.updated',
        objectId: 'acct_1PgafTB7WZ01zgkW',
        account: 'acct_1PgafTB7WZ01zgkW',
      },
      { stripeEventId: 'evt_longtype001', type: `invented.${'x'.repeat(91)}`, objectId: 'thing_123456789' },
    ]);
  });
});

describe('refunds made elsewhere are followed', () => {
  it('a 10 € dashboard refund, then an in-time cancellation of a 60 € booking, refunds exactly 50 €', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const dashboard = w.stripe.refundAtDashboard(paymentIntentId, 1000);
    expect(await w.stripeSays('charge.refunded', `ch_of_${paymentIntentId}`)).toBe('refunds-settled');
    expect(refundsOf(w, id)).toEqual([
      expect.objectContaining({ refundId: dashboard, amountCents: 1000, status: 'succeeded', cause: 'external' }),
    ]);
    expect(w.record(id)?.committedCents).toBe(1000);
    expect(types(w).at(-1)).toBe('PaymentRefunded');

    expect(await w.cancelAs(id, 'client')).toBe('refunded');
    expect(w.stripe.calls.refund.at(-1)).toMatchObject({ amountCents: 5000 });
    expect(refundedAtStripe(w, paymentIntentId)).toBe(6000);
    const view = await getView(w, id);
    expect(view).toMatchObject({ refundedCents: 6000 });
    expect(view?.refunds.map((r) => [r.cause, r.amountCents])).toEqual([
      ['external', 1000],
      ['cancellation', 5000],
    ]);
  });

  it('refund.created and refund.updated events record the refund once, and its status follows', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const dashboard = w.stripe.refundAtDashboard(paymentIntentId, 2500);
    expect(await w.stripeSays('refund.created', dashboard)).toBe('refunds-settled');
    expect(await w.stripeSays('refund.created', dashboard)).toBe('refunds-settled');
    expect(refundsOf(w, id)).toHaveLength(1);
    w.stripe.failRefund(dashboard);
    expect(await w.stripeSays('refund.updated', dashboard)).toBe('refunds-settled');
    expect(refundsOf(w, id)).toEqual([expect.objectContaining({ status: 'failed', cause: 'external' })]);
    expect(w.record(id)?.committedCents).toBe(0);
  });

  it('our own refund’s event, settled before Stripe’s answer is recorded, keeps our cause (not external)', async () => {
    const w = world();
    const { id, paymentIntentId } = await paid(w);
    const refund = w.stripe.gateway.refund;
    // Stripe's refund.created overtakes the answer to our own call.
    w.stripe.gateway.refund = async (call) => {
      const made = await refund(call);
      expect(await w.stripeSays('refund.created', made.id)).toBe('refunds-settled');
      return made;
    };
    await refundByStaff(w.deps, id, { actorId: STAFF, key: 'desk-1' }, { amountCents: 1500, reason: 'goodwill' });
    expect(refundsOf(w, id)).toEqual([
      expect.objectContaining({ cause: 'staff', amountCents: 1500, actorId: STAFF, reason: 'goodwill' }),
    ]);
    expect(w.record(id)?.committedCents).toBe(1500);
    expect(refundedAtStripe(w, paymentIntentId)).toBe(1500);
  });
});

describe('who pays each refund (ADR 0011)', () => {
  const lastFunding = (w: World) => {
    const call = w.stripe.calls.refund.at(-1);
    return {
      amountCents: call?.amountCents,
      reverseTransfer: call?.reverseTransfer,
      refundApplicationFee: call?.refundApplicationFee,
    };
  };
  const policyRefund = { reverseTransfer: true, refundApplicationFee: true };

  it('client in time, client late, practitioner, platform: the transfer is reversed and the fee refunded, in proportion', async () => {
    const w = world();
    const inTime = await paid(w);
    await w.cancelAs(inTime.id, 'client');
    expect(lastFunding(w)).toEqual({ amountCents: 6000, ...policyRefund });

    const late = await paid(w);
    w.clock.set('2027-03-09T20:00:00Z');
    await w.cancelAs(late.id, 'client');
    expect(lastFunding(w)).toEqual({ amountCents: 3000, ...policyRefund });

    w.clock.set(T0);
    const byPractitioner = await paid(w);
    w.clock.set('2027-03-10T08:00:00Z');
    await w.cancelAs(byPractitioner.id, 'practitioner');
    expect(lastFunding(w)).toEqual({ amountCents: 6000, ...policyRefund });

    w.clock.set(T0);
    const byPlatform = await paid(w);
    await w.cancelAs(byPlatform.id, 'platform');
    expect(lastFunding(w)).toEqual({ amountCents: 6000, ...policyRefund });
  });

  it('a payment that succeeded after its hold was released: whole, from where it went', async () => {
    const w = world();
    const { paymentIntentId } = await w.held();
    w.clock.advance(15 * minute);
    w.stripe.processing(paymentIntentId);
    w.stripe.gateway.cancelPayment = async () => true; // canceled at Stripe… yet the card went through
    await releaseExpiredHolds(w.deps);
    w.stripe.succeed(paymentIntentId);
    await w.stripeSays('payment_intent.succeeded', paymentIntentId);
    expect(await w.deliverOutcomes()).toEqual(['refunded']);
    expect(lastFunding(w)).toEqual({ amountCents: 6000, ...policyRefund });
  });

  it.each([
    ['goodwill', false],
    ['no-show-exception', false],
    ['service-issue', true],
    ['duplicate-payment', true],
  ] as const)('staff, %s: reverse the transfer and refund the fee = %s', async (reason, fromPractitioner) => {
    const w = world();
    const { id } = await paid(w);
    await refundByStaff(w.deps, id, { actorId: STAFF, key: `desk-${reason}` }, { amountCents: 1000, reason });
    expect(lastFunding(w)).toEqual({
      amountCents: 1000,
      reverseTransfer: fromPractitioner,
      refundApplicationFee: fromPractitioner,
    });
  });
});
