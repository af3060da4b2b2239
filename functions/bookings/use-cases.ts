/** The bookings context's use cases: slots, booking, the appointment's transitions, the lists. */
import { createHash } from 'node:crypto';
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { maxBufferMinutes, maxServiceMinutes } from '#shared/offer/offer.ts';
import type { OfferReader } from '#shared/offer/offer-reader.ts';
import { scheduleTimeZone } from '#shared/offer/schedule.ts';
import { utcOffsetMs, wallClock } from '#shared/time-zone.ts';
import { type AppointmentStore, appointmentIdFor } from './adapters/appointment-store.ts';
import type { PaymentStore } from './adapters/payment-store.ts';
import {
  type Appointment,
  cancel,
  complete,
  confirm,
  holdsItsTime,
  markNoShow,
  newAppointment,
  type Party,
  reschedule,
  TransitionRefused,
} from './domain/appointment.ts';
import { type HoldingLimit, holdingLimits } from './domain/holdings.ts';
import { paymentHoldMinutes } from './domain/payment.ts';
import { freeSlots } from './domain/slots.ts';
import { type Checkout, type PaymentStart, paymentView } from './payments.ts';

export interface BookingDeps {
  readonly store: AppointmentStore;
  readonly offers: OfferReader;
  readonly clock: Clock;
  /** Payment records, shown with their appointment. */
  readonly payments: Pick<PaymentStore, 'find'>;
}

/** Booking also needs the payment seam: what is paid online at booking, and its start (./payments.ts). */
export interface BookDeps extends BookingDeps {
  readonly checkout: Checkout;
}

const minute = 60_000;
const day = 24 * 60 * minute;
/** The widest slot query: a quarter (the benchmark's 90 days answer in about a millisecond). */
export const maxSlotRangeDays = 92;

/** The UTC instant of a local midnight in Europe/Paris (midnight is never inside a DST gap there). */
function parisMidnight(date: string): Date {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const first = guess - utcOffsetMs(guess, scheduleTimeZone);
  return new Date(guess - utcOffsetMs(first, scheduleTimeZone));
}

/** Local dates `from` to `to`, both included, as UTC instants [from's midnight, the midnight after `to`). */
function localDateRange(query: { from: string; to: string }) {
  const from = parisMidnight(query.from);
  const dayAfter = new Date(Date.parse(`${query.to}T00:00:00Z`) + day).toISOString().slice(0, 10);
  const to = parisMidnight(dayAfter);
  if (!(from < to) || to.getTime() - from.getTime() > (maxSlotRangeDays + 1) * day)
    throw new HttpProblem(
      400,
      'Invalid request',
      `The range must run forward and span at most ${maxSlotRangeDays} days`,
      {
        errors: [{ field: 'query.to', message: `from ≤ to, at most ${maxSlotRangeDays} days` }],
      },
    );
  return { from, to };
}

