/**
 * The client's reminders of a confirmed appointment: the day before (24 h before the start) and
 * the same day (2 h before), each a one-time schedule named after the appointment and the kind,
 * so that a reschedule or a cancellation finds and replaces or deletes them without a lookup.
 * A reminder whose time has passed (or comes within a minute) when the appointment is confirmed
 * or moved is not scheduled: the confirmation (or reschedule notice) just went out, so a late
 * booking still gets a mail at once; a booking 3 h ahead gets the same-day reminder only, one 1 h
 * ahead none. Pure.
 */
import type { Appointment } from '../domain/appointment.ts';
import type { ReminderKind } from './notices.ts';

const hour = 3_600_000;

export const reminderKinds = ['day-before', 'same-day'] as const satisfies readonly ReminderKind[];

/** How long before the start each reminder goes. */
export const reminderLeadMs: Readonly<Record<ReminderKind, number>> = { 'day-before': 24 * hour, 'same-day': 2 * hour };

/** `reminder-apt_…-day-before`: at most 64 characters of [0-9A-Za-z-_.], as Scheduler requires. */
export function reminderScheduleName(appointmentId: string, kind: ReminderKind): string {
  return `reminder-${appointmentId}-${kind}`;
}

/** What the schedule hands the reminder function: identifiers, and the start and version it was made for. */
export interface ReminderInput {
  readonly appointmentId: string;
  readonly kind: ReminderKind;
  readonly version: number;
  /** The start (ISO) the reminder was scheduled for: a moved appointment's old reminder never mails. */
  readonly start: string;
}

export interface PlannedReminder {
  readonly name: string;
  readonly kind: ReminderKind;
  readonly at: Date;
  readonly input: ReminderInput;
}

/**
 * A reminder due within this margin is not scheduled either: the schedule would be created for a
 * time already past (or about to be) by the time Scheduler receives it.
 */
export const SCHEDULING_MARGIN_MS = 60_000;

/** The reminders still to come for this appointment, as seen at `now`. */
export function plannedReminders(a: Pick<Appointment, 'id' | 'start' | 'version'>, now: Date): PlannedReminder[] {
  return reminderKinds
    .map((kind) => ({
      name: reminderScheduleName(a.id, kind),
      kind,
      at: new Date(a.start.getTime() - reminderLeadMs[kind]),
      input: { appointmentId: a.id, kind, version: a.version, start: a.start.toISOString() },
    }))
    .filter((r) => r.at.getTime() > now.getTime() + SCHEDULING_MARGIN_MS);
}
