/**
 * Laws of `freeSlots`, checked on generated schedules, appointments, ranges and clocks, about half
 * of them in the daylight-saving weeks (last Sundays of March and October 2026–2028) and with
 * opening ranges that often cover the night, so the skipped and repeated hours are exercised.
 *
 * For every slot of every result:
 *  1. notice:   start ≥ now + minimum notice;
 *  2. horizon:  start < now + horizon days (24 h each);
 *  3. range:    range.from ≤ start < range.to;
 *  4. length:   end − start = the service's duration;
 *  5. appointments: [start, end) doesn't overlap any appointment widened by the buffer on both sides;
 *  6. wall clock: in Europe/Paris the slot lies within one local date and its wall-clock length equals
 *     its duration (it never straddles a DST change: no skipped hour inside, no repeated hour doubled),
 *     and it never starts in the second pass of a repeated hour;
 *  7. opening: every wall-clock minute of the slot is inside an opening range of its date (the
 *     weekday's or an extra opening's), so never in a break;
 *  8. closed days: its local date is not a closed day;
 *  9. closed periods: its wall-clock interval doesn't overlap a closed period.
 * For every result:
 * 10. starts strictly increase; when step ≥ duration the slots don't overlap one another.
 * 11. appointments only remove: the result with appointments is exactly the result without them
 *     minus the slots that overlap an appointment ± buffer.
 * 12. notice and horizon only filter: the result is exactly the result with no notice and a far
 *     horizon, restricted to [now + notice, now + horizon).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeSlots, type Slot } from '#functions/bookings/domain/slots.ts';
import {
  type Appointment,
  defaultSlotStepMinutes,
  type OpeningRange,
  type Schedule,
  type ScheduleException,
  type Service,
  weekdays,
} from '#shared/offer/schedule.ts';

const minute = 60_000;
const day = 86_400_000;

// ---- an independent reading of Paris wall-clock time (the test's own, through Intl) ----
const format = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
});
/** Paris wall clock at an instant: local date (days since 1970-01-01) and minutes since local midnight. */
function wall(ms: number): { day: number; minutes: number } {
  const v: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) v[p.type] = Number(p.value);
  return { day: Date.UTC(v.year!, v.month! - 1, v.day!) / day, minutes: v.hour! * 60 + v.minute! };
}
const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
const isoDate = (d: number) => new Date(d * day).toISOString().slice(0, 10);
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / day;
const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
const stamp = (dt: string) => dayOf(dt.slice(0, 10)) * 1440 + toMinutes(dt.slice(11, 16));

// ---- generators ----
/** Sundays of the DST changes, and ordinary weeks. */
const dstSundays = ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31', '2028-03-26', '2028-10-29'].map(dayOf);
const anchorDay = fc.oneof(
  fc.constantFrom(...dstSundays),
  fc.integer({ min: dayOf('2026-01-01'), max: dayOf('2028-12-31') }),
);

const openingRange: fc.Arbitrary<OpeningRange> = fc
  .tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 48 }))
  .map(([start, length]) => ({ from: hhmm(start * 15), to: hhmm(Math.min(96, start + length) * 15) }));

const weeklyHours = fc
  .tuple(...weekdays.map(() => fc.array(openingRange, { maxLength: 3 })))
  .map((days) => Object.fromEntries(weekdays.map((w, i) => [w, days[i]!])));

/** A wall time of a closed period: on the quarter hour, never in the 02:00–03:00 DST hour. */
const closureTime = fc
  .integer({ min: 0, max: 91 })
  .map((q) => (q < 8 ? q * 15 : (q + 4) * 15))
  .map(hhmm);

