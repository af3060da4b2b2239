import { describe, expect, it } from 'vitest';
import { freeSlots, type Slot } from '#functions/bookings/domain/slots.ts';
import type { Appointment, Schedule } from '#shared/offer/schedule.ts';

const paris = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'longOffset',
});
/** 'YYYY-MM-DD HH:MM+hh:mm' in Paris. */
function local(d: Date): string {
  const v = Object.fromEntries(paris.formatToParts(d).map((p) => [p.type, p.value]));
  return `${v.year}-${v.month}-${v.day} ${v.hour}:${v.minute}${String(v.timeZoneName).replace('GMT', '')}`;
}
const starts = (slots: Slot[]) => slots.map((s) => local(s.start));
const times = (slots: Slot[]) => slots.map((s) => local(s.start).slice(11, 16));

const base: Schedule = {
  weekly: {
    monday: [
      { from: '09:00', to: '12:00' },
      { from: '14:00', to: '18:00' },
    ],
    sunday: [{ from: '10:00', to: '11:00' }],
  },
  exceptions: [],
  minimumNoticeMinutes: 0,
  bookingHorizonDays: 3650,
  bufferMinutes: 0,
  slotStepMinutes: 30,
};
const longAgo = new Date('2020-01-01T00:00:00Z');
/** A whole Paris local day as a UTC range (offsets wide enough for both +01:00 and +02:00). */
const dayRange = (date: string) => ({
  from: new Date(`${date}T00:00:00+02:00`),
  to: new Date(`${date}T24:00:00+01:00`),
});
const thirty = { durationMinutes: 30 };

