/**
 * The use cases of the person's choice about the "nouveau message" mail (issue 15): ConsentChanged
 * from the privacy context records it; notifyMessageRecipient reads it (use-cases.ts
 * `mailRecipient`). What the handler runs, with injected deps.
 */
import type { Clock } from '#shared/clock.ts';
import type { MailAlertStore } from './adapters/mail-alert-store.ts';
import { choiceOf, MAIL_ALERTS_CHOICE, wantsMail } from './domain/mail-alerts.ts';

export interface MailAlertDeps {
  readonly alerts: MailAlertStore;
  readonly clock: Clock;
}

export type MailAlertOutcome = 'recorded' | 'older-than-recorded' | 'not-a-messaging-choice';

/**
 * ConsentChanged: keeps the person's choice about the mail when it is about the mail (other
 * choices are not messaging's), and later than the one recorded (events may arrive out of order).
 */
export async function recordMailAlertChoice(
  deps: MailAlertDeps,
  change: { readonly accountId: string; readonly choice: string; readonly granted: boolean; readonly changeId: string },
): Promise<MailAlertOutcome> {
  if (change.choice !== MAIL_ALERTS_CHOICE) return 'not-a-messaging-choice';
  const recorded = await deps.alerts.record(
    change.accountId,
    choiceOf(change.changeId, change.granted),
    deps.clock.now(),
  );
  return recorded ? 'recorded' : 'older-than-recorded';
}

/** AccountActivityObserved: an objection lasts as long as the active account, not 5 years from itself. */
export async function slideMailAlertChoice(deps: MailAlertDeps, accountId: string, day: string): Promise<void> {
  await deps.alerts.slide(accountId, new Date(`${day}T12:00:00Z`), deps.clock.now());
}

/** Whether the person wants the mail: yes unless they objected (legitimate interest's default). */
export async function wantsMailAlerts(deps: MailAlertDeps, accountId: string): Promise<boolean> {
  return wantsMail(await deps.alerts.get(accountId, deps.clock.now()));
}
