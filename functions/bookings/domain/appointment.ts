/**
 * An appointment and its life: pure, no AWS, no I/O.
 *
 *   requested ──confirm──▶ confirmed ──complete──▶ completed
 *       │                     │ └──no-show──▶ no-show
 *       └──────cancel─────────┴──cancel──▶ cancelled
 *
 * `requested` is the payment seam: a booking that needs no payment is confirmed at once (the
 * payments issue holds it there until the payment succeeds). Reschedule keeps the state and moves
 * the time. Every transition names the state it starts from; the store writes it with that state
 * (and the version) as its condition, so two concurrent transitions cannot both apply.
 */
import type { OfferedService } from '#shared/offer/offer.ts';
import { blockMinutes } from '#shared/offer/offer.ts';
import type { CancellationPolicy } from '#shared/offer/schedule.ts';

export const appointmentStates = ['requested', 'confirmed', 'completed', 'cancelled', 'no-show'] as const;
export type AppointmentState = (typeof appointmentStates)[number];

export type Party = 'client' | 'practitioner';

export interface Cancellation {
  readonly by: Party | 'platform';
  readonly at: Date;
  /** After the policy's free-cancellation deadline, by the client. */
  readonly late: boolean;
  /** Share of the price the practitioner keeps under the policy; 0 when free. */
  readonly feePercent: number;
}

export interface Appointment {
  readonly id: string;
  readonly practitionerId: string;
  readonly clientId: string;
  /** The service as it was when booked (a later profile edit does not change a booking). */
  readonly service: OfferedService;
  readonly start: Date;
  readonly end: Date;
  readonly state: AppointmentState;
  /** Starts at 1; every change adds 1 (optimistic concurrency, and the reminders' guard). */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The policy in force when the client booked: the one a cancellation is judged by. */
  readonly cancellationPolicy: CancellationPolicy;
  /** When it was confirmed; absent for a booking released before it ever was (its payment never came). */
  readonly confirmedAt?: Date;
  readonly cancellation?: Cancellation;
  /** Fingerprint of the booking request, to tell a retry (same key, same request) from a misuse. */
  readonly requestFingerprint: string;
  /**
   * A booking to be paid online holds its slot, `requested`, until then: past it, unpaid, it is
   * released. Absent for a booking confirmed at once.
   */
  readonly holdUntil?: Date;
}

/** A transition that the current state or time does not allow: a 409 for the caller. */
export class TransitionRefused extends Error {
  override readonly name = 'TransitionRefused';
}

const minute = 60_000;
const hour = 60 * minute;

export function newAppointment(input: {
  id: string;
  practitionerId: string;
  clientId: string;
  service: OfferedService;
  start: Date;
  cancellationPolicy: CancellationPolicy;
  requestFingerprint: string;
  now: Date;
  holdUntil?: Date;
}): Appointment {
  return {
    id: input.id,
    practitionerId: input.practitionerId,
    clientId: input.clientId,
    service: input.service,
    start: input.start,
    end: new Date(input.start.getTime() + input.service.durationMinutes * minute),
    state: 'requested',
    version: 1,
    createdAt: input.now,
    updatedAt: input.now,
    cancellationPolicy: input.cancellationPolicy,
    requestFingerprint: input.requestFingerprint,
    ...(input.holdUntil ? { holdUntil: input.holdUntil } : {}),
  };
}

function moved(a: Appointment, changes: Partial<Appointment>, now: Date): Appointment {
  return { ...a, ...changes, version: a.version + 1, updatedAt: now };
}

function expect(a: Appointment, states: readonly AppointmentState[], action: string) {
  if (!states.includes(a.state)) throw new TransitionRefused(`cannot ${action} an appointment that is ${a.state}`);
}

/** The payment seam: until payments exist, nothing needs paying and a booking is confirmed at once. */
export function confirm(a: Appointment, now: Date): Appointment {
  expect(a, ['requested'], 'confirm');
  return moved(a, { state: 'confirmed', confirmedAt: now }, now);
}

/** The free-cancellation deadline of an appointment under its policy. */
export function freeCancellationDeadline(a: Pick<Appointment, 'start' | 'cancellationPolicy'>): Date {
  return new Date(a.start.getTime() - a.cancellationPolicy.freeUntilHoursBefore * hour);
}

/**
 * Cancels before the start. A client cancelling after the deadline cancels late: the policy's fee
 * applies. A practitioner's (or the platform's) cancellation is always free for the client.
 */
export function cancel(a: Appointment, by: Cancellation['by'], now: Date): Appointment {
  expect(a, ['requested', 'confirmed'], 'cancel');
  if (now.getTime() >= a.start.getTime()) throw new TransitionRefused('cannot cancel an appointment that has started');
  const late = by === 'client' && now.getTime() > freeCancellationDeadline(a).getTime();
  const feePercent = late ? a.cancellationPolicy.lateCancellationFeePercent : 0;
  return moved(a, { state: 'cancelled', cancellation: { by, at: now, late, feePercent } }, now);
}

/**
 * Moves the appointment to a new start (the caller has checked the slot is free). A client may
 * reschedule until the free-cancellation deadline (after it, moving is a late cancellation in
 * disguise); a practitioner until the start.
 */
export function reschedule(a: Appointment, by: Party, start: Date, now: Date): Appointment {
  expect(a, ['requested', 'confirmed'], 'reschedule');
  if (now.getTime() >= a.start.getTime())
    throw new TransitionRefused('cannot reschedule an appointment that has started');
  if (by === 'client' && now.getTime() > freeCancellationDeadline(a).getTime())
    throw new TransitionRefused('the free-cancellation deadline has passed: the appointment can no longer be moved');
  if (start.getTime() === a.start.getTime()) throw new TransitionRefused('the appointment is already at this time');
  const duration = a.end.getTime() - a.start.getTime();
  return moved(a, { start, end: new Date(start.getTime() + duration) }, now);
}

/** The practitioner marks a confirmed appointment held, once it has started. */
export function complete(a: Appointment, now: Date): Appointment {
  expect(a, ['confirmed'], 'complete');
  if (now.getTime() < a.start.getTime()) throw new TransitionRefused('the appointment has not started yet');
  return moved(a, { state: 'completed' }, now);
}

/** The practitioner records that the client did not come, once the appointment has started. */
export function markNoShow(a: Appointment, now: Date): Appointment {
  expect(a, ['confirmed'], 'mark as no-show');
  if (now.getTime() < a.start.getTime()) throw new TransitionRefused('the appointment has not started yet');
  return moved(a, { state: 'no-show' }, now);
}

/** An appointment that holds its time: its blocks are locked. */
export function holdsItsTime(a: Pick<Appointment, 'state'>): boolean {
  return a.state === 'requested' || a.state === 'confirmed';
}

/**
 * The 5-minute blocks an interval covers, as epoch-minute numbers. Paris offsets are whole hours,
 * so a wall-clock grid of 5 minutes is a UTC grid of 5 minutes too.
 */
export function blocksOf(start: Date, end: Date): number[] {
  const size = blockMinutes * minute;
  const blocks: number[] = [];
  for (let t = Math.floor(start.getTime() / size) * size; t < end.getTime(); t += size) blocks.push(t / minute);
  return blocks;
}
