/**
 * What one client may hold of one practitioner's agenda at once: pure, no AWS, no I/O.
 *
 * A client's holdings with a practitioner are their appointments with them that hold time and
 * have not started: `requested` ones (unpaid holds, waiting for their online payment) and
 * `confirmed` ones. Without a limit, one script held 120 unpaid 15-minute holds of one agenda at
 * once, and took 30 of one practitioner's on-site appointments in a row: the rate limit (120
 * bookings in 10 minutes) bounds how fast, not how much. These limits bound how much; the store
 * (adapters/holdings-tally.ts) applies them in the booking's own transaction, so concurrent
 * bookings cannot pass them together.
 */
import { type Appointment, holdsItsTime } from './appointment.ts';

/** The limits, once (README "Booking", ADR 0009 "What one client may hold"). */
export const holdingLimits = {
  /**
   * Unpaid holds of one practitioner's agenda at once. Paying goes one booking at a time; a second
   * lets a client hold a choice (or a couple's two sessions) while paying the first.
   */
  unpaidHolds: 2,
  /**
   * Upcoming appointments with one practitioner (unpaid holds included): a month of weekly
   * sessions booked ahead. The next is booked once one has taken place or is cancelled.
   */
  upcoming: 4,
} as const;

export type HoldingLimits = { readonly unpaidHolds: number; readonly upcoming: number };

export interface Holding {
  readonly appointmentId: string;
  readonly start: Date;
  /** Waiting for its online payment. */
  readonly unpaid: boolean;
}

/** The limit a booking would go beyond. */
export type HoldingLimit = 'unpaid-holds' | 'upcoming';

/** The holding an appointment is, if it holds its time: an unpaid hold while `requested`. */
export function holdingOf(a: Pick<Appointment, 'id' | 'start' | 'state'>): Holding | undefined {
  if (!holdsItsTime(a)) return undefined;
  return { appointmentId: a.id, start: a.start, unpaid: a.state === 'requested' };
}

/** The holdings that still count at `now`: an appointment that has started no longer does. */
export function stillHeld(holdings: readonly Holding[], now: Date): Holding[] {
  return holdings.filter((h) => h.start.getTime() > now.getTime());
}

/** The limit a new booking would go beyond, given what the client holds with that practitioner now. */
export function limitExceededBy(
  holdings: readonly Holding[],
  booking: Pick<Appointment, 'id' | 'start' | 'state'>,
  now: Date,
  limits: HoldingLimits = holdingLimits,
): HoldingLimit | undefined {
  const candidate = holdingOf(booking);
  if (!candidate) return undefined;
  const held = stillHeld(holdings, now).filter((h) => h.appointmentId !== booking.id);
  if (candidate.unpaid && held.filter((h) => h.unpaid).length >= limits.unpaidHolds) return 'unpaid-holds';
  if (held.length >= limits.upcoming) return 'upcoming';
  return undefined;
}

/** The holdings with a new booking added, those that have started left out. */
export function withBooking(holdings: readonly Holding[], booking: Appointment, now: Date): Holding[] {
  const held = stillHeld(holdings, now).filter((h) => h.appointmentId !== booking.id);
  const added = holdingOf(booking);
  return added ? [...held, added] : held;
}

/**
 * The holdings after a change of one appointment, those that have started left out: confirmed,
 * it is no longer unpaid; moved, it counts until its new start; cancelled, completed or a
 * no-show, it no longer counts. An appointment they do not list (booked before they were kept)
 * is not added: a change never adds to what a client holds.
 */
export function afterChange(holdings: readonly Holding[], next: Appointment, now: Date): Holding[] {
  const listed = holdings.some((h) => h.appointmentId === next.id);
  const others = stillHeld(holdings, now).filter((h) => h.appointmentId !== next.id);
  const updated = listed ? holdingOf(next) : undefined;
  return updated && updated.start.getTime() > now.getTime() ? [...others, updated] : others;
}

/** The latest start they list: the retention clock of what is stored of them. */
export function latestStart(holdings: readonly Holding[]): Date | undefined {
  let latest: Date | undefined;
  for (const h of holdings) if (!latest || h.start.getTime() > latest.getTime()) latest = h.start;
  return latest;
}
