/** The appointment's state machine, the cancellation policy, its blocks and the events of a change. */
import { describe, expect, it } from 'vitest';
import {
  type Appointment,
  blocksOf,
  cancel,
  complete,
  confirm,
  freeCancellationDeadline,
  markNoShow,
  newAppointment,
  reschedule,
  TransitionRefused,
} from '#functions/bookings/domain/appointment.ts';
import { changesOf } from '#functions/bookings/domain/changes.ts';

const at = (iso: string) => new Date(iso);
const booked = (now = at('2027-03-01T09:00:00Z')) =>
  confirm(
    newAppointment({
      id: 'apt_0123456789abcdef0123456789abcdef',
      practitionerId: 'prac_1',
      clientId: 'client-1',
      service: { id: 'svc_1', name: 'Séance', durationMinutes: 60, priceCents: 6000 },
      start: at('2027-03-10T09:00:00Z'),
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
      requestFingerprint: 'f',
      now,
    }),
    now,
  );

describe('appointment transitions', () => {
  it('a new booking is requested, then confirmed, version by version', () => {
    const a = booked();
    expect(a.state).toBe('confirmed');
    expect(a.version).toBe(2);
    expect(a.end.toISOString()).toBe('2027-03-10T10:00:00.000Z');
    expect(() => confirm(a, at('2027-03-02T00:00:00Z'))).toThrow(TransitionRefused);
  });

  it('a client cancelling until the deadline cancels free; a second after, late with the policy fee', () => {
    const a = booked();
    expect(freeCancellationDeadline(a).toISOString()).toBe('2027-03-09T09:00:00.000Z');
    const free = cancel(a, 'client', at('2027-03-09T09:00:00Z'));
    expect(free.cancellation).toMatchObject({ by: 'client', late: false, feePercent: 0 });
    const late = cancel(a, 'client', at('2027-03-09T09:00:01Z'));
    expect(late.state).toBe('cancelled');
    expect(late.cancellation).toMatchObject({ by: 'client', late: true, feePercent: 50 });
  });

  it('a practitioner cancelling late is still free for the client', () => {
    const c = cancel(booked(), 'practitioner', at('2027-03-10T08:00:00Z'));
    expect(c.cancellation).toMatchObject({ by: 'practitioner', late: false, feePercent: 0 });
  });

  it('nothing is cancelled or moved once started, nor twice', () => {
    const a = booked();
    expect(() => cancel(a, 'practitioner', at('2027-03-10T09:00:00Z'))).toThrow(/started/);
    const c = cancel(a, 'client', at('2027-03-01T10:00:00Z'));
    expect(() => cancel(c, 'client', at('2027-03-01T11:00:00Z'))).toThrow(/cancelled/);
    expect(() => reschedule(c, 'client', at('2027-03-11T09:00:00Z'), at('2027-03-01T11:00:00Z'))).toThrow(/cancelled/);
  });

  it('a client moves the appointment until the deadline, a practitioner until the start; the length is kept', () => {
    const a = booked();
    const moved = reschedule(a, 'client', at('2027-03-11T14:00:00Z'), at('2027-03-09T08:00:00Z'));
    expect(moved.end.toISOString()).toBe('2027-03-11T15:00:00.000Z');
    expect(moved.version).toBe(a.version + 1);
    expect(() => reschedule(a, 'client', at('2027-03-11T14:00:00Z'), at('2027-03-09T10:00:00Z'))).toThrow(/deadline/);
    expect(reschedule(a, 'practitioner', at('2027-03-11T14:00:00Z'), at('2027-03-10T08:59:00Z')).state).toBe(
      'confirmed',
    );
  });

  it('completed and no-show only for a confirmed appointment that has started', () => {
    const a = booked();
    expect(() => complete(a, at('2027-03-10T08:59:59Z'))).toThrow(/not started/);
    expect(complete(a, at('2027-03-10T09:00:00Z')).state).toBe('completed');
    expect(markNoShow(a, at('2027-03-10T09:30:00Z')).state).toBe('no-show');
    const done = complete(a, at('2027-03-10T10:00:00Z'));
    expect(() => markNoShow(done, at('2027-03-10T10:00:00Z'))).toThrow(TransitionRefused);
  });
});

describe('blocks', () => {
  it('an appointment covers its 5-minute blocks, end excluded', () => {
    const blocks = blocksOf(at('2027-03-10T09:00:00Z'), at('2027-03-10T09:30:00Z'));
    expect(blocks).toHaveLength(6);
    expect(blocks[0]).toBe(Date.parse('2027-03-10T09:00:00Z') / 60_000);
    expect(blocks.at(-1)).toBe(Date.parse('2027-03-10T09:25:00Z') / 60_000);
  });

  it('two appointments overlapping by one minute share a block; back to back ones share none', () => {
    const a = new Set(blocksOf(at('2027-03-10T09:00:00Z'), at('2027-03-10T10:00:00Z')));
    const overlapping = blocksOf(at('2027-03-10T09:55:00Z'), at('2027-03-10T10:55:00Z'));
    const next = blocksOf(at('2027-03-10T10:00:00Z'), at('2027-03-10T11:00:00Z'));
    expect(overlapping.some((b) => a.has(b))).toBe(true);
    expect(next.some((b) => a.has(b))).toBe(false);
  });
});

describe('events of a change', () => {
  const snap = (a: Appointment) => a;

  it('an insert confirmed at once is requested then confirmed', () => {
    expect(changesOf(undefined, snap(booked())).map((c) => c.type)).toEqual(['BookingRequested', 'BookingConfirmed']);
  });

  it('a move is a reschedule; a cancellation carries who and how late; a replayed record says nothing', () => {
    const a = booked();
    const moved = reschedule(a, 'client', at('2027-03-11T14:00:00Z'), at('2027-03-02T00:00:00Z'));
    expect(changesOf(a, moved)).toEqual([{ type: 'BookingRescheduled' }]);
    const c = cancel(moved, 'client', at('2027-03-11T00:00:00Z'));
    expect(changesOf(moved, c)).toEqual([
      { type: 'BookingCancelled', cancelledBy: 'client', late: true, feePercent: 50 },
    ]);
    expect(changesOf(c, c)).toEqual([]);
    expect(changesOf(a, complete(a, at('2027-03-10T10:00:00Z')))).toEqual([{ type: 'BookingCompleted' }]);
    expect(changesOf(a, markNoShow(a, at('2027-03-10T10:00:00Z')))).toEqual([{ type: 'BookingNoShow' }]);
  });
});
