/**
 * Free slots of a schedule for one service: pure, no AWS, no I/O, no time-zone library (the
 * Europe/Paris offsets come from Intl.DateTimeFormat).
 *
 * How a slot is found:
 * - each local date of the window is read in Europe/Paris wall-clock time: its weekday's ranges
 *   plus that date's extra openings, merged (ranges that overlap or touch make one range), unless
 *   the date is a closed day;
 * - candidate starts lie on a wall-clock grid from each range's start, every `slotStepMinutes`
 *   (15 by default): a 10:00 opening gives a 10:00 local slot whatever the UTC offset that day;
 * - a slot lasts `durationMinutes` of real (elapsed) time and must end by the range's end;
 * - it must not overlap an existing appointment widened by the buffer on both sides, nor a closed
 *   period; its start lies in [range.from, range.to), at or after now + notice, and strictly
 *   before now + horizon (horizon days of 24 hours).
 *
 * Daylight-saving changes (Europe/Paris switches at 01:00 UTC on the last Sundays of March and
 * October). The choice: a slot's wall-clock length always equals its real length, so
 * - no slot straddles an offset change (a candidate that would is dropped);
 * - spring forward: wall times in the skipped hour (02:00–03:00) don't exist, candidates there are
 *   dropped, and a range boundary inside it stands for the change itself (03:00 local). A range
 *   01:00–05:00 holds 3 hours of slots that day;
 * - fall back: a repeated wall time (02:00–03:00) means its first occurrence (summer time,
 *   +02:00); the second pass of that hour is never offered, so the hour is not doubled. A range
 *   01:00–05:00 holds 4 hours of slots that day, as any other day.
 */

import {
  type Appointment,
  defaultSlotStepMinutes,
  type OpeningRange,
  parseLocalDate,
  parseLocalDateTime,
  parseLocalTime,
  type Schedule,
  type Service,
  scheduleTimeZone,
  weekdayOf,
  weekdays,
} from '#shared/offer/schedule.ts';
import { utcOffsetMs } from '#shared/time-zone.ts';

/** A free slot: a UTC interval [start, end). */
export interface Slot {
  readonly start: Date;
  readonly end: Date;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Europe/Paris's UTC offset at an instant, in ms (wall clock = UTC + offset). */
const offsetAt = (ms: number): number => utcOffsetMs(ms, scheduleTimeZone);

/**
 * How one local date's wall clock maps to UTC: the offset before and after the date's offset
 * change, and the instant of that change (+Infinity on the 363 days a year without one).
 */
interface DayClock {
  readonly before: number;
  readonly after: number;
  readonly change: number;
}

function dayClock(d: number): DayClock {
  const from = d * day - 14 * hour;
  const to = (d + 1) * day + 14 * hour;
  const before = offsetAt(from);
  const after = offsetAt(to);
  if (before === after) return { before, after, change: Number.POSITIVE_INFINITY };
  // The change lies in (from, to]: find it to the minute.
  let lo = Math.floor(from / minute);
  let hi = Math.ceil(to / minute);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid * minute) === before) lo = mid;
    else hi = mid;
  }
  return { before, after, change: hi * minute };
}

/**
 * The UTC instant of a wall-clock time (ms since epoch, as if UTC) on a date with this clock: a
 * repeated time gives its first occurrence, a skipped time gives undefined.
 */
function toUtc(clock: DayClock, wall: number): number | undefined {
  const first = wall - clock.before;
  if (first < clock.change) return first;
  const second = wall - clock.after;
  return second >= clock.change ? second : undefined;
}

/** A range boundary: a skipped wall time stands for the offset change itself. */
function boundaryToUtc(clock: DayClock, wall: number): number {
  return toUtc(clock, wall) ?? clock.change;
}

/** Half-open intervals [start, end) in ms. */
interface Interval {
  start: number;
  end: number;
}

/** Sorts and merges intervals that overlap or touch. */
function merge(intervals: Interval[]): Interval[] {
  intervals.sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of intervals) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else if (i.end > i.start) out.push({ start: i.start, end: i.end });
  }
  return out;
}

function minutesOf(ranges: readonly OpeningRange[]): Interval[] {
  return ranges.map((r) => {
    const start = parseLocalTime(r.from);
    const end = parseLocalTime(r.to);
    if (start >= end || start === 1440) throw new RangeError(`empty opening range: ${r.from}–${r.to}`);
    return { start, end };
  });
}

