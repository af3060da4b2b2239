/**
 * The person's choice about the "nouveau message" mail, as messaging keeps it, pure. The mail
 * rests on the platform's legitimate interest: it is sent until the person objects (GET/PUT
 * /me/consents in the privacy context, announced by ConsentChanged). Messages still reach the app
 * and the live push either way.
 */
import type { ConsentChoice } from '#events/catalogue.ts';

/** The choice of the consent catalogue that messaging acts on. */
export const MAIL_ALERTS_CHOICE = 'message-mail-alerts' as const satisfies ConsentChoice;

export interface MailAlertChoice {
  /** False: the person objected to the mail. */
  readonly mailAlerts: boolean;
  /** The privacy context's change id; it begins with the change's time, so later changes sort after. */
  readonly changeId: string;
  /** UTC, ISO 8601: the time the change id begins with. */
  readonly changedAt: string;
}

/** The time a consent change id (`cch_` + 12 hex digits of milliseconds + …) begins with. */
export function changeTimeOf(changeId: string): Date {
  return new Date(Number.parseInt(changeId.slice(4, 16), 16));
}

/** The choice a ConsentChanged of the mail's choice records. */
export function choiceOf(changeId: string, granted: boolean): MailAlertChoice {
  return { mailAlerts: granted, changeId, changedAt: changeTimeOf(changeId).toISOString() };
}

/** Without a recorded choice, legitimate interest's default: the mail is sent. */
export const wantsMail = (choice: MailAlertChoice | undefined): boolean => choice?.mailAlerts ?? true;
