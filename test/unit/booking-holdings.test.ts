/**
 * What one client may hold of one practitioner's agenda at once (functions/bookings/domain/holdings.ts):
 * unpaid holds and upcoming appointments, what stops counting, what a change does to them.
 */
import { describe, expect, it } from 'vitest';
import {
  type Appointment,
  cancel,
  confirm,
  newAppointment,
  reschedule,
} from '#functions/bookings/domain/appointment.ts';
import {
  afterChange,
  type Holding,
  holdingLimits,
  holdingOf,
  latestStart,
  limitExceededBy,
  withBooking,
} from '#functions/bookings/domain/holdings.ts';

const minute = 60_000;
const now = new Date('2027-03-01T09:00:00Z');
const day = (n: number) => new Date(now.getTime() + n * 24 * 60 * minute);
let n = 0;

/** A booking `days` ahead: unpaid (a hold) when `online`, else confirmed at once. */
function booking(days: number, online = false): Appointment {
  const requested = newAppointment({
    id: `apt_${++n}`,
    practitionerId: 'prac',
    clientId: 'client',
    service: { id: 'svc', name: 'Séance', durationMinutes: 60, priceCents: 6000 },
    start: day(days),
    cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
    requestFingerprint: 'fp',
    now,
    ...(online ? { holdUntil: new Date(now.getTime() + 15 * minute) } : {}),
  });
  return online ? requested : confirm(requested, now);
}

/** The holdings after booking each in turn, as the store writes them. */
const holding = (...bookings: Appointment[]) => bookings.reduce<Holding[]>((held, b) => withBooking(held, b, now), []);

describe('the limits', () => {
  it('are 2 unpaid holds and 4 upcoming appointments per client and practitioner', () => {
    expect(holdingLimits).toEqual({ unpaidHolds: 2, upcoming: 4 });
  });

  it('refuse a third unpaid hold, but not an appointment paid on site next to two holds', () => {
    const held = holding(booking(1, true), booking(2, true));
    expect(limitExceededBy(held, booking(3, true), now)).toBe('unpaid-holds');
    expect(limitExceededBy(held, booking(3), now)).toBeUndefined();
  });

  it('refuse a fifth upcoming appointment, holds and paid ones alike', () => {
    const onSite = holding(booking(1), booking(2), booking(3), booking(4));
    expect(limitExceededBy(onSite, booking(5), now)).toBe('upcoming');
    expect(limitExceededBy(onSite, booking(5, true), now)).toBe('upcoming');
    const mixed = holding(booking(1, true), booking(2), booking(3, true), booking(4));
    expect(limitExceededBy(mixed, booking(5), now)).toBe('upcoming');
    expect(limitExceededBy(holding(booking(1), booking(2), booking(3)), booking(5), now)).toBeUndefined();
  });

  it('count a paid hold as an upcoming appointment, no longer as a hold', () => {
    const first = booking(1, true);
    const second = booking(2, true);
    let held = holding(first, second);
    expect(limitExceededBy(held, booking(3, true), now)).toBe('unpaid-holds');
    held = afterChange(held, confirm(first, now), now);
    expect(held.filter((h) => h.unpaid)).toHaveLength(1);
    expect(held).toHaveLength(2);
    expect(limitExceededBy(held, booking(3, true), now)).toBeUndefined();
  });

  it('stop counting an appointment once it has started, or once it is cancelled', () => {
    const [soon, second] = [booking(1), booking(2)];
    const held = holding(soon, second, booking(3), booking(4));
    expect(limitExceededBy(held, booking(5), now)).toBe('upcoming');
    // a minute after the first has started
    expect(limitExceededBy(held, booking(5), new Date(soon.start.getTime() + minute))).toBeUndefined();
    // or now, once the second is cancelled
    const after = afterChange(held, cancel(second, 'client', now), now);
    expect(after.map((h) => h.appointmentId)).not.toContain(second.id);
    expect(limitExceededBy(after, booking(5), now)).toBeUndefined();
  });

  it('let limits be set lower or higher (one place, read by the store)', () => {
    const held = holding(booking(1, true));
    expect(limitExceededBy(held, booking(2, true), now, { unpaidHolds: 1, upcoming: 4 })).toBe('unpaid-holds');
    expect(limitExceededBy(held, booking(2, true), now, { unpaidHolds: 5, upcoming: 1 })).toBe('upcoming');
  });

  it('never count a booking against itself (the same request again)', () => {
    const a = booking(1);
    const held = holding(booking(2), booking(3), booking(4), a);
    expect(limitExceededBy(held, a, now)).toBeUndefined();
  });
});

describe('what changes do to the holdings', () => {
  it('a reschedule moves the start it counts until; a cancellation, completion or no-show removes it', () => {
    const a = booking(3);
    const held = holding(a, booking(4));
    const moved = reschedule(a, 'client', day(10), now);
    expect(afterChange(held, moved, now).find((h) => h.appointmentId === a.id)?.start).toEqual(day(10));
    expect(latestStart(afterChange(held, moved, now))).toEqual(day(10));
    expect(afterChange(held, cancel(a, 'practitioner', now), now).map((h) => h.appointmentId)).not.toContain(a.id);
    const completed = { ...a, state: 'completed' as const };
    expect(afterChange(held, completed, day(4)).map((h) => h.appointmentId)).not.toContain(a.id);
  });

  it('never adds an appointment they do not list (booked before they were kept)', () => {
    const listed = booking(2);
    const older = booking(3);
    expect(afterChange(holding(listed), reschedule(older, 'client', day(5), now), now)).toEqual(holding(listed));
  });

  it('leave out what has started when they are written', () => {
    const past = booking(1);
    const held = holding(past, booking(5));
    expect(withBooking(held, booking(6), day(2)).map((h) => h.start)).toEqual([day(5), day(6)]);
  });

  it('only time-holding appointments are holdings', () => {
    expect(holdingOf(booking(1, true))).toMatchObject({ unpaid: true });
    expect(holdingOf(booking(1))).toMatchObject({ unpaid: false });
    expect(holdingOf(cancel(booking(1), 'client', now))).toBeUndefined();
  });
});
