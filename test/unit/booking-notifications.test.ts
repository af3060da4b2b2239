/**
 * The notices of an appointment, pure: the calendar file (RFC 5545: CRLF, lines folded at 75
 * octets, UTC times, a UID stable per appointment and SEQUENCE = version, REQUEST then CANCEL),
 * the French mails (Paris times across DST, late or free cancellation with the fee), the reminder
 * times (a booking 3 h ahead gets the same-day reminder only, 1 h ahead none) and the raw MIME
 * message a mail with an attachment is sent as.
 */
import { describe, expect, it } from 'vitest';
import {
  type Appointment,
  cancel,
  confirm,
  newAppointment,
  reschedule,
} from '#functions/bookings/domain/appointment.ts';
import { calendar, escapeText, foldLine, icsUtc } from '#functions/bookings/notifications/ics.ts';
import {
  bookingNotice,
  CALENDAR_FILE,
  frenchDateTime,
  type NoticeInput,
  reminderNotice,
} from '#functions/bookings/notifications/notices.ts';
import { plannedReminders, reminderScheduleName } from '#functions/bookings/notifications/reminders.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { encodedWords, rawMessage } from '#shared/mail/mime.ts';
import { atExpression } from '#shared/scheduling/one-time-schedules.ts';

const at = (iso: string) => new Date(iso);
const ID = 'apt_0123456789abcdef0123456789abcdef';

function booked(
  start: string,
  now = '2025-03-01T09:00:00Z',
  policy = { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
) {
  return confirm(
    newAppointment({
      id: ID,
      practitionerId: 'prac_1',
      clientId: 'client-1',
      service: { id: 'svc_1', name: 'Séance de sophrologie', durationMinutes: 60, priceCents: 5500 },
      start: at(start),
      cancellationPolicy: policy,
      requestFingerprint: 'f',
      now: at(now),
    }),
    at(now),
  );
}

const input = (
  appointment: Appointment,
  party: 'client' | 'practitioner',
  now = '2025-03-01T09:00:00Z',
): NoticeInput => ({
  appointment,
  party,
  recipient: {
    email: party === 'client' ? 'zoe@example.test' : 'aurore@example.test',
    firstName: party === 'client' ? 'Zoé' : 'Aurore',
  },
  counterpart: party === 'client' ? 'Aurore Martin, sophrologue' : 'Zoé Durand',
  platformAddress: 'no-reply@monprodubienetre.fr',
  now: at(now),
});

const ics = (mail: Mail) => String(mail.attachments?.[0]?.content);

/** The content lines of a calendar object, unfolded (RFC 5545 §3.1). */
const unfold = (text: string) =>
  text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
const property = (text: string, name: string) =>
  unfold(text)
    .find((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`))
    ?.replace(/^[^:]*:/, '');

function expectValidCalendar(text: string) {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(75);
  const lines = unfold(text);
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines.at(-1)).toBe('END:VCALENDAR');
  for (const required of [
    'VERSION',
    'PRODID',
    'METHOD',
    'UID',
    'DTSTAMP',
    'DTSTART',
    'DTEND',
    'SEQUENCE',
    'SUMMARY',
    'ORGANIZER',
    'ATTENDEE',
  ])
    expect(property(text, required), required).toBeDefined();
}

describe('the calendar file', () => {
  it('writes UTC date-times in basic format', () => {
    expect(icsUtc(at('2025-03-30T08:00:00.000Z'))).toBe('20250330T080000Z');
  });

  it('escapes text and folds long lines at 75 octets without splitting a character', () => {
    expect(escapeText('a;b,c\\d\ne')).toBe('a\\;b\\,c\\\\d\\ne');
    const line = `SUMMARY:${'é'.repeat(60)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('short')).toBe('short');
  });

  it('confirms with METHOD:REQUEST, a UID stable per appointment and SEQUENCE = version', () => {
    const a = booked('2025-03-30T08:00:00Z');
    const text = ics(bookingNotice('confirmation', input(a, 'client')));
    expectValidCalendar(text);
    expect(property(text, 'METHOD')).toBe('REQUEST');
    expect(property(text, 'UID')).toBe(`${ID}@monprodubienetre.fr`);
    expect(property(text, 'SEQUENCE')).toBe(String(a.version));
    expect(property(text, 'STATUS')).toBe('CONFIRMED');
    expect(property(text, 'DTSTART')).toBe('20250330T080000Z');
    expect(property(text, 'DTEND')).toBe('20250330T090000Z');
    expect(property(text, 'SUMMARY')).toBe('Séance de sophrologie – Aurore Martin\\, sophrologue');
    // this copy names its own recipient only
    expect(property(text, 'ATTENDEE')).toBe('mailto:zoe@example.test');
    expect(unfold(text).join('\n')).not.toContain('aurore@example.test');
  });

  it('moves the same event with a higher SEQUENCE, then cancels it (METHOD:CANCEL, STATUS:CANCELLED)', () => {
    const a = booked('2025-03-30T08:00:00Z');
    const moved = reschedule(a, 'client', at('2025-03-31T08:00:00Z'), at('2025-03-02T09:00:00Z'));
    const request = ics(bookingNotice('reschedule', input(moved, 'client')));
    expectValidCalendar(request);
    expect(property(request, 'UID')).toBe(`${ID}@monprodubienetre.fr`);
    expect(Number(property(request, 'SEQUENCE'))).toBe(a.version + 1);
    expect(property(request, 'DTSTART')).toBe('20250331T080000Z');

    const cancelled = cancel(moved, 'practitioner', at('2025-03-03T09:00:00Z'));
    const cancel_ = ics(bookingNotice('cancellation', input(cancelled, 'practitioner')));
    expectValidCalendar(cancel_);
    expect(property(cancel_, 'METHOD')).toBe('CANCEL');
    expect(property(cancel_, 'STATUS')).toBe('CANCELLED');
    expect(property(cancel_, 'UID')).toBe(`${ID}@monprodubienetre.fr`);
    expect(Number(property(cancel_, 'SEQUENCE'))).toBe(moved.version + 1);
  });

  it('is attached as text/calendar with its method', () => {
    const mail = bookingNotice('confirmation', input(booked('2025-03-30T08:00:00Z'), 'client'));
    expect(mail.attachments).toEqual([
      expect.objectContaining({ filename: CALENDAR_FILE, contentType: 'text/calendar; charset=UTF-8; method=REQUEST' }),
    ]);
  });

  it('refuses an address that would inject a property', () => {
    const a = booked('2025-03-30T08:00:00Z');
    expect(() =>
      calendar({
        method: 'REQUEST',
        appointmentId: a.id,
        sequence: 1,
        start: a.start,
        end: a.end,
        stamp: a.createdAt,
        summary: 's',
        organizer: { name: 'x', email: 'no-reply@monprodubienetre.fr' },
        attendee: { email: 'a@b.test\r\nATTENDEE:mailto:c@d.test' },
      }),
    ).toThrow();
  });
});