function exceptionsAround(anchor: number): fc.Arbitrary<ScheduleException[]> {
  const date = fc.integer({ min: anchor - 4, max: anchor + 10 }).map(isoDate);
  return fc.array(
    fc.oneof(
      fc
        .tuple(date, fc.integer({ min: 0, max: 2 }))
        .map(([from, n]) => ({ kind: 'closed-days' as const, from, to: isoDate(dayOf(from) + n) })),
      fc.tuple(date, closureTime, fc.integer({ min: 0, max: 1 }), closureTime).map(([from, t1, n, t2]) => ({
        kind: 'closed-period' as const,
        from: `${from}T${t1}`,
        to: `${isoDate(dayOf(from) + n)}T${t2}`,
      })),
      fc
        .tuple(date, fc.array(openingRange, { minLength: 1, maxLength: 2 }))
        .map(([d, ranges]) => ({ kind: 'extra-opening' as const, date: d, ranges })),
    ),
    { maxLength: 5 },
  );
}

interface Case {
  readonly schedule: Schedule;
  readonly service: Service;
  readonly existing: Appointment[];
  readonly range: { from: Date; to: Date };
  readonly now: Date;
}

const cases: fc.Arbitrary<Case> = anchorDay.chain((anchor) => {
  const around = (minDays: number, maxDays: number) =>
    fc.integer({ min: minDays * 288, max: maxDays * 288 }).map((fives) => anchor * day + fives * 5 * minute);
  return fc.record({
    schedule: fc.record(
      {
        weekly: weeklyHours,
        exceptions: exceptionsAround(anchor),
        minimumNoticeMinutes: fc.integer({ min: 0, max: 3 * 1440 }),
        bookingHorizonDays: fc.integer({ min: 0, max: 14 }),
        bufferMinutes: fc.integer({ min: 0, max: 60 }),
        slotStepMinutes: fc.constantFrom(5, 10, 15, 20, 30, 45, 60, 90),
      },
      { requiredKeys: ['weekly', 'exceptions', 'minimumNoticeMinutes', 'bookingHorizonDays', 'bufferMinutes'] },
    ),
    service: fc.record({ durationMinutes: fc.integer({ min: 5, max: 180 }) }),
    existing: fc.array(
      fc
        .tuple(around(-2, 10), fc.integer({ min: 1, max: 36 }))
        .map(([start, fives]) => ({ start: new Date(start), end: new Date(start + fives * 5 * minute) })),
      { maxLength: 30 },
    ),
    range: fc
      .tuple(around(-3, 5), fc.integer({ min: 0, max: 10 * 288 }))
      .map(([from, fives]) => ({ from: new Date(from), to: new Date(from + fives * 5 * minute) })),
    now: around(-4, 3).map((ms) => new Date(ms)),
  });
});

// ---- the laws ----
/** Whether [a0, a1) and [b0, b1) share an instant (an interval with b1 ≤ b0 is empty). */
const overlaps = (a0: number, a1: number, b0: number, b1: number) => b0 < b1 && a0 < b1 && b0 < a1;

function openMinutes(schedule: Schedule, d: number): boolean[] {
  const open = new Array<boolean>(1440).fill(false);
  const extra = schedule.exceptions.flatMap((e) => (e.kind === 'extra-opening' && dayOf(e.date) === d ? e.ranges : []));
  const weekday = weekdays[(((d + 3) % 7) + 7) % 7]!;
  for (const r of [...(schedule.weekly[weekday] ?? []), ...extra])
    for (let m = toMinutes(r.from); m < toMinutes(r.to); m++) open[m] = true;
  return open;
}

