/**
 * EventBridge Scheduler's schedule expressions, parsed and evaluated without I/O (DESIGN.md §4):
 * `cron(minutes hours day-of-month month day-of-week year)`, `rate(value unit)` and
 * `at(yyyy-mm-ddThh:mm:ss)`, evaluated in an IANA time zone with Intl.DateTimeFormat only.
 *
 * Daylight saving time, as EventBridge Scheduler documents it ("Daylight savings time on
 * EventBridge Scheduler", Scheduler User Guide, schedule-types; AWS re:Post knowledge-center
 * article eventbridge-scheduler-adjust-dst):
 * - cron: a run whose local time does not exist (the hour skipped when clocks go forward) is
 *   skipped, not moved; a local time that happens twice (clocks go back) runs once: we run it at
 *   its first occurrence, the earlier instant (the docs say "only once" without naming which).
 * - rate: a day is 24 hours of elapsed time, so `rate(1 day)` drifts by an hour in local time
 *   across a change; the next run is the last one plus the period.
 * - at: not documented for DST; a time in the skipped hour is moved forward by the gap (02:30 on
 *   the spring-forward day in Paris runs at 03:30), a repeated time runs at its first occurrence.
 */
import { utcOffsetMs, wallClock, wallClockMs } from '#shared/time-zone.ts';

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export type DayOfMonthField =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: readonly number[]; readonly last: boolean };

export type DayOfWeekField =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `n#k`: the k-th weekday n (1 = Sunday) of the month. */
  | { readonly kind: 'nth'; readonly weekday: number; readonly nth: number }
  /** `nL`: the last weekday n of the month. */
  | { readonly kind: 'last'; readonly weekday: number };

export interface CronExpression {
  readonly kind: 'cron';
  readonly source: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: DayOfMonthField;
  readonly months: readonly number[];
  readonly daysOfWeek: DayOfWeekField;
  readonly years: readonly number[];
}

export interface RateExpression {
  readonly kind: 'rate';
  readonly source: string;
  readonly value: number;
  readonly unit: 'minute' | 'hour' | 'day';
  readonly periodMs: number;
}

export interface AtExpression {
  readonly kind: 'at';
  readonly source: string;
  readonly at: LocalDateTime;
}

export type ScheduleExpression = CronExpression | RateExpression | AtExpression;

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly step: boolean;
}

const FIELDS = {
  minutes: { label: 'minutes', min: 0, max: 59, step: true },
  hours: { label: 'hours', min: 0, max: 23, step: true },
  dayOfMonth: { label: 'day-of-month', min: 1, max: 31, step: true },
  month: { label: 'month', min: 1, max: 12, names: MONTH_NAMES, step: true },
  dayOfWeek: { label: 'day-of-week', min: 1, max: 7, names: WEEKDAY_NAMES, step: false },
  year: { label: 'year', min: MIN_YEAR, max: MAX_YEAR, step: true },
} as const satisfies Record<string, FieldSpec>;

