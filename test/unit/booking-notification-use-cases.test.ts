/**
 * The notification and reminder use cases on in-memory ports: each party gets each notice once
 * however often the event comes, a party without a Cognito user is skipped, an event older than
 * the appointment is skipped, a failed send is sent again on the retry; the reminder schedules are
 * replaced on a change and deleted on a cancellation; a stale reminder never mails.
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
  type Contact,
  type NotificationDeps,
  notifyBookingParties,
  type ReceiptKey,
  type ReminderScheduleDeps,
  scheduleAppointmentReminders,
  sendAppointmentReminder,
} from '#functions/bookings/notifications/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import type { OneTimeSchedule } from '#shared/scheduling/one-time-schedules.ts';

const ID = 'apt_0123456789abcdef0123456789abcdef';
const CLIENT = '11111111-1111-4111-8111-111111111111';
const PRACTITIONER = '22222222-2222-4222-8222-222222222222';

function booked(now: Date, start = new Date(now.getTime() + 3 * 24 * 3_600_000), practitionerId = PRACTITIONER) {
  return confirm(
    newAppointment({
      id: ID,
      practitionerId,
      clientId: CLIENT,
      service: { id: 'svc_1', name: 'Séance', durationMinutes: 60, priceCents: 6000 },
      start,
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
      requestFingerprint: 'f',
      now,
    }),
    now,
  );
}

function world(options: { sendFailures?: number } = {}) {
  const clock = manualClock('2025-06-02T08:00:00Z');
  let appointment: Appointment | undefined = booked(clock.now());
  const contacts = new Map<string, Contact>([
    [CLIENT, { email: 'zoe@example.test', firstName: 'Zoé', lastName: 'Durand' }],
    [PRACTITIONER, { email: 'aurore@example.test', firstName: 'Aurore', lastName: 'Martin' }],
  ]);
  const receipts = new Map<string, 'sending' | 'sent' | 'failed'>();
  const sent: Mail[] = [];
  let failures = options.sendFailures ?? 0;
  const name = (k: ReceiptKey) => `${k.appointmentId}/${k.kind}/${k.version}/${k.party}`;
  const deps: NotificationDeps = {
    appointments: { find: async () => appointment },
    offers: { find: async () => undefined },
    parties: { contactOf: async (id) => contacts.get(id) },
    receipts: {
      claim: async (k) => {
        const state = receipts.get(name(k));
        if (state === 'sent' || state === 'sending') return false;
        receipts.set(name(k), 'sending');
        return true;
      },
      sent: async (k) => void receipts.set(name(k), 'sent'),
      failed: async (k) => void receipts.set(name(k), 'failed'),
    },
    mailer: {
      send: async (mail) => {
        if (failures > 0) {
          failures--;
          throw new Error('SES is down');
        }
        sent.push(mail);
        return { messageId: String(sent.length) };
      },
    },
    clock,
    platformAddress: 'no-reply@monprodubienetre.fr',
  };
  return {
    deps,
    clock,
    sent,
    contacts,
    /** The appointment as stored now. */
    current: () => appointment as Appointment,
    store: (a: Appointment | undefined) => {
      appointment = a;
    },
  };
}

function schedulesWorld(w: ReturnType<typeof world>) {
  const schedules = new Map<string, OneTimeSchedule>();
  const calls: string[] = [];
  const deps: ReminderScheduleDeps = {
    appointments: w.deps.appointments,
    clock: w.clock,
    schedules: {
      put: async (s) => {
        calls.push(`put ${s.name}`);
        schedules.set(s.name, s);
      },
      remove: async (n) => {
        calls.push(`remove ${n}`);
        return schedules.delete(n) ? 'deleted' : 'absent';
      },
    },
  };
  return { deps, schedules, calls };
}