function checkSlot(c: Case, s: Slot, open: (d: number) => boolean[]): void {
  const { schedule, service, existing, range, now } = c;
  const start = s.start.getTime();
  const end = s.end.getTime();
  const duration = service.durationMinutes * minute;
  expect(start).toBeGreaterThanOrEqual(now.getTime() + schedule.minimumNoticeMinutes * minute); // 1
  expect(start).toBeLessThan(now.getTime() + schedule.bookingHorizonDays * day); // 2
  expect(start).toBeGreaterThanOrEqual(range.from.getTime()); // 3
  expect(start).toBeLessThan(range.to.getTime());
  expect(end - start).toBe(duration); // 4
  for (const a of existing) {
    const buffer = schedule.bufferMinutes * minute;
    expect(overlaps(start, end, a.start.getTime() - buffer, a.end.getTime() + buffer)).toBe(false); // 5
  }
  const first = wall(start);
  const last = wall(end - minute);
  expect(last.day).toBe(first.day); // 6
  expect(last.minutes + 1 - first.minutes).toBe(service.durationMinutes);
  expect(wall(start - 60 * minute)).not.toEqual(first);
  const openToday = open(first.day);
  expect(openToday.slice(first.minutes, last.minutes + 1).every(Boolean)).toBe(true); // 7
  const s0 = first.day * 1440 + first.minutes;
  const s1 = s0 + service.durationMinutes;
  for (const e of schedule.exceptions) {
    if (e.kind === 'closed-days') expect(first.day >= dayOf(e.from) && first.day <= dayOf(e.to)).toBe(false); // 8
    if (e.kind === 'closed-period') expect(overlaps(s0, s1, stamp(e.from), stamp(e.to))).toBe(false); // 9 (empty when to ≤ from)
  }
}

const key = (s: Slot) => `${s.start.toISOString()}/${s.end.toISOString()}`;
const offsetMinutes = (ms: number) => {
  const w = wall(ms);
  return w.day * 1440 + w.minutes - Math.floor(ms / minute);
};
/** Whether the requested range contains a DST change. */
const spansChange = (c: Case) => offsetMinutes(c.range.from.getTime()) !== offsetMinutes(c.range.to.getTime());

describe('freeSlots laws', () => {
  it('every slot respects notice, horizon, range, appointments ± buffer, opening hours, closures and DST (1–10)', () => {
    let dstRanges = 0;
    let slotsSeen = 0;
    fc.assert(
      fc.property(cases, (c) => {
        const slots = freeSlots(c.schedule, c.service, c.existing, c.range, c.now);
        const cache = new Map<number, boolean[]>();
        const open = (d: number) => {
          let o = cache.get(d);
          if (!o) {
            o = openMinutes(c.schedule, d);
            cache.set(d, o);
          }
          return o;
        };
        for (const s of slots) checkSlot(c, s, open);
        for (let i = 1; i < slots.length; i++) {
          expect(slots[i]!.start.getTime()).toBeGreaterThan(slots[i - 1]!.start.getTime()); // 10
          if ((c.schedule.slotStepMinutes ?? defaultSlotStepMinutes) >= c.service.durationMinutes)
            expect(slots[i]!.start.getTime()).toBeGreaterThanOrEqual(slots[i - 1]!.end.getTime());
        }
        if (spansChange(c)) dstRanges++;
        slotsSeen += slots.length;
      }),
      { numRuns: 400 },
    );
    expect(dstRanges).toBeGreaterThan(20);
    expect(slotsSeen).toBeGreaterThan(1000);
  });

  it('appointments only remove the slots they overlap, buffer included (11)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const without = freeSlots(c.schedule, c.service, [], c.range, c.now);
        const buffer = c.schedule.bufferMinutes * minute;
        const expected = without.filter((s) =>
          c.existing.every(
            (a) => !overlaps(s.start.getTime(), s.end.getTime(), a.start.getTime() - buffer, a.end.getTime() + buffer),
          ),
        );
        expect(freeSlots(c.schedule, c.service, c.existing, c.range, c.now).map(key)).toEqual(expected.map(key));
      }),
      { numRuns: 200 },
    );
  });

  it('notice and horizon only filter by start (12)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const open = { ...c.schedule, minimumNoticeMinutes: 0, bookingHorizonDays: 36_500 };
        const all = freeSlots(open, c.service, c.existing, c.range, new Date(c.range.from.getTime() - day));
        const lo = c.now.getTime() + c.schedule.minimumNoticeMinutes * minute;
        const hi = c.now.getTime() + c.schedule.bookingHorizonDays * day;
        const expected = all.filter((s) => s.start.getTime() >= lo && s.start.getTime() < hi);
        expect(freeSlots(c.schedule, c.service, c.existing, c.range, c.now).map(key)).toEqual(expected.map(key));
      }),
      { numRuns: 200 },
    );
  });
});
