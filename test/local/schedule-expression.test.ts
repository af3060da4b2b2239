import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromLocal,
  nextRun,
  parseScheduleExpression,
  ScheduleExpressionError,
  toLocal,
} from '#local/schedule-expression.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The successive runs after `from`. */
function runs(expression: string, tz: string, from: string, count: number): string[] {
  const out: string[] = [];
  let t = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = nextRun(expression, tz, t);
    if (!next) break;
    out.push(next.toISOString());
    t = next;
  }
  return out;
}

/** Wall-clock "YYYY-MM-DD HH:MM" in a zone, read with Intl directly (independent of the module). */
function wall(instant: Date | string, tz: string): string {
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(instant));
  return parts;
}

describe('cron expressions', () => {
  it('runs daily 03:00 Europe/Paris at 03:00 local across the March 2027 change (UTC+1 to UTC+2)', () => {
    const r = runs('cron(0 3 * * ? *)', 'Europe/Paris', '2027-03-26T00:00:00Z', 4);
    expect(r).toEqual([
      '2027-03-26T02:00:00.000Z',
      '2027-03-27T02:00:00.000Z',
      '2027-03-28T01:00:00.000Z', // the spring-forward day: 03:00 exists (02:00-02:59 does not)
      '2027-03-29T01:00:00.000Z',
    ]);
    for (const t of r) expect(wall(t, 'Europe/Paris').slice(11)).toBe('03:00');
  });

  it('runs daily 03:00 Europe/Paris at 03:00 local across the October 2027 change (UTC+2 to UTC+1)', () => {
    const r = runs('cron(0 3 * * ? *)', 'Europe/Paris', '2027-10-29T12:00:00Z', 4);
    expect(r).toEqual([
      '2027-10-30T01:00:00.000Z',
      '2027-10-31T02:00:00.000Z', // the fall-back day
      '2027-11-01T02:00:00.000Z',
      '2027-11-02T02:00:00.000Z',
    ]);
    for (const t of r) expect(wall(t, 'Europe/Paris').slice(11)).toBe('03:00');
  });

  it('skips a run whose local time does not exist on the spring-forward day', () => {
    expect(runs('cron(30 2 * * ? *)', 'Europe/Paris', '2027-03-26T12:00:00Z', 3)).toEqual([
      '2027-03-27T01:30:00.000Z',
      // 2027-03-28 02:30 does not exist in Paris: no run that day
      '2027-03-29T00:30:00.000Z',
      '2027-03-30T00:30:00.000Z',
    ]);
  });

  it('runs a repeated local time once, at its first occurrence, on the fall-back day', () => {
    expect(runs('cron(30 2 * * ? *)', 'Europe/Paris', '2027-10-30T12:00:00Z', 2)).toEqual([
      '2027-10-31T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not run again
      '2027-11-01T01:30:00.000Z',
    ]);
    // Even when asked from inside the repeated hour, after the first 02:30.
    expect(iso(nextRun('cron(30 2 * * ? *)', 'Europe/Paris', new Date('2027-10-31T01:00:00Z')))).toBe(
      '2027-11-01T01:30:00.000Z',
    );
    // Every 15 minutes through the repeated hour: each wall time once.
    const quarter = runs('cron(0/15 * * * ? *)', 'Europe/Paris', '2027-10-30T23:50:00Z', 8);
    expect(quarter.map((t) => wall(t, 'Europe/Paris').slice(11))).toEqual([
      '02:00',
      '02:15',
      '02:30',
      '02:45',
      '03:00',
      '03:15',
      '03:30',
      '03:45',
    ]);
    expect(quarter[4]).toBe('2027-10-31T02:00:00.000Z'); // an hour of silence between 02:45 CEST and 03:00 CET
  });

  it('matches weekday lists and names (1 = SUN … 7 = SAT)', () => {
    const r = runs('cron(15 8 ? * MON,WED,FRI *)', 'Europe/Paris', '2027-01-01T00:00:00Z', 4);
    expect(r.map((t) => wall(t, 'Europe/Paris'))).toEqual([
      '2027-01-01 08:15', // a Friday
      '2027-01-04 08:15',
      '2027-01-06 08:15',
      '2027-01-08 08:15',
    ]);
    expect(runs('cron(15 8 ? * 2-6 *)', 'UTC', '2027-01-01T09:00:00Z', 2)).toEqual([
      '2027-01-04T08:15:00.000Z',
      '2027-01-05T08:15:00.000Z',
    ]);
    expect(runs('cron(0 10 ? * 2#1 *)', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-04T10:00:00.000Z',
      '2027-02-01T10:00:00.000Z',
    ]);
    expect(runs('cron(0 10 ? * 6L *)', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-29T10:00:00.000Z',
      '2027-02-26T10:00:00.000Z',
    ]);
  });

  it('runs monthly, on the last day of the month, and within months and years', () => {
    expect(
      runs('cron(0 4 1 * ? *)', 'Europe/Paris', '2027-01-15T00:00:00Z', 3).map((t) => wall(t, 'Europe/Paris')),
    ).toEqual(['2027-02-01 04:00', '2027-03-01 04:00', '2027-04-01 04:00']);
    expect(runs('cron(0 23 L * ? *)', 'UTC', '2028-01-31T23:00:00Z', 3)).toEqual([
      '2028-02-29T23:00:00.000Z',
      '2028-03-31T23:00:00.000Z',
      '2028-04-30T23:00:00.000Z',
    ]);
    expect(runs('cron(0 0 1 JAN-MAR/2 ? 2027-2028)', 'UTC', '2026-06-01T00:00:00Z', 5)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-03-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
    expect(nextRun('cron(0 0 31 2 ? *)', 'UTC', new Date('2027-01-01T00:00:00Z'))).toBeNull();
  });

  it('starts strictly after `after`, at second 0 of the minute', () => {
    expect(iso(nextRun('cron(* * * * ? *)', 'UTC', new Date('2027-05-05T10:00:00Z')))).toBe('2027-05-05T10:01:00.000Z');
    expect(iso(nextRun('cron(* * * * ? *)', 'UTC', new Date('2027-05-05T10:00:59.999Z')))).toBe(
      '2027-05-05T10:01:00.000Z',
    );
  });
});

describe('rate and at expressions', () => {
  it('runs a rate every period from its start, a day being 24 hours even across a DST change', () => {
    const start = new Date('2027-03-27T03:00:00+01:00');
    expect(iso(nextRun('rate(1 day)', 'Europe/Paris', start, start))).toBe('2027-03-28T02:00:00.000Z');
    expect(wall('2027-03-28T02:00:00.000Z', 'Europe/Paris')).toBe('2027-03-28 04:00'); // 24 h later, not 03:00
    expect(
      iso(nextRun('rate(5 minutes)', 'UTC', new Date('2027-01-01T00:07:00Z'), new Date('2027-01-01T00:00:00Z'))),
    ).toBe('2027-01-01T00:10:00.000Z');
    expect(iso(nextRun('rate(2 hours)', 'UTC', new Date('2027-01-01T00:00:00Z')))).toBe('2027-01-01T02:00:00.000Z');
    // A start date in the future is the first run.
    expect(
      iso(nextRun('rate(1 hour)', 'UTC', new Date('2027-01-01T00:00:00Z'), new Date('2027-01-02T00:00:00Z'))),
    ).toBe('2027-01-02T00:00:00.000Z');
  });

  it('runs an at() once, in its time zone', () => {
    const at = 'at(2027-06-15T09:30:00)';
    expect(iso(nextRun(at, 'Europe/Paris', new Date('2027-01-01T00:00:00Z')))).toBe('2027-06-15T07:30:00.000Z');
    expect(iso(nextRun(at, 'UTC', new Date('2027-01-01T00:00:00Z')))).toBe('2027-06-15T09:30:00.000Z');
    expect(nextRun(at, 'Europe/Paris', new Date('2027-06-15T07:30:00Z'))).toBeNull();
    // In the skipped hour: moved forward by the gap; in the repeated hour: the first occurrence.
    expect(iso(nextRun('at(2027-03-28T02:30:00)', 'Europe/Paris', new Date(0)))).toBe('2027-03-28T01:30:00.000Z');
    expect(iso(nextRun('at(2027-10-31T02:30:00)', 'Europe/Paris', new Date(0)))).toBe('2027-10-31T00:30:00.000Z');
  });

  it('finds zero, one or two instants for a wall time', () => {
    const t = { year: 2027, month: 3, day: 28, hour: 2, minute: 30, second: 0 };
    expect(fromLocal(t, 'Europe/Paris')).toEqual([]);
    expect(fromLocal({ ...t, month: 10, day: 31 }, 'Europe/Paris').map((n) => new Date(n).toISOString())).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-10-31T01:30:00.000Z',
    ]);
    expect(toLocal(new Date('2027-07-01T12:34:56Z'), 'Europe/Paris')).toEqual({
      year: 2027,
      month: 7,
      day: 1,
      hour: 14,
      minute: 34,
      second: 56,
    });
  });
});