/** Parses an EventBridge Scheduler expression; throws ScheduleExpressionError with the reason. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const match = /^(cron|rate|at)\((.*)\)$/.exec(expression);
  if (!match) {
    throw new ScheduleExpressionError(
      `Invalid schedule expression "${expression}": expected cron(...), rate(...) or at(...).`,
    );
  }
  const [, kind, body] = match as unknown as [string, 'cron' | 'rate' | 'at', string];
  if (kind === 'rate') return parseRate(expression, body);
  if (kind === 'at') return parseAt(expression, body);
  return parseCron(expression, body);
}

function fail(expression: string, reason: string): never {
  throw new ScheduleExpressionError(`Invalid schedule expression "${expression}": ${reason}`);
}

function parseRate(source: string, body: string): RateExpression {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) fail(source, 'expected rate(value unit) with unit minute(s), hour(s) or day(s).');
  const value = Number(m[1]);
  const word = m[2] as string;
  if (!Number.isSafeInteger(value) || value < 1) fail(source, 'the rate value must be a positive integer.');
  const plural = word.endsWith('s');
  // EventBridge documents "rate(1 hours)" and "rate(5 hour)" as invalid: keep to what AWS accepts.
  if (value === 1 && plural) fail(source, `use the singular unit for 1 (rate(1 ${word.slice(0, -1)})).`);
  if (value > 1 && !plural) fail(source, `use the plural unit for ${value} (rate(${value} ${word}s)).`);
  const unit = (plural ? word.slice(0, -1) : word) as RateExpression['unit'];
  const unitMs = unit === 'minute' ? 60_000 : unit === 'hour' ? 3_600_000 : 86_400_000;
  return { kind: 'rate', source, value, unit, periodMs: value * unitMs };
}

function parseAt(source: string, body: string): AtExpression {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) fail(source, 'expected at(yyyy-mm-ddThh:mm:ss).');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) fail(source, 'no such date.');
  if (hour > 23 || minute > 59 || second > 59) fail(source, 'no such time of day.');
  return { kind: 'at', source, at: { year, month, day, hour, minute, second } };
}

function parseCron(source: string, body: string): CronExpression {
  const parts = body.split(' ');
  if (parts.length !== 6 || parts.some((p) => p === '')) {
    fail(
      source,
      'cron needs six fields separated by single spaces: minutes hours day-of-month month day-of-week year.',
    );
  }
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    fail(source, 'exactly one of day-of-month and day-of-week must be "?".');
  }
  return {
    kind: 'cron',
    source,
    minutes: parseList(source, min, FIELDS.minutes),
    hours: parseList(source, hour, FIELDS.hours),
    daysOfMonth: parseDayOfMonth(source, dom),
    months: parseList(source, month, FIELDS.month),
    daysOfWeek: parseDayOfWeek(source, dow),
    years: parseList(source, year, FIELDS.year),
  };
}

function parseDayOfMonth(source: string, field: string): DayOfMonthField {
  if (field === '?') return { kind: 'any' };
  if (/W/i.test(field) || /^L-/.test(field)) {
    fail(source, `day-of-month "${field}": W and L-n are not supported by the local scheduler.`);
  }
  if (field === 'L') return { kind: 'days', days: [], last: true };
  return { kind: 'days', days: parseList(source, field, FIELDS.dayOfMonth), last: false };
}

function parseDayOfWeek(source: string, field: string): DayOfWeekField {
  if (field === '?') return { kind: 'any' };
  const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(field);
  if (nth) {
    const weekday = parseValue(source, nth[1] as string, FIELDS.dayOfWeek);
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(source, `day-of-week "${field}": the occurrence after # must be 1 to 5.`);
    return { kind: 'nth', weekday, nth: n };
  }
  const last = /^([A-Za-z]{3}|\d)L$/.exec(field);
  if (last) return { kind: 'last', weekday: parseValue(source, last[1] as string, FIELDS.dayOfWeek) };
  // No weekday name holds an L or a #.
  if (/[L#]/i.test(field)) {
    fail(source, `day-of-week "${field}": L and # are supported only alone, as "nL" or "n#k".`);
  }
  return { kind: 'days', days: parseList(source, field, FIELDS.dayOfWeek) };
}

function parseValue(source: string, token: string, spec: FieldSpec): number {
  let value: number;
  if (/^\d+$/.test(token)) {
    value = Number(token);
  } else {
    const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
    if (index < 0) fail(source, `${spec.label}: "${token}" is not a value.`);
    value = spec.min + index;
  }
  if (value < spec.min || value > spec.max) {
    fail(source, `${spec.label}: ${token} is outside ${spec.min}-${spec.max}.`);
  }
  return value;
}

function parseList(source: string, field: string, spec: FieldSpec): number[] {
  if (field === '?') fail(source, `"?" is allowed only in day-of-month or day-of-week, not in ${spec.label}.`);
  const values = new Set<number>();
  for (const token of field.split(',')) {
    const m = /^([^/-]+)(?:-([^/-]+))?(?:\/(\d+))?$/.exec(token);
    if (!m) fail(source, `${spec.label}: "${token}" is not supported (use numbers, names, *, lists, ranges, steps).`);
    const [, startToken, endToken, stepToken] = m as unknown as [string, string, string?, string?];
    if (stepToken !== undefined && !spec.step) fail(source, `${spec.label}: "/" is not allowed in this field.`);
    const step = stepToken === undefined ? 1 : Number(stepToken);
    if (step < 1) fail(source, `${spec.label}: the step must be at least 1.`);
    let start: number;
    let end: number;
    if (startToken === '*') {
      if (endToken !== undefined) fail(source, `${spec.label}: "${token}" is not a range.`);
      start = spec.min;
      end = spec.max;
    } else {
      start = parseValue(source, startToken, spec);
      end = endToken === undefined ? (stepToken === undefined ? start : spec.max) : parseValue(source, endToken, spec);
    }
    if (end < start) fail(source, `${spec.label}: the range "${token}" runs backwards.`);
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Time zones with Intl only.

/** Throws unless the zone is an IANA time zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  toLocal(0, timeZone);
}

/** The wall-clock time in `timeZone` at an instant (to the second). */
export function toLocal(instant: Date | number, timeZone: string): LocalDateTime {
  try {
    return wallClock(instant, timeZone);
  } catch {
    throw new ScheduleExpressionError(`Unknown time zone "${timeZone}": use an IANA name such as Europe/Paris.`);
  }
}