function nonNegative(value: number, what: string, positive = false): number {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0))
    throw new RangeError(`${what} must be a ${positive ? 'positive' : 'non-negative'} number: ${value}`);
  return value;
}

/** The free slots of `service` in `range`, sorted by start. */
export function freeSlots(
  schedule: Schedule,
  service: Service,
  existing: readonly Appointment[],
  range: { readonly from: Date; readonly to: Date },
  now: Date,
): Slot[] {
  const duration = nonNegative(service.durationMinutes, 'durationMinutes', true) * minute;
  const step = nonNegative(schedule.slotStepMinutes ?? defaultSlotStepMinutes, 'slotStepMinutes', true);
  const notice = nonNegative(schedule.minimumNoticeMinutes, 'minimumNoticeMinutes') * minute;
  const horizon = nonNegative(schedule.bookingHorizonDays, 'bookingHorizonDays') * day;
  const buffer = nonNegative(schedule.bufferMinutes, 'bufferMinutes') * minute;

  const lo = Math.max(range.from.getTime(), now.getTime() + notice);
  const hi = Math.min(range.to.getTime(), now.getTime() + horizon);
  if (!(lo < hi)) return [];

  const clocks = new Map<number, DayClock>();
  const clockOf = (d: number) => {
    let c = clocks.get(d);
    if (!c) {
      c = dayClock(d);
      clocks.set(d, c);
    }
    return c;
  };
  const firstDay = Math.floor((lo + offsetAt(lo)) / day);
  const lastDay = Math.floor((hi - 1 + offsetAt(hi - 1)) / day);

  const weekly = new Map(weekdays.map((w) => [w, merge(minutesOf(schedule.weekly[w] ?? []))]));
  const closedDays = new Set<number>();
  const extraOpenings = new Map<number, Interval[]>();
  const blocked: Interval[] = [];
  for (const a of existing) {
    const start = a.start.getTime();
    const end = a.end.getTime();
    if (!(start <= end)) throw new RangeError('an appointment ends before it starts');
    blocked.push({ start: start - buffer, end: end + buffer });
  }
  for (const e of schedule.exceptions) {
    if (e.kind === 'closed-days') {
      const from = parseLocalDate(e.from);
      const to = parseLocalDate(e.to);
      for (let d = Math.max(from, firstDay); d <= Math.min(to, lastDay); d++) closedDays.add(d);
    } else if (e.kind === 'extra-opening') {
      const d = parseLocalDate(e.date);
      const ranges = minutesOf(e.ranges);
      if (d >= firstDay && d <= lastDay) extraOpenings.set(d, [...(extraOpenings.get(d) ?? []), ...ranges]);
    } else {
      const from = parseLocalDateTime(e.from);
      const to = parseLocalDateTime(e.to);
      if (to.day < firstDay - 1 || from.day > lastDay + 1) continue;
      blocked.push({
        start: boundaryToUtc(clockOf(from.day), from.day * day + from.minutes * minute),
        end: boundaryToUtc(clockOf(to.day), to.day * day + to.minutes * minute),
      });
    }
  }
  const blocks = merge(blocked);

  /** Whether [start, end) overlaps a block: binary search on the merged blocks' ends. */
  const isBlocked = (start: number, end: number) => {
    let a = 0;
    let b = blocks.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (blocks[mid]!.end <= start) a = mid + 1;
      else b = mid;
    }
    return a < blocks.length && blocks[a]!.start < end;
  };

  const slots: Slot[] = [];
  for (let d = firstDay; d <= lastDay; d++) {
    if (closedDays.has(d)) continue;
    const extra = extraOpenings.get(d);
    const own = weekly.get(weekdayOf(d))!;
    const ranges = extra ? merge([...own, ...extra]) : own;
    if (ranges.length === 0) continue;
    const clock = clockOf(d);
    const midnight = d * day;
    for (const r of ranges) {
      const rangeEnd = boundaryToUtc(r.end === 1440 ? clockOf(d + 1) : clock, midnight + r.end * minute);
      for (let m = r.start; m < r.end; m += step) {
        const start = toUtc(clock, midnight + m * minute);
        if (start === undefined) continue; // skipped by spring forward
        const end = start + duration;
        if (end > rangeEnd) break;
        if (start < lo) continue;
        if (start >= hi) break;
        if (start < clock.change && clock.change < end) continue; // would straddle the offset change
        if (isBlocked(start, end)) continue;
        slots.push({ start: new Date(start), end: new Date(end) });
      }
    }
  }
  return slots;
}