describe('invalid expressions', () => {
  it.each([
    ['cron(0 3 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 3 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 3 * *)', /six fields/],
    ['cron(60 3 * * ? *)', /outside 0-59/],
    ['cron(0 24 * * ? *)', /outside 0-23/],
    ['cron(0 3 * 13 ? *)', /outside 1-12/],
    ['cron(0 3 ? * 8 *)', /outside 1-7/],
    ['cron(0 3 * * ? 2300)', /outside 1970-2199/],
    ['cron(0 3 15W * ? *)', /W and L-n are not supported/],
    ['cron(0 3 ? * MON/2 *)', /"\/" is not allowed/],
    ['cron(0 3 ? * 1,L *)', /L and # are supported only alone/],
    ['cron(0 10-5 * * ? *)', /runs backwards/],
    ['cron(0 3 * FOO ? *)', /"FOO" is not a value/],
    ['cron(? 3 * * ? *)', /"\?" is allowed only/],
    ['cron(0 3 * * ? *) ', /expected cron/],
    ['rate(0 minutes)', /positive integer/],
    ['rate(1 minutes)', /singular/],
    ['rate(5 minute)', /plural/],
    ['rate(5 weeks)', /minute\(s\), hour\(s\) or day\(s\)/],
    ['at(2027-02-29T10:00:00)', /no such date/],
    ['at(2027-01-01T24:00:00)', /no such time/],
    ['at(2027-01-01 10:00:00)', /yyyy-mm-ddThh:mm:ss/],
    ['every day', /expected cron/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => nextRun('rate(1 hour)', 'Europe/Atlantis', new Date())).toThrow(/Unknown time zone/);
  });
});

// -------------------------------------------------------------------------------------------------
// Property: nextRun(e, tz, t) > t, and no earlier run lies between t and it (brute-force minute stepping).

type Field = { text: string; values: Set<number> };

function field(min: number, max: number, names?: readonly string[]): fc.Arbitrary<Field> {
  const all = (step: number, from = min, to = max) => {
    const s = new Set<number>();
    for (let v = from; v <= to; v += step) s.add(v);
    return s;
  };
  const label = (v: number) => (names && v % 2 === 0 ? (names[v - min] as string) : String(v));
  return fc.oneof(
    fc.constant({ text: '*', values: all(1) }),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((vs) => ({
      text: vs.map(label).join(','),
      values: new Set(vs),
    })),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
      .map(([a, b]) => ({ text: `${label(a)}-${label(b)}`, values: all(1, a, b) })),
    ...(names && names.length === 7
      ? []
      : [
          fc
            .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }))
            .map(([a, s]) => ({ text: `${a}/${s}`, values: all(s, a) })),
        ]),
  );
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const cronArb = fc
  .record({
    minutes: field(0, 59),
    // Often the hours a change skips or repeats (01:00-03:00 in New York and Paris).
    hours: fc.oneof(
      field(0, 23),
      fc.constantFrom(
        { text: '1-3', values: new Set([1, 2, 3]) },
        { text: '1', values: new Set([1]) },
        { text: '2', values: new Set([2]) },
        { text: '2,3', values: new Set([2, 3]) },
      ),
    ),
    dom: fc.option(field(1, 31), { nil: undefined }),
    months: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ text: '*', values: new Set(MONTHS.map((_, i) => i + 1)) }) },
      field(1, 12, MONTHS),
    ),
    dow: field(1, 7, DAYS),
  })
  .map(({ minutes, hours, dom, months, dow }) => ({
    expression: `cron(${minutes.text} ${hours.text} ${dom ? dom.text : '?'} ${months.text} ${dom ? '?' : dow.text} *)`,
    matches: (w: { month: number; day: number; weekday: number; hour: number; minute: number }) =>
      minutes.values.has(w.minute) &&
      hours.values.has(w.hour) &&
      months.values.has(w.month) &&
      (dom ? dom.values.has(w.day) : dow.values.has(w.weekday)),
  }));

