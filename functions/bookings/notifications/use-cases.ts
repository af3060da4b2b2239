/**
 * Notifications and reminders of appointments: what the event consumers and the scheduled
 * reminder run. Every one re-reads the appointment (events carry ids and a version only, and may
 * come twice, late or out of order) and decides on what it finds:
 *
 * - a confirmation or reschedule notice goes out only if the appointment is still confirmed, still
 *   at the event's version and not started: a newer version always brings its own notice (a
 *   reschedule or a cancellation) or makes mail moot (completed, no-show), so an older event is
 *   skipped rather than telling a time that no longer holds;
 * - a cancellation notice goes out when the appointment is cancelled (a final state);
 * - every mail is sent once per appointment, version, kind and party: a receipt is claimed with a
 *   conditional write before sending and marked sent after; a failed send marks it failed, so that
 *   the retry sends it (a claim left by a crash is taken over after a few minutes);
 * - a party without a Cognito user (the demo practitioners of the local seed, an erased account)
 *   is skipped, not an error.
 *
 * Reminders are one-time schedules (./reminders.ts) replaced on every confirmation or reschedule
 * and deleted on cancellation; the reminder re-checks state, version and start when it fires.
 */
import type { Clock } from '#shared/clock.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { OfferReader } from '#shared/offer/offer-reader.ts';
import type { OneTimeSchedules } from '#shared/scheduling/one-time-schedules.ts';
import type { AppointmentStore } from '../adapters/appointment-store.ts';
import type { Appointment, Party } from '../domain/appointment.ts';
import { bookingNotice, type NoticeKind, type Recipient, type ReminderKind, reminderNotice } from './notices.ts';
import { plannedReminders, type ReminderInput, reminderKinds, reminderScheduleName } from './reminders.ts';

