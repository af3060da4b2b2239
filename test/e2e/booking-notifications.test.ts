/**
 * Notifications and reminders of an appointment, over HTTP against the local cloud: a practitioner
 * opens their agenda, a client books a slot; both get the confirmation in French with a calendar
 * file (RFC 5545, METHOD:REQUEST, DTSTART the slot's start in UTC) read from the SES emulator's
 * store, and the two reminder schedules are created in the local scheduler. A reminder is fired
 * through the local scheduler's control (POST /_local/schedules/{name}/fire: its time brought
 * forward, as if it had come) and mails the client. A reschedule sends new notices (same UID,
 * higher SEQUENCE) and replaces the schedules; a cancellation sends METHOD:CANCEL notices and
 * deletes them; a late cancellation tells the fee. Nothing personal reaches the logs.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient } from '../support/api.ts';
import { book, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { type StoredMail, waitForMail } from '../support/mail.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.95';
const hour = 3_600_000;
const group = cloud.env.SCHEDULE_GROUP_NAME!;

let practitioner: Person;
let client: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
  agenda = await openAgenda(cloud, IP, practitioner);
}, 60_000);

interface Booked {
  id: string;
  start: string;
  version: number;
}

const json = (body: string) => JSON.parse(body) as Booked & Record<string, unknown>;

/** The calendar file of a stored mail, unfolded into its content lines. */
function calendarOf(mail: StoredMail): { lines: string[]; get(name: string): string | undefined } {
  const attachment = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  expect(attachment, `no calendar file in "${mail.subject}"`).toBeDefined();
  expect(attachment!.filename).toBe('rendez-vous.ics');
  const text = Buffer.from(attachment!.content, 'base64').toString('utf8');
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
  return {
    lines,
    get: (name) => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1),
  };
}

const icsTime = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

function mailTo(person: Person, subject: RegExp, appointmentId: string) {
  return waitForMail(
    cloud.urls.mailStore,
    (m) =>
      m.destination.to.includes(person.email) && subject.test(m.subject) && (m.body.text ?? '').includes(appointmentId),
    20_000,
  );
}

interface ScheduleView {
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  ActionAfterCompletion: string;
  FlexibleTimeWindow: { Mode: string };
  Target: { Arn: string; Input: string };
}

async function schedule(name: string): Promise<ScheduleView | undefined> {
  const res = await fetch(`${cloud.urls.aws}/schedules/${name}?groupName=${group}`);
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (await res.json()) as ScheduleView;
}