describe('the French mails', () => {
  it('show Paris times on both sides of the DST changes', () => {
    // 30 March 2025: clocks go from 02:00 to 03:00 in Paris (UTC+1 → UTC+2).
    expect(frenchDateTime(at('2025-03-29T09:00:00Z'))).toBe('samedi 29 mars 2025 à 10 h 00');
    expect(frenchDateTime(at('2025-03-30T08:00:00Z'))).toBe('dimanche 30 mars 2025 à 10 h 00');
    // 26 October 2025: back from 03:00 to 02:00 (UTC+2 → UTC+1).
    expect(frenchDateTime(at('2025-10-25T08:00:00Z'))).toBe('samedi 25 octobre 2025 à 10 h 00');
    expect(frenchDateTime(at('2025-10-26T09:00:00Z'))).toBe('dimanche 26 octobre 2025 à 10 h 00');
  });

  it('confirm to the client with the practitioner, the service, the Paris time and the policy', () => {
    const mail = bookingNotice('confirmation', input(booked('2025-03-30T08:00:00Z'), 'client'));
    expect(mail.to).toEqual(['zoe@example.test']);
    expect(mail.subject).toBe('Rendez-vous confirmé : Séance de sophrologie, dimanche 30 mars 2025 à 10 h 00');
    expect(mail.text).toContain('Bonjour Zoé,');
    expect(mail.text).toContain('Praticien : Aurore Martin, sophrologue');
    expect(mail.text).toContain('de 10 h 00 à 11 h 00 (heure de Paris)');
    expect(mail.text).toMatch(
      /Annulation gratuite jusqu’au samedi 29 mars 2025 à 09 h 00 ; au-delà, selon la politique d’annulation du praticien, 50 % du prix \(27,50\s€\) reste dû\./,
    );
  });

  it('tell the practitioner who booked', () => {
    const mail = bookingNotice('confirmation', input(booked('2025-03-30T08:00:00Z'), 'practitioner'));
    expect(mail.to).toEqual(['aurore@example.test']);
    expect(mail.subject).toBe('Nouveau rendez-vous : Zoé Durand, dimanche 30 mars 2025 à 10 h 00');
    expect(mail.text).toContain('Client : Zoé Durand');
    expect(mail.text).toContain('selon votre politique d’annulation');
  });

  it('give the new time of a moved appointment', () => {
    const a = booked('2025-03-30T08:00:00Z');
    const moved = reschedule(a, 'practitioner', at('2025-10-26T09:00:00Z'), at('2025-03-02T09:00:00Z'));
    const mail = bookingNotice('reschedule', input(moved, 'client'));
    expect(mail.subject).toBe('Rendez-vous déplacé : Séance de sophrologie, dimanche 26 octobre 2025 à 10 h 00');
    expect(mail.text).toContain('a été déplacé. Nouvel horaire : dimanche 26 octobre 2025 à 10 h 00.');
  });

  it('say when a client cancelled late, and what the policy makes them owe', () => {
    const a = booked('2025-03-30T08:00:00Z');
    const late = cancel(a, 'client', at('2025-03-29T20:00:00Z'));
    const toClient = bookingNotice('cancellation', input(late, 'client'));
    expect(toClient.subject).toBe('Rendez-vous annulé : Séance de sophrologie, dimanche 30 mars 2025 à 10 h 00');
    expect(toClient.text).toContain('L’annulation est tardive');
    expect(toClient.text).toMatch(/Selon la politique d’annulation du praticien, 50 % du prix \(27,50\s€\) reste dû\./);
    const toPractitioner = bookingNotice('cancellation', input(late, 'practitioner'));
    expect(toPractitioner.text).toContain('Zoé Durand a annulé son rendez-vous');
    expect(toPractitioner.text).toMatch(
      /Selon votre politique d’annulation, 50 % du prix \(27,50\s€\) vous reste dû\./,
    );
  });

  it('tell both sides a booking released unpaid was never confirmed, with no calendar file', () => {
    const held = newAppointment({
      id: ID,
      practitionerId: 'prac_1',
      clientId: 'client-1',
      service: { id: 'svc_1', name: 'Séance de sophrologie', durationMinutes: 60, priceCents: 5500 },
      start: at('2025-03-30T08:00:00Z'),
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
      requestFingerprint: 'f',
      now: at('2025-03-01T09:00:00Z'),
      holdUntil: at('2025-03-01T09:15:00Z'),
    });
    const released = cancel(held, 'platform', at('2025-03-01T09:16:00Z'));
    const toClient = bookingNotice('cancellation', input(released, 'client'));
    expect(toClient.subject).toMatch(/^Réservation non confirmée/);
    expect(toClient.text).toContain('le paiement n’a pas abouti à temps');
    expect(toClient.text).toContain('aucun montant ne vous est dû');
    expect(toClient.attachments).toBeUndefined();
    expect(bookingNotice('cancellation', input(released, 'practitioner')).text).toContain('de nouveau libre');
    // once confirmed, a cancellation is the usual notice with its CANCEL .ics
    const confirmed = cancel(booked('2025-03-30T08:00:00Z'), 'platform', at('2025-03-02T09:00:00Z'));
    expect(bookingNotice('cancellation', input(confirmed, 'client')).attachments).toHaveLength(1);
  });

  it('say when a cancellation is free', () => {
    const a = booked('2025-03-30T08:00:00Z');
    const free = cancel(a, 'client', at('2025-03-20T08:00:00Z'));
    expect(bookingNotice('cancellation', input(free, 'client')).text).toContain('elle est gratuite');
    const byPractitioner = cancel(a, 'practitioner', at('2025-03-30T07:00:00Z'));
    const text = bookingNotice('cancellation', input(byPractitioner, 'client')).text;
    expect(text).toContain('Aurore Martin, sophrologue a annulé votre rendez-vous');
    expect(text).toContain('Aucun frais ne vous est demandé.');
    const noFee = booked('2025-03-30T08:00:00Z', undefined, {
      freeUntilHoursBefore: 48,
      lateCancellationFeePercent: 0,
    });
    const lateNoFee = cancel(noFee, 'client', at('2025-03-29T20:00:00Z'));
    expect(bookingNotice('cancellation', input(lateNoFee, 'client')).text).toContain('ne prévoit pas de frais');
  });

  it('remind the client the day before and the same day, with no calendar file', () => {
    const a = booked('2025-03-30T08:00:00Z');
    const dayBefore = reminderNotice('day-before', input(a, 'client', '2025-03-29T08:00:00Z'));
    expect(dayBefore.subject).toBe('Rappel : votre rendez-vous demain à 10 h 00');
    expect(dayBefore.text).toContain('Le délai d’annulation gratuite est passé');
    expect(dayBefore.attachments).toBeUndefined();
    const sameDay = reminderNotice('same-day', input(a, 'client', '2025-03-30T06:00:00Z'));
    expect(sameDay.subject).toBe('Rappel : votre rendez-vous aujourd’hui à 10 h 00');
  });
});