/** 'YYYY-MM-DDTHH:MM' in Europe/Paris: what a client reads. */
export function parisLocal(instant: Date): string {
  const t = wallClock(instant, scheduleTimeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}`;
}

const notFound = () => new HttpProblem(404, 'Not found', 'No appointment has this id for you');

const noSuchPractitioner = () => new HttpProblem(404, 'Not found', 'No published practitioner has this id');

async function offerOf(deps: BookingDeps, practitionerId: string, now: Date) {
  const offer = await deps.offers.find(practitionerId, now);
  if (!offer) throw noSuchPractitioner();
  return offer;
}

function serviceOf(offer: Awaited<ReturnType<typeof offerOf>>, serviceId: string) {
  const service = offer.services.find((s) => s.id === serviceId);
  if (!service) throw new HttpProblem(404, 'Not found', 'This practitioner offers no service with this id');
  return service;
}

/** Appointments that hold time around [from, to): those that may overlap it once buffered. */
async function busyAround(deps: BookingDeps, practitionerId: string, from: Date, to: Date, bufferMinutes: number) {
  const margin = (maxServiceMinutes + bufferMinutes) * minute;
  const now = deps.clock.now();
  const found = await deps.store.listForPractitioner(
    practitionerId,
    { from: new Date(from.getTime() - margin), to: new Date(to.getTime() + bufferMinutes * minute) },
    now,
  );
  return found.filter(holdsItsTime);
}

/** Free slots of one service of a practitioner, local dates `from` to `to` inclusive. */
export async function listFreeSlots(
  deps: BookingDeps,
  practitionerId: string,
  query: { serviceId: string; from: string; to: string },
) {
  const now = deps.clock.now();
  const { from, to } = localDateRange(query);
  // The offer and the agenda at once: the agenda read allows for the longest buffer, the slots
  // are computed with the offer's own (appointments beyond it change nothing).
  const [offer, busy] = await Promise.all([
    offerOf(deps, practitionerId, now),
    busyAround(deps, practitionerId, from, to, maxBufferMinutes),
  ]);
  const service = serviceOf(offer, query.serviceId);
  const slots = freeSlots(offer.schedule, service, busy, { from, to }, now);
  return {
    practitionerId,
    serviceId: service.id,
    timeZone: scheduleTimeZone,
    slots: slots.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString(), local: parisLocal(s.start) })),
  };
}

/** The day either side of a slot: the window its freedom is judged in. */
const windowAround = (start: Date) => ({ from: new Date(start.getTime() - day), to: new Date(start.getTime() + day) });

/** The appointments that may touch a slot at `start`, whatever the practitioner's buffer. */
const busyNear = (deps: BookingDeps, practitionerId: string, start: Date) => {
  const window = windowAround(start);
  return busyAround(deps, practitionerId, window.from, window.to, maxBufferMinutes);
};

/**
 * Whether `start` is a free slot of `service` right now (opening hours, notice, horizon, buffers),
 * among `busy` (from `busyNear`), the appointment `ignoring` aside.
 */
function isFreeSlot(
  deps: BookingDeps,
  offer: Awaited<ReturnType<typeof offerOf>>,
  service: { durationMinutes: number },
  start: Date,
  busy: readonly Appointment[],
  ignoring?: string,
) {
  const others = busy.filter((a) => a.id !== ignoring);
  return freeSlots(offer.schedule, service, others, windowAround(start), deps.clock.now()).some(
    (s) => s.start.getTime() === start.getTime(),
  );
}

const slotTaken = () => new HttpProblem(409, 'Slot taken', 'This time is no longer free: choose another slot');

/** A booking beyond what one client may hold of one practitioner's agenda (domain/holdings.ts). */
export const holdingLimitProblems = {
  'unpaid-holds': () =>
    new HttpProblem(
      409,
      'Too many holds with this practitioner',
      `You already hold ${holdingLimits.unpaidHolds} bookings with this practitioner waiting for their payment: ` +
        'pay or cancel one, or wait for its hold to end',
    ),
  upcoming: () =>
    new HttpProblem(
      409,
      'Too many appointments with this practitioner',
      `You already have ${holdingLimits.upcoming} upcoming appointments with this practitioner: ` +
        'book another once one has taken place or is cancelled',
    ),
} as const satisfies Record<HoldingLimit, () => HttpProblem>;

export function view(a: Appointment) {
  return {
    id: a.id,
    practitionerId: a.practitionerId,
    clientId: a.clientId,
    service: { ...a.service },
    start: a.start.toISOString(),
    end: a.end.toISOString(),
    local: parisLocal(a.start),
    state: a.state,
    ...(a.holdUntil && a.state === 'requested' ? { holdUntil: a.holdUntil.toISOString() } : {}),
    version: a.version,
    cancellationPolicy: { ...a.cancellationPolicy },
    ...(a.cancellation ? { cancellation: { ...a.cancellation, at: a.cancellation.at.toISOString() } } : {}),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export type AppointmentView = ReturnType<typeof view>;

/**
 * Books a slot for the calling client. The Idempotency-Key names the request: the appointment id
 * is derived from it, so a retry finds the appointment the first call made (and gets the same
 * answer), while a different request under the same key is refused (422).
 *
 * A service paid on site is confirmed in the same write. One paid online is written `requested`,
 * holding its slot for `paymentHoldMinutes`, and the answer carries what the client's app needs
 * to pay (Stripe's PaymentIntent client secret); the payment's webhook confirms it.
 */
export async function book(
  deps: BookDeps,
  clientId: string,
  idempotencyKey: string,
  input: { practitionerId: string; serviceId: string; start: Date },
): Promise<{ status: 200 | 201; body: AppointmentView & { checkout?: PaymentStart } }> {
  const now = deps.clock.now();
  const id = appointmentIdFor(clientId, idempotencyKey);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([input.practitionerId, input.serviceId, input.start.toISOString()]))
    .digest('hex');
  const answer = async (a: Appointment, status: 200 | 201) => {
    // A booking still waiting for its payment: its PaymentIntent again (Stripe's idempotency finds it).
    if (a.state !== 'requested') return { status, body: view(a) };
    let checkout: PaymentStart;
    try {
      checkout = await deps.checkout.start(a, deps.checkout.amountDue(a.service));
    } catch (error) {
      await releaseUnstarted(deps, a);
      if (error instanceof HttpProblem) throw error;
      throw new HttpProblem(503, 'Payment unavailable', 'The payment could not be started: book again in a moment', {
        headers: { 'Retry-After': '30' },
      });
    }
    return { status, body: { ...view(a), checkout } };
  };
  const replay = (existing: Appointment | undefined) => {
    if (!existing) throw new HttpProblem(409, 'Key used', 'This Idempotency-Key was used before');
    if (existing.requestFingerprint !== fingerprint)
      throw new HttpProblem(422, 'Key reused', 'This Idempotency-Key was used for another booking request');
    return answer(existing, 200);
  };
  // A retry's appointment, the offer, the agenda around the slot and what the client holds of
  // it, read at once (the holdings are for the write: `create` decides on them).
  const [previous, found, busy, held] = await Promise.all([
    deps.store.find(id, now),
    deps.offers.find(input.practitionerId, now),
    busyNear(deps, input.practitionerId, input.start),
    deps.store.readHoldings(clientId, input.practitionerId, now),
  ]);
  if (previous) return replay(previous);

  if (input.practitionerId === clientId) throw new HttpProblem(409, 'Own agenda', 'You cannot book yourself');
  if (!found) throw noSuchPractitioner();
  const offer = found;
  const service = serviceOf(offer, input.serviceId);
  const amountDue = deps.checkout.amountDue(service);
  if (amountDue > 0) await deps.checkout.assertCanCharge(offer.practitionerId);
  if (!isFreeSlot(deps, offer, service, input.start, busy)) throw slotTaken();

  const requested = newAppointment({
    id,
    practitionerId: offer.practitionerId,
    clientId,
    service: { ...service },
    start: input.start,
    cancellationPolicy: offer.cancellationPolicy,
    requestFingerprint: fingerprint,
    now,
    ...(amountDue > 0 ? { holdUntil: new Date(now.getTime() + paymentHoldMinutes * minute) } : {}),
  });
  // Nothing to pay online: the booking is confirmed in the same write.
  const appointment = amountDue > 0 ? requested : confirm(requested, now);
  const outcome = await deps.store.create(appointment, now, held);
  if (outcome.kind === 'exists') return replay(outcome.appointment);
  if (outcome.kind === 'slot-taken') throw slotTaken();
  if (outcome.kind === 'limit') throw holdingLimitProblems[outcome.limit]();
  if (outcome.kind === 'contended')
    throw new HttpProblem(
      409,
      'Changed meanwhile',
      'Other bookings of yours with this practitioner were being made at the same time: book again',
    );
  return answer(appointment, 201);
}

/**
 * A held booking whose payment could not start does not keep its slot: it is cancelled by the
 * platform (as a hold that ran out). Unless a payment was opened for it before (a retry of a
 * booking whose payment did start): the client may be paying it, and the hold's end decides.
 */
async function releaseUnstarted(deps: BookDeps, held: Appointment) {
  const now = deps.clock.now();
  if (await deps.payments.find(held.id, now)) return;
  const current = await deps.store.find(held.id, now);
  if (current?.state !== 'requested') return;
  // Stale (changed meanwhile) or not: either way the booking is no longer this held one.
  await deps.store.change(current, cancel(current, 'platform', now), now);
}

/** The appointment if the caller is its client or its practitioner; 404 alike otherwise. */
async function partyTo(deps: BookingDeps, appointmentId: string, callerId: string) {
  const a = await deps.store.find(appointmentId, deps.clock.now());
  if (!a) throw notFound();
  if (a.clientId === callerId) return { appointment: a, party: 'client' as Party };
  if (a.practitionerId === callerId) return { appointment: a, party: 'practitioner' as Party };
  throw notFound();
}

/**
 * An appointment as its parties read it: its view, with its payment when it has one. Every answer
 * about one appointment (GET, and the transitions' answers) is this one.
 */
async function viewWithPayment(deps: BookingDeps, appointment: Appointment) {
  return withPayment(appointment, await deps.payments.find(appointment.id, deps.clock.now()));
}

function withPayment(appointment: Appointment, record: Awaited<ReturnType<BookingDeps['payments']['find']>>) {
  const payment = paymentView(record);
  return { ...view(appointment), ...(payment ? { payment } : {}) };
}

/** One appointment, with its payment when it has one. */
export async function getAppointment(deps: BookingDeps, appointmentId: string, callerId: string) {
  const { appointment } = await partyTo(deps, appointmentId, callerId);
  return viewWithPayment(deps, appointment);
}

function refused(error: unknown): never {
  if (error instanceof TransitionRefused) throw new HttpProblem(409, 'Not allowed now', error.message);
  throw error;
}

async function apply(deps: BookingDeps, previous: Appointment, next: Appointment) {
  // The payment record is read with the write, at once: a transition does not change it (a
  // cancellation's refund follows, on BookingCancelled).
  const now = deps.clock.now();
  const [outcome, payment] = await Promise.all([
    deps.store.change(previous, next, now),
    deps.payments.find(next.id, now),
  ]);
  if (outcome.kind === 'stale')
    throw new HttpProblem(409, 'Changed meanwhile', 'The appointment changed meanwhile: read it again');
  if (outcome.kind === 'slot-taken') throw slotTaken();
  // As GET /bookings/{id} shows it: a cancellation's refund follows (BookingCancelled), and shows there.
  return withPayment(next, payment);
}

export async function cancelAppointment(deps: BookingDeps, appointmentId: string, callerId: string) {
  const { appointment, party } = await partyTo(deps, appointmentId, callerId);
  let next: Appointment;
  try {
    next = cancel(appointment, party, deps.clock.now());
  } catch (error) {
    refused(error);
  }
  return apply(deps, appointment, next);
}

export async function rescheduleAppointment(deps: BookingDeps, appointmentId: string, callerId: string, start: Date) {
  const { appointment, party } = await partyTo(deps, appointmentId, callerId);
  let next: Appointment;
  try {
    next = reschedule(appointment, party, start, deps.clock.now());
  } catch (error) {
    refused(error);
  }
  const [offer, busy] = await Promise.all([
    offerOf(deps, appointment.practitionerId, deps.clock.now()),
    busyNear(deps, appointment.practitionerId, start),
  ]);
  if (!isFreeSlot(deps, offer, appointment.service, start, busy, appointment.id)) throw slotTaken();
  return apply(deps, appointment, next);
}

/** Completed or no-show: the practitioner's word, once the appointment has started. */
export async function recordOutcome(
  deps: BookingDeps,
  appointmentId: string,
  callerId: string,
  outcome: 'completed' | 'no-show',
) {
  const { appointment, party } = await partyTo(deps, appointmentId, callerId);
  if (party !== 'practitioner') throw notFound();
  let next: Appointment;
  try {
    next =
      outcome === 'completed' ? complete(appointment, deps.clock.now()) : markNoShow(appointment, deps.clock.now());
  } catch (error) {
    refused(error);
  }
  return apply(deps, appointment, next);
}

export async function listMyAppointments(
  deps: BookingDeps,
  clientId: string,
  query: { limit: number; cursor?: string | undefined; upcoming?: boolean | undefined },
) {
  const now = deps.clock.now();
  const page = await deps.store.listForClient(clientId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.upcoming ? { from: now } : {}),
    now,
  });
  return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** The practitioner's agenda: their appointments from `from` to `to` (local dates, inclusive). */
export async function practitionerAgenda(
  deps: BookingDeps,
  practitionerId: string,
  query: { from: string; to: string },
) {
  const { from, to } = localDateRange(query);
  const items = await deps.store.listForPractitioner(practitionerId, { from, to }, deps.clock.now());
  return { items: items.map(view) };
}