describe('notices to the parties', () => {
  it('sends the confirmation to each party once, however often the event comes', async () => {
    const w = world();
    const event = { appointmentId: ID, version: w.current().version };
    expect(await notifyBookingParties(w.deps, 'confirmation', event)).toEqual({
      outcome: 'notified',
      parties: { client: 'sent', practitioner: 'sent' },
    });
    expect(await notifyBookingParties(w.deps, 'confirmation', event)).toEqual({
      outcome: 'notified',
      parties: { client: 'already-sent', practitioner: 'already-sent' },
    });
    expect(w.sent.map((m) => m.to[0])).toEqual(['zoe@example.test', 'aurore@example.test']);
    // the practitioner's name, with no published offer, comes from their account
    expect(w.sent[0]!.text).toContain('Praticien : Aurore Martin');
    expect(w.sent[1]!.text).toContain('Client : Zoé Durand');
  });

  it('skips a party without a Cognito user (a demo practitioner) without failing', async () => {
    const w = world();
    w.store(booked(w.clock.now(), undefined, 'prac_demo0000000001'));
    const outcome = await notifyBookingParties(w.deps, 'confirmation', {
      appointmentId: ID,
      version: w.current().version,
    });
    expect(outcome).toEqual({ outcome: 'notified', parties: { client: 'sent', practitioner: 'no-account' } });
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.text).toContain('Praticien : votre praticien');
  });

  it('skips an event older than the appointment: the newer change has its own notice', async () => {
    const w = world();
    const confirmed = w.current();
    w.store(reschedule(confirmed, 'client', new Date(confirmed.start.getTime() + 3_600_000), w.clock.now()));
    expect(
      await notifyBookingParties(w.deps, 'confirmation', { appointmentId: ID, version: confirmed.version }),
    ).toEqual({
      outcome: 'superseded',
      currentVersion: confirmed.version + 1,
    });
    expect(
      await notifyBookingParties(w.deps, 'reschedule', { appointmentId: ID, version: w.current().version }),
    ).toMatchObject({
      outcome: 'notified',
    });
    expect(w.sent.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Rendez-vous déplacé/),
      expect.stringMatching(/^Rendez-vous déplacé/),
    ]);
  });

  it('sends no confirmation of what is cancelled, but the cancellation (CANCEL .ics), and nothing when gone', async () => {
    const w = world();
    const confirmed = w.current();
    w.store(cancel(confirmed, 'client', w.clock.now()));
    expect(
      await notifyBookingParties(w.deps, 'confirmation', { appointmentId: ID, version: confirmed.version }),
    ).toMatchObject({
      outcome: 'superseded',
    });
    await notifyBookingParties(w.deps, 'cancellation', { appointmentId: ID, version: w.current().version });
    expect(w.sent.map((m) => m.attachments?.[0]?.contentType)).toEqual([
      'text/calendar; charset=UTF-8; method=CANCEL',
      'text/calendar; charset=UTF-8; method=CANCEL',
    ]);
    w.store(undefined);
    expect(await notifyBookingParties(w.deps, 'cancellation', { appointmentId: ID, version: 4 })).toEqual({
      outcome: 'gone',
    });
  });

  it('sends again on the retry after a failed send, and only what was not sent', async () => {
    const w = world({ sendFailures: 1 });
    const event = { appointmentId: ID, version: w.current().version };
    await expect(notifyBookingParties(w.deps, 'confirmation', event)).rejects.toThrow('SES is down');
    expect(await notifyBookingParties(w.deps, 'confirmation', event)).toEqual({
      outcome: 'notified',
      parties: { client: 'sent', practitioner: 'sent' },
    });
    expect(w.sent).toHaveLength(2);
  });
});