const wallMs = wallClockMs;
const offsetAt = utcOffsetMs;

/**
 * Every instant at which the wall clock in `timeZone` shows `local`, earliest first: none in a
 * skipped hour, two in a repeated hour, one otherwise.
 */
export function fromLocal(local: LocalDateTime, timeZone: string): number[] {
  const w = wallMs(local);
  const offsets = new Set([
    offsetAt(w - 86_400_000, timeZone),
    offsetAt(w, timeZone),
    offsetAt(w + 86_400_000, timeZone),
  ]);
  const instants = new Set<number>();
  for (const offset of offsets) {
    const instant = w - offset;
    if (offsetAt(instant, timeZone) === offset) instants.add(instant);
  }
  return [...instants].sort((a, b) => a - b);
}

/** The instant of an `at()` time: first occurrence if repeated, moved forward by the gap if skipped. */
export function resolveAt(local: LocalDateTime, timeZone: string): Date {
  const instants = fromLocal(local, timeZone);
  if (instants[0] !== undefined) return new Date(instants[0]);
  // In a gap: read the wall time with the offset in force before the change.
  const w = wallMs(local);
  return new Date(w - offsetAt(w - 86_400_000, timeZone));
}

// ---------------------------------------------------------------------------------------------
// Next run.

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday, as in EventBridge cron. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

export function cronDayMatches(cron: CronExpression, year: number, month: number, day: number): boolean {
  const dom = cron.daysOfMonth;
  if (dom.kind === 'days') return dom.days.includes(day) || (dom.last && day === daysInMonth(year, month));
  const dow = cron.daysOfWeek;
  if (dow.kind === 'any') return true;
  const wd = weekday(year, month, day);
  if (dow.kind === 'days') return dow.days.includes(wd);
  if (dow.kind === 'nth') return wd === dow.weekday && Math.ceil(day / 7) === dow.nth;
  return wd === dow.weekday && day + 7 > daysInMonth(year, month);
}

/**
 * The first run strictly after `after`, or null when there is none (an `at()` in the past, a
 * cron with no date left before 2200). `startedAt` anchors rate schedules (EventBridge
 * Scheduler's StartDate: runs at startedAt + k·period); without it the next rate run is
 * `after` + period.
 */
export function nextRun(
  expression: string | ScheduleExpression,
  timeZone: string,
  after: Date,
  startedAt?: Date,
): Date | null {
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  assertTimeZone(timeZone);
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new RangeError('nextRun: `after` is an invalid date.');
  switch (parsed.kind) {
    case 'at': {
      const at = resolveAt(parsed.at, timeZone);
      return at.getTime() > afterMs ? at : null;
    }
    case 'rate': {
      if (startedAt === undefined) return new Date(afterMs + parsed.periodMs);
      const start = startedAt.getTime();
      if (start > afterMs) return new Date(start);
      const k = Math.floor((afterMs - start) / parsed.periodMs) + 1;
      return new Date(start + k * parsed.periodMs);
    }
    case 'cron':
      return nextCronRun(parsed, timeZone, afterMs);
  }
}

function nextCronRun(cron: CronExpression, timeZone: string, afterMs: number): Date | null {
  // Wall times are walked in order; a wall time's run is its earliest instant (a repeated time
  // runs once, a skipped time not at all), and that mapping keeps the order. A wall minute at or
  // before the wall minute of `after` therefore never runs after `after`: start past it.
  const from = toLocal(afterMs, timeZone);
  for (const year of cron.years) {
    if (year < from.year) continue;
    const y0 = year === from.year;
    for (const month of cron.months) {
      if (y0 && month < from.month) continue;
      const m0 = y0 && month === from.month;
      const dim = daysInMonth(year, month);
      for (let day = m0 ? from.day : 1; day <= dim; day++) {
        if (!cronDayMatches(cron, year, month, day)) continue;
        const d0 = m0 && day === from.day;
        for (const hour of cron.hours) {
          if (d0 && hour < from.hour) continue;
          const h0 = d0 && hour === from.hour;
          for (const minute of cron.minutes) {
            if (h0 && minute <= from.minute) continue;
            const [first] = fromLocal({ year, month, day, hour, minute, second: 0 }, timeZone);
            if (first !== undefined && first > afterMs) return new Date(first);
          }
        }
      }
    }
  }
  return null;
}
