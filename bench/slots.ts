/**
 * `npm run bench:slots`: free-slot computation over a 90-day range (issue 5: "well under 50 ms").
 *
 * A realistic week: Monday to Saturday, 09:00–12:30 and 14:00–19:00 (Paris), a 30-minute service
 * on a 15-minute step, a 10-minute buffer, 2 hours' notice, a 120-day horizon, a closed week and
 * 200 existing appointments; the range starts 1 March 2027 and so crosses the March DST change.
 * Reports the median (and p95) of BENCH_RUNS runs (500) after a warm-up, against floors measured
 * in the same run: iterating the same 90 days with no computation, and allocating as many slots
 * as the result holds (the least any implementation returning them must do).
 *
 *   BENCH_RUNS=1000 npm run bench:slots
 */

import { freeSlots, type Slot } from '#functions/bookings/domain/slots.ts';
import type { Appointment, Schedule } from '#shared/offer/schedule.ts';

const runs = Number(process.env.BENCH_RUNS ?? 500);
const warmUp = 50;
const minute = 60_000;
const day = 86_400_000;
const days = 90;

const week = [
  { from: '09:00', to: '12:30' },
  { from: '14:00', to: '19:00' },
];
const schedule: Schedule = {
  weekly: { monday: week, tuesday: week, wednesday: week, thursday: week, friday: week, saturday: week },
  exceptions: [
    { kind: 'closed-days', from: '2027-04-19', to: '2027-04-24' },
    { kind: 'closed-period', from: '2027-05-07T14:00', to: '2027-05-07T19:00' },
    { kind: 'extra-opening', date: '2027-03-14', ranges: [{ from: '10:00', to: '12:00' }] },
  ],
  minimumNoticeMinutes: 120,
  bookingHorizonDays: 120,
  bufferMinutes: 10,
  slotStepMinutes: 15,
};
const service = { durationMinutes: 30 };
const from = new Date('2027-03-01T00:00:00+01:00');
const range = { from, to: new Date(from.getTime() + days * day) };
const now = new Date(from.getTime() - 3 * 3_600_000);

/** 200 appointments on the working hours' half-hours, spread over the 90 days (deterministic). */
const existing: Appointment[] = [];
for (let i = 0; existing.length < 200; i++) {
  const d = (i * 37) % days;
  const start = from.getTime() + d * day + (9 * 60 + ((i * 7) % 18) * 30) * minute - 3_600_000; // ≈ 08:00–17:00 UTC
  const weekday = new Date(start).getUTCDay();
  if (weekday !== 0) existing.push({ start: new Date(start), end: new Date(start + 45 * minute) });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

function time(run: () => unknown): number[] {
  const out: number[] = [];
  let sink: unknown;
  for (let i = 0; i < warmUp + runs; i++) {
    const t0 = performance.now();
    sink = run();
    const t1 = performance.now();
    if (i >= warmUp) out.push(t1 - t0);
  }
  if (sink === undefined) throw new Error('nothing computed');
  return out;
}

const result = freeSlots(schedule, service, existing, range, now);

const compute = time(() => freeSlots(schedule, service, existing, range, now));
const emptyDays = time(() => {
  let acc = 0;
  for (let d = 0; d < days; d++) acc += (range.from.getTime() + d * day) % 7;
  return acc;
});
const allocate = time(() => {
  const out: Slot[] = [];
  for (let i = 0; i < result.length; i++) out.push({ start: new Date(i * minute), end: new Date(i * minute + 1) });
  return out;
});

const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log(`free slots over ${days} days: ${result.length} slots, ${existing.length} appointments, ${runs} runs`);
console.log(`  computation          median ${ms(median(compute))}   p95 ${ms(p95(compute))}`);
console.log(`  floor: ${days} empty days  median ${ms(median(emptyDays))}   p95 ${ms(p95(emptyDays))}`);
console.log(`  floor: ${result.length} slots allocated  median ${ms(median(allocate))}   p95 ${ms(p95(allocate))}`);
console.log(`  computation − empty-day floor: ${ms(median(compute) - median(emptyDays))} (budget: well under 50 ms)`);