describe('freeSlots', () => {
  it('fills each opening range on a wall-clock grid; the break between ranges has no slot', () => {
    const slots = freeSlots(base, thirty, [], dayRange('2027-03-22'), longAgo);
    expect(times(slots)).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
      '17:00',
      '17:30',
    ]);
    expect(slots.every((s) => s.end.getTime() - s.start.getTime() === 30 * 60_000)).toBe(true);
    expect(freeSlots(base, thirty, [], dayRange('2027-03-23'), longAgo)).toEqual([]); // Tuesday: closed
  });

  it('defaults the step to 15 minutes and keeps a slot inside its range', () => {
    const { slotStepMinutes: _, ...noStep } = base;
    const slots = freeSlots(noStep, { durationMinutes: 60 }, [], dayRange('2027-03-22'), longAgo);
    expect(times(slots).slice(0, 9)).toEqual([
      '09:00',
      '09:15',
      '09:30',
      '09:45',
      '10:00',
      '10:15',
      '10:30',
      '10:45',
      '11:00',
    ]);
    expect(times(slots)).not.toContain('11:15');
    expect(times(slots).at(-1)).toBe('17:00');
  });

  it('keeps a 10:00 opening at 10:00 local across the March and October 2027 changes', () => {
    for (const date of ['2027-03-21', '2027-03-28', '2027-04-04', '2027-10-24', '2027-10-31', '2027-11-07']) {
      expect(times(freeSlots(base, thirty, [], dayRange(date), longAgo))).toEqual(['10:00', '10:30']);
    }
    const week = freeSlots(
      base,
      thirty,
      [],
      { from: new Date('2027-03-22T00:00:00Z'), to: new Date('2027-04-06T00:00:00Z') },
      longAgo,
    );
    expect(starts(week).filter((s) => s.includes(' 10:00'))).toEqual([
      '2027-03-22 10:00+01:00',
      '2027-03-28 10:00+02:00',
      '2027-03-29 10:00+02:00',
      '2027-04-04 10:00+02:00',
      '2027-04-05 10:00+02:00',
    ]);
    expect(starts(freeSlots(base, thirty, [], dayRange('2027-10-31'), longAgo))).toEqual([
      '2027-10-31 10:00+01:00',
      '2027-10-31 10:30+01:00',
    ]);
  });

  it('loses the skipped hour on 28 March 2027 and never straddles the change', () => {
    const night: Schedule = { ...base, weekly: { sunday: [{ from: '01:00', to: '05:00' }] } };
    expect(starts(freeSlots(night, thirty, [], dayRange('2027-03-28'), longAgo))).toEqual([
      '2027-03-28 01:00+01:00',
      '2027-03-28 01:30+01:00',
      '2027-03-28 03:00+02:00',
      '2027-03-28 03:30+02:00',
      '2027-03-28 04:00+02:00',
      '2027-03-28 04:30+02:00',
    ]);
    // A 60-minute service starting 01:30 would end at 03:30 local: dropped.
    expect(times(freeSlots(night, { durationMinutes: 60 }, [], dayRange('2027-03-28'), longAgo))).toEqual([
      '01:00',
      '03:00',
      '03:30',
      '04:00',
    ]);
    // A range starting in the skipped hour starts at the change (03:00).
    const fromGap: Schedule = { ...base, weekly: { sunday: [{ from: '02:30', to: '04:00' }] } };
    expect(times(freeSlots(fromGap, thirty, [], dayRange('2027-03-28'), longAgo))).toEqual(['03:00', '03:30']);
  });

  it('does not double the repeated hour on 31 October 2027', () => {
    const night: Schedule = { ...base, weekly: { sunday: [{ from: '01:00', to: '05:00' }] } };
    expect(starts(freeSlots(night, thirty, [], dayRange('2027-10-31'), longAgo))).toEqual([
      '2027-10-31 01:00+02:00',
      '2027-10-31 01:30+02:00',
      '2027-10-31 02:00+02:00',
      '2027-10-31 02:30+02:00',
      '2027-10-31 03:00+01:00',
      '2027-10-31 03:30+01:00',
      '2027-10-31 04:00+01:00',
      '2027-10-31 04:30+01:00',
    ]);
    // 02:30 (first pass) + 60 minutes would run into the second pass of the hour: dropped.
    expect(times(freeSlots(night, { durationMinutes: 60 }, [], dayRange('2027-10-31'), longAgo))).toEqual([
      '01:00',
      '01:30',
      '02:00',
      '03:00',
      '03:30',
      '04:00',
    ]);
  });

  it('keeps the buffer free before and after every appointment', () => {
    const appointment: Appointment = {
      start: new Date('2027-03-22T10:00:00+01:00'),
      end: new Date('2027-03-22T10:30:00+01:00'),
    };
    const slots = freeSlots({ ...base, bufferMinutes: 15 }, thirty, [appointment], dayRange('2027-03-22'), longAgo);
    expect(times(slots).slice(0, 4)).toEqual(['09:00', '11:00', '11:30', '14:00']);
    const step15 = freeSlots(
      { ...base, bufferMinutes: 15, slotStepMinutes: 15 },
      thirty,
      [appointment],
      dayRange('2027-03-22'),
      longAgo,
    );
    expect(times(step15).slice(0, 4)).toEqual(['09:00', '09:15', '10:45', '11:00']);
  });

  it('applies closed days, closed periods and extra openings (a closure wins)', () => {
    const schedule: Schedule = {
      ...base,
      exceptions: [
        { kind: 'closed-days', from: '2027-03-22', to: '2027-03-22' },
        { kind: 'closed-period', from: '2027-03-29T10:00', to: '2027-03-29T15:00' },
        { kind: 'extra-opening', date: '2027-03-23', ranges: [{ from: '18:00', to: '19:00' }] },
        { kind: 'extra-opening', date: '2027-03-22', ranges: [{ from: '19:00', to: '20:00' }] },
      ],
    };
    expect(freeSlots(schedule, thirty, [], dayRange('2027-03-22'), longAgo)).toEqual([]);
    expect(times(freeSlots(schedule, thirty, [], dayRange('2027-03-23'), longAgo))).toEqual(['18:00', '18:30']);
    expect(times(freeSlots(schedule, thirty, [], dayRange('2027-03-29'), longAgo))).toEqual([
      '09:00',
      '09:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
      '17:00',
      '17:30',
    ]);
  });

  it('merges ranges that touch or overlap, on the weekday or through an extra opening', () => {
    const schedule: Schedule = {
      ...base,
      weekly: {
        monday: [
          { from: '09:00', to: '10:00' },
          { from: '10:00', to: '11:00' },
        ],
      },
      exceptions: [{ kind: 'extra-opening', date: '2027-03-22', ranges: [{ from: '10:30', to: '12:00' }] }],
    };
    const slots = freeSlots(schedule, { durationMinutes: 90 }, [], dayRange('2027-03-22'), longAgo);
    expect(times(slots)).toEqual(['09:00', '09:30', '10:00', '10:30']);
  });

  it('respects notice, horizon and the requested range', () => {
    const now = new Date('2027-03-22T08:50:00+01:00');
    const noticed = freeSlots({ ...base, minimumNoticeMinutes: 60 }, thirty, [], dayRange('2027-03-22'), now);
    expect(times(noticed)[0]).toBe('10:00');
    const horizon = freeSlots(
      { ...base, bookingHorizonDays: 7 },
      thirty,
      [],
      { from: now, to: new Date('2027-04-30T00:00:00Z') },
      now,
    );
    expect(starts(horizon).at(-1)).toBe('2027-03-29 09:30+02:00');
    expect(horizon.every((s) => s.start.getTime() < now.getTime() + 7 * 86_400_000)).toBe(true);
    const narrow = freeSlots(
      base,
      thirty,
      [],
      { from: new Date('2027-03-22T09:15:00+01:00'), to: new Date('2027-03-22T10:00:00+01:00') },
      longAgo,
    );
    expect(times(narrow)).toEqual(['09:30']);
  });

  it('rejects an invalid schedule', () => {
    const range = dayRange('2027-03-22');
    expect(() => freeSlots(base, { durationMinutes: 0 }, [], range, longAgo)).toThrow(RangeError);
    expect(() =>
      freeSlots({ ...base, weekly: { monday: [{ from: '12:00', to: '09:00' }] } }, thirty, [], range, longAgo),
    ).toThrow(RangeError);
    expect(() =>
      freeSlots({ ...base, weekly: { monday: [{ from: '9:00', to: '10:00' }] } }, thirty, [], range, longAgo),
    ).toThrow(RangeError);
    expect(() =>
      freeSlots(
        { ...base, exceptions: [{ kind: 'closed-days', from: '2027-02-30', to: '2027-03-01' }] },
        thirty,
        [],
        range,
        longAgo,
      ),
    ).toThrow(RangeError);
  });
});