describe('the reminder times', () => {
  const now = at('2025-03-01T09:00:00Z');
  const startIn = (hours: number) => ({ id: ID, version: 2, start: new Date(now.getTime() + hours * 3_600_000) });

  it('plans both reminders for an appointment more than 24 h ahead', () => {
    const planned = plannedReminders(startIn(30), now);
    expect(planned.map((r) => [r.kind, r.at.toISOString()])).toEqual([
      ['day-before', '2025-03-01T15:00:00.000Z'],
      ['same-day', '2025-03-02T13:00:00.000Z'],
    ]);
    expect(planned[0]!.input).toEqual({
      appointmentId: ID,
      kind: 'day-before',
      version: 2,
      start: '2025-03-02T15:00:00.000Z',
    });
  });

  it('gives a booking 3 h ahead the same-day reminder only, and one 1 h ahead none (the confirmation is the mail)', () => {
    expect(plannedReminders(startIn(3), now).map((r) => r.kind)).toEqual(['same-day']);
    expect(plannedReminders(startIn(1), now)).toEqual([]);
    expect(plannedReminders(startIn(2), now)).toEqual([]);
    // within a minute of its time: not scheduled either (it would reach Scheduler already past)
    expect(plannedReminders(startIn(2 + 0.5 / 60), now)).toEqual([]);
    expect(plannedReminders(startIn(2 + 2 / 60), now).map((r) => r.kind)).toEqual(['same-day']);
  });

  it('names schedules as Scheduler allows, from the appointment and the kind', () => {
    for (const kind of ['day-before', 'same-day'] as const) {
      const name = reminderScheduleName(ID, kind);
      expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
      expect(name).toBe(`reminder-${ID}-${kind}`);
    }
    expect(atExpression(at('2025-03-30T06:00:00.000Z'))).toBe('at(2025-03-30T06:00:00)');
  });
});