const WEEKDAY = { Sun: 1, Mon: 2, Tue: 3, Wed: 4, Thu: 5, Fri: 6, Sat: 7 } as const;

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function wallParts(ms: number, tz: string) {
  let f = partsFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    partsFormatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(ms)) {
    p[x.type] = x.value;
  }
  return {
    month: Number(p.month),
    day: Number(p.day),
    weekday: WEEKDAY[p.weekday as keyof typeof WEEKDAY],
    hour: Number(p.hour),
    minute: Number(p.minute),
  };
}

const sameWall = (a: ReturnType<typeof wallParts>, b: ReturnType<typeof wallParts>) =>
  a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;

/** A run in the brute-force sense: the wall time matches and this is its first occurrence (DST shifts are 1 h here). */
function isRun(ms: number, tz: string, matches: (w: ReturnType<typeof wallParts>) => boolean): boolean {
  const w = wallParts(ms, tz);
  if (!matches(w)) return false;
  return !sameWall(w, wallParts(ms - 3_600_000, tz));
}

describe('nextRun property', () => {
  const WINDOW_MINUTES = 36 * 60;
  // Mostly within 3 hours of a 2027 change in Paris or New York, sometimes anywhere in 2026-2028.
  const transitions = ['2027-03-28T01:00:00Z', '2027-10-31T01:00:00Z', '2027-03-14T07:00:00Z', '2027-11-07T06:00:00Z'];
  const instant = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...transitions.map(Date.parse)), fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }))
        .map(([at, delta]) => at + delta),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }),
    },
  );

  it('returns a later run with no run in between', () => {
    fc.assert(
      fc.property(cronArb, fc.constantFrom('Europe/Paris', 'UTC', 'America/New_York'), instant, (cron, tz, t) => {
        const next = nextRun(cron.expression, tz, new Date(t));
        if (next !== null) expect(next.getTime()).toBeGreaterThan(t);
        const limit = next === null ? Number.POSITIVE_INFINITY : next.getTime();
        let m = Math.floor(t / 60_000) * 60_000 + 60_000;
        for (let i = 0; i < WINDOW_MINUTES && m < limit; i++, m += 60_000) {
          if (isRun(m, tz, cron.matches)) {
            throw new Error(`${cron.expression} in ${tz}: ${new Date(m).toISOString()} runs before ${iso(next)}`);
          }
        }
        if (next !== null && next.getTime() - t <= WINDOW_MINUTES * 60_000) {
          expect(next.getTime() % 60_000).toBe(0);
          expect(isRun(next.getTime(), tz, cron.matches)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