/** A party's address and name, from the identity directory (never logged). */
export interface Contact {
  readonly email: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

export interface PartyDirectory {
  /** undefined when the account has no user (a demo practitioner, an erased account) or no address. */
  contactOf(accountId: string): Promise<Contact | undefined>;
}

export type ReceiptKind = NoticeKind | `reminder-${ReminderKind}`;

export interface ReceiptKey {
  readonly appointmentId: string;
  readonly kind: ReceiptKind;
  readonly version: number;
  readonly party: Party;
  /** The account of the party it was sent to: the receipt's data subject. */
  readonly accountId: string;
  /** The appointment's start: the receipt's retention clock, as the appointment's. */
  readonly start: Date;
}

/** The "sent" markers: one per appointment, version, kind and party. */
export interface NotificationReceipts {
  /** Takes the right to send; false when it was sent, or is being sent, already. */
  claim(key: ReceiptKey, now: Date): Promise<boolean>;
  sent(key: ReceiptKey, now: Date): Promise<void>;
  /** The send failed: the next attempt may claim it again. */
  failed(key: ReceiptKey, now: Date): Promise<void>;
}

export interface NotificationDeps {
  readonly appointments: Pick<AppointmentStore, 'find'>;
  readonly offers: OfferReader;
  readonly parties: PartyDirectory;
  readonly receipts: NotificationReceipts;
  readonly mailer: Mailer;
  readonly clock: Clock;
  /** The platform's sender address: the calendar events' organizer. */
  readonly platformAddress: string;
}

export interface ReminderScheduleDeps {
  readonly appointments: Pick<AppointmentStore, 'find'>;
  readonly schedules: OneTimeSchedules;
  readonly clock: Clock;
}

export type PartyOutcome = 'sent' | 'already-sent' | 'no-account';

export type NoticeOutcome =
  | { readonly outcome: 'notified'; readonly parties: Readonly<Record<Party, PartyOutcome>> }
  /** Erased, or past its retention. */
  | { readonly outcome: 'gone' }
  /** The appointment changed since: the newer change has its own notice. */
  | { readonly outcome: 'superseded'; readonly currentVersion: number }
  /** Not in the state the notice is about (e.g. a confirmation of what is now cancelled). */
  | { readonly outcome: 'not-applicable'; readonly state: Appointment['state'] }
  | { readonly outcome: 'started' };

const fullName = (c: Contact | undefined) => [c?.firstName, c?.lastName].filter(Boolean).join(' ') || undefined;

async function sendOnce(
  deps: Pick<NotificationDeps, 'receipts' | 'mailer' | 'clock'>,
  key: ReceiptKey,
  build: () => Parameters<Mailer['send']>[0],
): Promise<'sent' | 'already-sent'> {
  if (!(await deps.receipts.claim(key, deps.clock.now()))) return 'already-sent';
  try {
    await deps.mailer.send(build());
  } catch (error) {
    await deps.receipts.failed(key, deps.clock.now()).catch(() => undefined);
    throw error;
  }
  await deps.receipts.sent(key, deps.clock.now());
  return 'sent';
}

/** The practitioner's name as clients see it: their published display name, else their account's name. */
async function practitionerName(deps: Pick<NotificationDeps, 'offers' | 'clock'>, a: Appointment, contact?: Contact) {
  const offer = await deps.offers.find(a.practitionerId, deps.clock.now());
  return offer?.displayName ?? fullName(contact) ?? 'votre praticien';
}

function applies(kind: NoticeKind, a: Appointment, version: number, now: Date): NoticeOutcome | undefined {
  if (kind === 'cancellation') {
    return a.state === 'cancelled' ? undefined : { outcome: 'not-applicable', state: a.state };
  }
  if (a.version !== version) return { outcome: 'superseded', currentVersion: a.version };
  if (a.state !== 'confirmed') return { outcome: 'not-applicable', state: a.state };
  if (a.start.getTime() <= now.getTime()) return { outcome: 'started' };
  return undefined;
}

/**
 * Emails both parties about a change of the appointment: confirmed, moved or cancelled. Safe to
 * run more than once for the same event (each party gets each notice once).
 */
export async function notifyBookingParties(
  deps: NotificationDeps,
  kind: NoticeKind,
  event: { appointmentId: string; version: number },
): Promise<NoticeOutcome> {
  const now = deps.clock.now();
  const a = await deps.appointments.find(event.appointmentId, now);
  if (!a) return { outcome: 'gone' };
  const skipped = applies(kind, a, event.version, now);
  if (skipped) return skipped;

  const [client, practitioner] = await Promise.all([
    deps.parties.contactOf(a.clientId),
    deps.parties.contactOf(a.practitionerId),
  ]);
  const names = {
    client: fullName(client) ?? 'votre client',
    practitioner: await practitionerName(deps, a, practitioner),
  };
  const notify = async (party: Party, contact: Contact | undefined): Promise<PartyOutcome> => {
    if (!contact) return 'no-account';
    const recipient: Recipient = {
      email: contact.email,
      ...(contact.firstName ? { firstName: contact.firstName } : {}),
    };
    const key: ReceiptKey = {
      appointmentId: a.id,
      kind,
      version: a.version,
      party,
      accountId: party === 'client' ? a.clientId : a.practitionerId,
      start: a.start,
    };
    return sendOnce(deps, key, () =>
      bookingNotice(kind, {
        appointment: a,
        party,
        recipient,
        counterpart: party === 'client' ? names.practitioner : names.client,
        platformAddress: deps.platformAddress,
        now: deps.clock.now(),
      }),
    );
  };
  // One after the other: a failure of the first is retried without a second mail to the other.
  const clientOutcome = await notify('client', client);
  const practitionerOutcome = await notify('practitioner', practitioner);
  return { outcome: 'notified', parties: { client: clientOutcome, practitioner: practitionerOutcome } };
}

export type ReminderOutcome = 'sent' | 'already-sent' | 'no-account' | 'gone' | 'stale' | 'started';

/**
 * The scheduled reminder: mails the client if the appointment is still confirmed, at the version
 * and start the schedule was made for, and not started. A stale schedule (the appointment moved or
 * was cancelled and its schedule could not be deleted in time) never mails.
 */
export async function sendAppointmentReminder(deps: NotificationDeps, input: ReminderInput): Promise<ReminderOutcome> {
  const now = deps.clock.now();
  const a = await deps.appointments.find(input.appointmentId, now);
  if (!a) return 'gone';
  if (a.state !== 'confirmed' || a.version !== input.version || a.start.toISOString() !== input.start) return 'stale';
  if (a.start.getTime() <= now.getTime()) return 'started';
  const client = await deps.parties.contactOf(a.clientId);
  if (!client) return 'no-account';
  const name = await practitionerName(deps, a, await deps.parties.contactOf(a.practitionerId));
  const key: ReceiptKey = {
    appointmentId: a.id,
    kind: `reminder-${input.kind}`,
    version: a.version,
    party: 'client',
    accountId: a.clientId,
    start: a.start,
  };
  return sendOnce(deps, key, () =>
    reminderNotice(input.kind, {
      appointment: a,
      party: 'client',
      recipient: { email: client.email, ...(client.firstName ? { firstName: client.firstName } : {}) },
      counterpart: name,
      platformAddress: deps.platformAddress,
      now: deps.clock.now(),
    }),
  );
}

export type ScheduleOutcome =
  | { readonly outcome: 'scheduled'; readonly reminders: readonly ReminderKind[] }
  | { readonly outcome: 'removed'; readonly reason: 'cancelled' | 'gone' | 'not-confirmed' }
  | { readonly outcome: 'superseded'; readonly currentVersion: number };

async function removeAll(deps: ReminderScheduleDeps, appointmentId: string) {
  for (const kind of reminderKinds) await deps.schedules.remove(reminderScheduleName(appointmentId, kind));
}

/**
 * Keeps an appointment's reminder schedules in step with its changes: on a confirmation or a
 * reschedule (of the current version) they are replaced by those still to come; on a cancellation
 * they are deleted. An older event than the appointment's version changes nothing: the newer
 * change's own event sets the schedules.
 */
export async function scheduleAppointmentReminders(
  deps: ReminderScheduleDeps,
  change: 'confirmed' | 'rescheduled' | 'cancelled',
  event: { appointmentId: string; version: number },
): Promise<ScheduleOutcome> {
  if (change === 'cancelled') {
    await removeAll(deps, event.appointmentId);
    return { outcome: 'removed', reason: 'cancelled' };
  }
  const now = deps.clock.now();
  const a = await deps.appointments.find(event.appointmentId, now);
  if (!a) {
    await removeAll(deps, event.appointmentId);
    return { outcome: 'removed', reason: 'gone' };
  }
  if (a.version > event.version) return { outcome: 'superseded', currentVersion: a.version };
  if (a.state !== 'confirmed') {
    await removeAll(deps, a.id);
    return { outcome: 'removed', reason: 'not-confirmed' };
  }
  const planned = plannedReminders(a, now);
  const kept = new Set(planned.map((r) => r.kind));
  // Replace: the ones to come are deleted and created again (put), the others just deleted.
  for (const kind of reminderKinds) {
    if (!kept.has(kind)) await deps.schedules.remove(reminderScheduleName(a.id, kind));
  }
  for (const reminder of planned) {
    await deps.schedules.put({
      name: reminder.name,
      at: reminder.at,
      input: { ...reminder.input },
      description: `Reminder (${reminder.kind}) of appointment ${a.id}, version ${a.version}`,
    });
  }
  return { outcome: 'scheduled', reminders: planned.map((r) => r.kind) };
}