describe('reminder schedules', () => {
  it('are replaced on a confirmation and a reschedule, and deleted on a cancellation', async () => {
    const w = world();
    const s = schedulesWorld(w);
    const v = w.current().version;
    expect(await scheduleAppointmentReminders(s.deps, 'confirmed', { appointmentId: ID, version: v })).toEqual({
      outcome: 'scheduled',
      reminders: ['day-before', 'same-day'],
    });
    const dayBefore = s.schedules.get(`reminder-${ID}-day-before`)!;
    expect(dayBefore.at.toISOString()).toBe(new Date(w.current().start.getTime() - 24 * 3_600_000).toISOString());
    expect(dayBefore.input).toEqual({
      appointmentId: ID,
      kind: 'day-before',
      version: v,
      start: w.current().start.toISOString(),
    });

    // moved to 3 h from now: only the same-day reminder is still to come
    w.store(reschedule(w.current(), 'practitioner', new Date(w.clock.now().getTime() + 3 * 3_600_000), w.clock.now()));
    s.calls.length = 0;
    expect(await scheduleAppointmentReminders(s.deps, 'rescheduled', { appointmentId: ID, version: v + 1 })).toEqual({
      outcome: 'scheduled',
      reminders: ['same-day'],
    });
    expect(s.calls).toEqual([`remove reminder-${ID}-day-before`, `put reminder-${ID}-same-day`]);
    expect([...s.schedules.keys()]).toEqual([`reminder-${ID}-same-day`]);
    expect(s.schedules.get(`reminder-${ID}-same-day`)!.input).toMatchObject({ version: v + 1 });

    // the older confirmation, delivered again late, changes nothing
    s.calls.length = 0;
    expect(await scheduleAppointmentReminders(s.deps, 'confirmed', { appointmentId: ID, version: v })).toEqual({
      outcome: 'superseded',
      currentVersion: v + 1,
    });
    expect(s.calls).toEqual([]);

    w.store(cancel(w.current(), 'client', w.clock.now()));
    expect(await scheduleAppointmentReminders(s.deps, 'cancelled', { appointmentId: ID, version: v + 2 })).toEqual({
      outcome: 'removed',
      reason: 'cancelled',
    });
    expect(s.schedules.size).toBe(0);
  });

  it('are none for a booking 1 h ahead: the confirmation is the mail', async () => {
    const w = world();
    w.store(booked(w.clock.now(), new Date(w.clock.now().getTime() + 3_600_000)));
    const s = schedulesWorld(w);
    expect(
      await scheduleAppointmentReminders(s.deps, 'confirmed', { appointmentId: ID, version: w.current().version }),
    ).toEqual({
      outcome: 'scheduled',
      reminders: [],
    });
    expect(s.schedules.size).toBe(0);
  });
});

describe('the reminder', () => {
  it('mails the client once when the appointment is still confirmed at the same version and start', async () => {
    const w = world();
    const a = w.current();
    const input = { appointmentId: ID, kind: 'same-day' as const, version: a.version, start: a.start.toISOString() };
    w.clock.set(new Date(a.start.getTime() - 2 * 3_600_000));
    expect(await sendAppointmentReminder(w.deps, input)).toBe('sent');
    expect(await sendAppointmentReminder(w.deps, input)).toBe('already-sent');
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.to).toEqual(['zoe@example.test']);
    expect(w.sent[0]!.subject).toMatch(/^Rappel : votre rendez-vous aujourd’hui à /);
  });

  it('never mails from a stale schedule: moved, cancelled, gone or started', async () => {
    const w = world();
    const a = w.current();
    const input = { appointmentId: ID, kind: 'day-before' as const, version: a.version, start: a.start.toISOString() };
    w.store(reschedule(a, 'client', new Date(a.start.getTime() + 3_600_000), w.clock.now()));
    expect(await sendAppointmentReminder(w.deps, input)).toBe('stale');
    w.store(cancel(a, 'client', w.clock.now()));
    expect(await sendAppointmentReminder(w.deps, input)).toBe('stale');
    w.store(undefined);
    expect(await sendAppointmentReminder(w.deps, input)).toBe('gone');
    w.store(a);
    w.clock.set(a.start);
    expect(await sendAppointmentReminder(w.deps, input)).toBe('started');
    w.clock.set(new Date(a.start.getTime() - 3_600_000));
    w.contacts.delete(CLIENT);
    expect(await sendAppointmentReminder(w.deps, input)).toBe('no-account');
    expect(w.sent).toEqual([]);
  });
});
