/**
 * A practitioner's bookable schedule, as the slot computation (functions/bookings/domain/slots.ts) reads it. Pure: no AWS, no I/O.
 *
 * Opening hours, exceptions and closed periods are Europe/Paris wall-clock times (what the
 * practitioner types and the client reads); existing appointments are UTC instants (what a
 * booking stores). Wall-clock values are strings validated by the parsers below:
 * - `LocalTime`     'HH:MM' from '00:00' to '24:00' ('24:00' only as the end of a range);
 * - `LocalDate`     'YYYY-MM-DD';
 * - `LocalDateTime` 'YYYY-MM-DDTHH:MM'.
 */

/** The time zone every wall-clock value of a schedule is read in. */
export const scheduleTimeZone = 'Europe/Paris';

export type LocalTime = string;
export type LocalDate = string;
export type LocalDateTime = string;

export const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof weekdays)[number];

/** One opening range of a day, half-open [from, to) in wall-clock time; `to` may be '24:00'. */
export interface OpeningRange {
  readonly from: LocalTime;
  readonly to: LocalTime;
}

/**
 * Weekly opening hours: several ranges a day, the breaks are the gaps between them. A day that
 * is missing (or has no range) is closed. Ranges that overlap or touch are merged.
 */
export type WeeklyHours = Readonly<Partial<Record<Weekday, readonly OpeningRange[]>>>;

/**
 * Exceptions to the weekly hours:
 * - `closed-days`: whole local days closed, `from` to `to` inclusive (one day: from = to), e.g. holidays;
 * - `closed-period`: a wall-clock period closed, half-open [from, to), e.g. an afternoon off;
 * - `extra-opening`: ranges opened on one date in addition to that weekday's hours.
 * A closure wins over an extra opening: a slot is never offered inside any closure.
 */
export type ScheduleException =
  | { readonly kind: 'closed-days'; readonly from: LocalDate; readonly to: LocalDate }
  | { readonly kind: 'closed-period'; readonly from: LocalDateTime; readonly to: LocalDateTime }
  | { readonly kind: 'extra-opening'; readonly date: LocalDate; readonly ranges: readonly OpeningRange[] };

export interface Schedule {
  readonly weekly: WeeklyHours;
  readonly exceptions: readonly ScheduleException[];
  /** A slot starts at least this long after now. */
  readonly minimumNoticeMinutes: number;
  /** A slot starts strictly before now + this many days (of 24 hours). */
  readonly bookingHorizonDays: number;
  /** Free time kept before and after every existing appointment. */
  readonly bufferMinutes: number;
  /** Distance between two candidate starts within an opening range; `defaultSlotStepMinutes` when absent. */
  readonly slotStepMinutes?: number;
}

export const defaultSlotStepMinutes = 15;

export interface Service {
  readonly durationMinutes: number;
}

/** An existing appointment: a UTC interval [start, end). */
export interface Appointment {
  readonly start: Date;
  readonly end: Date;
}

/** Minutes since local midnight: 0 to 1440. */
export function parseLocalTime(value: LocalTime): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  const hours = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  if (!m || hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0))
    throw new RangeError(`not a local time (HH:MM): ${value}`);
  return hours * 60 + minutes;
}

/** Days since 1970-01-01 of a local calendar date. */
export function parseLocalDate(value: LocalDate): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(year, month - 1, day);
    const back = new Date(ms);
    if (back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day)
      return ms / 86_400_000;
  }
  throw new RangeError(`not a local date (YYYY-MM-DD): ${value}`);
}

/** A local date-time as { day (days since 1970-01-01), minutes since that day's midnight }. */
export function parseLocalDateTime(value: LocalDateTime): { readonly day: number; readonly minutes: number } {
  const [date, time, extra] = value.split('T');
  if (date === undefined || time === undefined || extra !== undefined || time === '24:00')
    throw new RangeError(`not a local date-time (YYYY-MM-DDTHH:MM): ${value}`);
  return { day: parseLocalDate(date), minutes: parseLocalTime(time) };
}

/** The ISO weekday of a day number (days since 1970-01-01, a Thursday). */
export function weekdayOf(day: number): Weekday {
  return weekdays[(((day + 3) % 7) + 7) % 7]!;
}

/**
 * What happens when a client cancels: free until `freeUntilHoursBefore` hours before the start;
 * after that, the practitioner keeps `lateCancellationFeePercent` of the price. A practitioner's
 * cancellation is always free for the client.
 */
export interface CancellationPolicy {
  readonly freeUntilHoursBefore: number;
  readonly lateCancellationFeePercent: number;
}
