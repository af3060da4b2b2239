/**
 * Wall-clock time in an IANA time zone with Intl only (no library): the slot computation
 * (Europe/Paris) and the local scheduler both stand on these two functions.
 */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a zone; throws a RangeError for a zone this runtime does not know. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at an instant (to the second). */
export function wallClock(instant: Date | number, timeZone: string): WallClock {
  const v: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant))
    if (part.type !== 'literal') v[part.type] = Number(part.value);
  return { year: v.year!, month: v.month!, day: v.day!, hour: v.hour!, minute: v.minute!, second: v.second! };
}

/** A wall clock read as if it were UTC, in ms. */
export function wallClockMs(t: WallClock): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

/** The zone's UTC offset at an instant, in ms (wall clock = UTC + offset). */
export function utcOffsetMs(instantMs: number, timeZone: string): number {
  const floored = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(wallClock(floored, timeZone)) - floored;
}

/** The date in Paris at an instant, YYYY-MM-DD: the day French deadlines are counted in. */
export function parisDate(instant: Date | number): string {
  const t = wallClock(instant, 'Europe/Paris');
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}