describe('the raw MIME message', () => {
  const mail = bookingNotice('confirmation', input(booked('2025-03-30T08:00:00Z'), 'client'));
  const raw = rawMessage(mail, {
    from: 'no-reply@monprodubienetre.fr',
    date: at('2025-03-01T09:00:00Z'),
    boundary: 'b0',
  });

  it('has CRLF lines of at most 78 characters, and encodes the French subject', () => {
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(raw).toContain('To: zoe@example.test\r\n');
    expect(raw).toContain('MIME-Version: 1.0\r\n');
    expect(raw).toContain('Content-Type: multipart/mixed; boundary="b0"');
    const subject = raw.match(/^Subject: (.*(?:\r\n .*)*)/m)?.[1] ?? '';
    const decoded = subject
      .split('\r\n ')
      .map((word) => Buffer.from(word.replace(/^=\?UTF-8\?B\?|\?=$/g, ''), 'base64').toString('utf8'))
      .join('');
    expect(decoded).toBe(mail.subject);
    expect(encodedWords('plain')).toBe('plain');
  });

  it('carries the text and the calendar file, base64, each decoding to what was given', () => {
    const parts = raw.split('--b0').slice(1, -1);
    expect(parts).toHaveLength(2);
    const body = (part: string) =>
      Buffer.from(part.split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString('utf8');
    expect(parts[0]).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(body(parts[0]!)).toBe(mail.text);
    expect(parts[1]).toContain(
      'Content-Type: text/calendar; charset=UTF-8; method=REQUEST;\r\n name="rendez-vous.ics"',
    );
    expect(parts[1]).toContain('Content-Disposition: attachment;\r\n filename="rendez-vous.ics"');
    expect(body(parts[1]!)).toBe(ics(mail));
  });

  it('refuses an address that would add a header', () => {
    expect(() =>
      rawMessage({ ...mail, to: ['x@y.test\r\nBcc: z@w.test'] }, { from: 'a@b.test', date: new Date() }),
    ).toThrow();
  });
});