/** Waits until the reminder schedules of an appointment are as expected (they are set by an event consumer). */
async function waitForSchedules(
  id: string,
  expected: (s: { dayBefore?: ScheduleView; sameDay?: ScheduleView }) => boolean,
): Promise<{ dayBefore?: ScheduleView; sameDay?: ScheduleView }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = {
      ...(await schedule(`reminder-${id}-day-before`).then((s) => (s ? { dayBefore: s } : {}))),
      ...(await schedule(`reminder-${id}-same-day`).then((s) => (s ? { sameDay: s } : {}))),
    };
    if (expected(found)) return found;
    if (Date.now() > deadline) throw new Error(`reminder schedules not as expected: ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the reminder-schedule function did for an appointment's confirmation, from its log line. */
async function scheduleOutcome(id: string): Promise<{ reminders: string[] }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const line = readFileSync(cloud.logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('"Reminder schedules"') && l.includes(id) && l.includes('"change":"confirmed"'));
    if (line) return JSON.parse(line.slice(line.indexOf('{'))) as { reminders: string[] };
    if (Date.now() > deadline) throw new Error('no reminder-schedule log line');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const at = (iso: string, hoursBefore: number) =>
  `at(${new Date(Date.parse(iso) - hoursBefore * hour).toISOString().slice(0, 19)})`;

describe('an appointment’s notices and reminders', () => {
  let booked: Booked;

  it('confirms to both parties with a calendar file, and schedules the two reminders', async () => {
    const slots = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(3));
    const reply = await book(cloud, IP, client, agenda, slots[0]!.start);
    expect(reply.status).toBe(201);
    booked = json(reply.body);

    const toClient = await mailTo(client, /^Rendez-vous confirmé : Séance, /, booked.id);
    const toPractitioner = await mailTo(practitioner, /^Nouveau rendez-vous : Test Person, /, booked.id);
    expect(toClient.body.text).toContain('Votre rendez-vous est confirmé.');
    expect(toClient.body.text).toContain('(heure de Paris)');
    expect(toClient.body.text).toMatch(/Annulation gratuite jusqu’au .* 50 % du prix \(30,00\s€\) reste dû/);
    for (const mail of [toClient, toPractitioner]) {
      const ics = calendarOf(mail);
      expect(ics.lines[0]).toBe('BEGIN:VCALENDAR');
      expect(ics.get('METHOD')).toBe('REQUEST');
      expect(ics.get('UID')).toBe(`${booked.id}@monprodubienetre.fr`);
      expect(ics.get('SEQUENCE')).toBe(String(booked.version));
      expect(ics.get('DTSTART')).toBe(icsTime(booked.start));
      expect(ics.get('DTEND')).toBe(icsTime(new Date(Date.parse(booked.start) + hour).toISOString()));
      expect(ics.get('STATUS')).toBe('CONFIRMED');
    }
    // each copy names its own recipient only
    expect(calendarOf(toClient).lines.join('\n')).not.toContain(practitioner.email);

    const { dayBefore, sameDay } = await waitForSchedules(booked.id, (s) => Boolean(s.dayBefore && s.sameDay));
    expect(dayBefore).toMatchObject({
      ScheduleExpression: at(booked.start, 24),
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: cloud.env.SCHEDULE_TARGET_ARN },
    });
    expect(JSON.parse(dayBefore!.Target.Input)).toEqual({
      appointmentId: booked.id,
      kind: 'day-before',
      version: booked.version,
      start: booked.start,
    });
    expect(sameDay!.ScheduleExpression).toBe(at(booked.start, 2));
  });

  it('reminds the client when the reminder fires (brought forward by the local scheduler), once', async () => {
    const name = `reminder-${booked.id}-day-before`;
    const fired = await fetch(`${cloud.urls.aws}/_local/schedules/${name}/fire?groupName=${group}`, { method: 'POST' });
    expect(fired.status).toBe(200);
    const reminder = await mailTo(client, /^Rappel : votre rendez-vous /, booked.id);
    expect(reminder.body.text).toContain('Nous vous rappelons votre rendez-vous avec Agenda ');
    expect(reminder.attachments).toEqual([]);
    // the at() schedule is done and deleted, as Scheduler does with ActionAfterCompletion DELETE
    expect(await schedule(name)).toBeUndefined();
    expect(await schedule(`reminder-${booked.id}-same-day`)).toBeDefined();
  });

  it('moves: new notices with the same UID and a higher SEQUENCE, and the reminders replaced', async () => {
    const later = (await freeSlots(cloud, IP, agenda, parisDate(4), parisDate(4)))[2]!;
    const moved = await apiClient(cloud, IP, client).POST('/bookings/{appointmentId}/reschedule', {
      params: { path: { appointmentId: booked.id } },
      body: { start: later.start },
    });
    expect(moved.response.status).toBe(200);
    const before = booked;
    booked = moved.data!;
    expect(booked.version).toBeGreaterThan(before.version);

    for (const person of [client, practitioner]) {
      const notice = await mailTo(person, /^Rendez-vous déplacé : Séance, /, booked.id);
      const ics = calendarOf(notice);
      expect(ics.get('METHOD')).toBe('REQUEST');
      expect(ics.get('UID')).toBe(`${booked.id}@monprodubienetre.fr`);
      expect(ics.get('SEQUENCE')).toBe(String(booked.version));
      expect(ics.get('DTSTART')).toBe(icsTime(later.start));
    }

    const { dayBefore, sameDay } = await waitForSchedules(
      booked.id,
      (s) =>
        s.dayBefore?.ScheduleExpression === at(later.start, 24) && s.sameDay?.ScheduleExpression === at(later.start, 2),
    );
    expect(JSON.parse(dayBefore!.Target.Input)).toMatchObject({ version: booked.version, start: later.start });
    expect(JSON.parse(sameDay!.Target.Input)).toMatchObject({ version: booked.version, start: later.start });
  });

  it('cancels: METHOD:CANCEL notices to both, free in time, and the reminders deleted', async () => {
    const cancelled = await apiClient(cloud, IP, client).POST('/bookings/{appointmentId}/cancel', {
      params: { path: { appointmentId: booked.id } },
    });
    expect(cancelled.response.status).toBe(200);
    const version = cancelled.data!.version;

    const toClient = await mailTo(client, /^Rendez-vous annulé : Séance, /, booked.id);
    const toPractitioner = await mailTo(practitioner, /^Rendez-vous annulé : Séance, /, booked.id);
    expect(toClient.body.text).toContain('Vous avez annulé votre rendez-vous');
    expect(toClient.body.text).toContain('elle est gratuite');
    expect(toPractitioner.body.text).toContain('Test Person a annulé son rendez-vous');
    for (const mail of [toClient, toPractitioner]) {
      const ics = calendarOf(mail);
      expect(ics.get('METHOD')).toBe('CANCEL');
      expect(ics.get('STATUS')).toBe('CANCELLED');
      expect(ics.get('UID')).toBe(`${booked.id}@monprodubienetre.fr`);
      expect(ics.get('SEQUENCE')).toBe(String(version));
    }
    await waitForSchedules(booked.id, (s) => !s.dayBefore && !s.sameDay);
  });

  it('tells a client who cancels late the fee under the policy; a booking less than 2 h ahead gets no reminder', async () => {
    // open 08:00–20:00 every day with 1 h notice: a slot within 23 h is inside the 24 h policy
    const soon = (await freeSlots(cloud, IP, agenda, parisDate(0), parisDate(1))).find(
      (s) => Date.parse(s.start) - Date.now() < 23 * hour,
    )!;
    const late = json((await book(cloud, IP, client, agenda, soon.start)).body);
    await mailTo(client, /^Rendez-vous confirmé/, late.id);
    const outcome = await scheduleOutcome(late.id);
    expect(outcome.reminders).not.toContain('day-before');
    const ahead = Date.parse(soon.start) - Date.now();
    // (no claim within a minute of the 2 h boundary: the test cannot know which side the function saw)
    if (ahead > 2 * hour + 60_000) expect(outcome.reminders).toEqual(['same-day']);
    if (ahead < 2 * hour - 60_000) expect(outcome.reminders).toEqual([]);
    expect(Boolean(await schedule(`reminder-${late.id}-same-day`))).toBe(outcome.reminders.includes('same-day'));

    const lateCancel = await apiClient(cloud, IP, client).POST('/bookings/{appointmentId}/cancel', {
      params: { path: { appointmentId: late.id } },
    });
    expect(lateCancel.response.status).toBe(200);
    const notice = await mailTo(client, /^Rendez-vous annulé/, late.id);
    expect(notice.body.text).toContain('L’annulation est tardive');
    expect(notice.body.text).toMatch(
      /Selon la politique d’annulation du praticien, 50 % du prix \(30,00\s€\) reste dû\./,
    );
    const toPractitioner = await mailTo(practitioner, /^Rendez-vous annulé/, late.id);
    expect(toPractitioner.body.text).toMatch(
      /Selon votre politique d’annulation, 50 % du prix \(30,00\s€\) vous reste dû\./,
    );
    await waitForSchedules(late.id, (s) => !s.dayBefore && !s.sameDay);
  });

  it('logs no address and no name of either party', () => {
    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain('Booking notice');
    expect(log).toContain('Appointment reminder');
    for (const person of [client, practitioner]) expect(log).not.toContain(person.email);
  });
});
