/**
 * The schedule table: recurring jobs run by EventBridge Scheduler in AWS and by the local
 * scheduler (local/scheduler.ts) with `npm start`. Expressions are EventBridge Scheduler's
 * `cron(min hour day-of-month month day-of-week year)` or `rate(n unit)`, evaluated in `timezone`.
 * The purge and renewal jobs of later issues are added here.
 */
import type { FunctionName } from './catalogue.ts';

export interface ScheduleDefinition {
  /** Kebab-case, unique. */
  readonly name: string;
  readonly description: string;
  readonly expression: string;
  readonly timezone: 'Europe/Paris' | 'UTC';
  readonly target: FunctionName;
  /** Minutes within which Scheduler may start the run (spreads load); 0 for exact. */
  readonly flexibleWindowMinutes: number;
  /** The JSON payload the target function receives. */
  readonly input?: Record<string, unknown>;
}

export const schedules: readonly ScheduleDefinition[] = [
  {
    name: 'daily-legal-hold-sweep',
    description: 'Re-applies every active legal hold (items written for a held subject since), before the purge.',
    expression: 'cron(0 3 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'sweepLegalHolds',
    flexibleWindowMinutes: 0,
    input: { trigger: 'schedule' },
  },
  {
    name: 'daily-retention-purge',
    description: 'Deletes every item past its retention period (and its owned items), day by day.',
    expression: 'cron(30 3 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'purgeExpiredItems',
    flexibleWindowMinutes: 15,
    input: { trigger: 'schedule' },
  },
  {
    name: 'daily-inactive-account-notices',
    description: 'Emails the active accounts expiring within 30 days (5 years without activity), once per expiry.',
    // Mid-morning in Paris: a notice read the day it arrives.
    expression: 'cron(0 10 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'warnInactiveAccounts',
    flexibleWindowMinutes: 30,
    input: { trigger: 'schedule' },
  },
  {
    name: 'daily-unconfirmed-sign-up-removal',
    description: 'Deletes the Cognito users who signed up more than 7 days ago and never confirmed.',
    expression: 'cron(15 4 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'removeUnconfirmedSignUps',
    flexibleWindowMinutes: 30,
    input: { trigger: 'schedule' },
  },
  {
    name: 'payment-hold-release',
    description: 'Releases the bookings whose online payment did not come within the hold (15 minutes).',
    expression: 'rate(1 minute)',
    timezone: 'UTC',
    target: 'releaseExpiredHolds',
    flexibleWindowMinutes: 0,
    input: { trigger: 'schedule' },
  },
  // Reviews, part C (ADR 0015).
  {
    name: 'hourly-stale-moderation-alert',
    description: 'Mails the moderators the items waiting more than 48 hours for a decision (once a day per item).',
    expression: 'cron(5 * * * ? *)',
    timezone: 'UTC',
    target: 'alertStaleModeration',
    flexibleWindowMinutes: 5,
    input: { trigger: 'schedule' },
  },
  {
    name: 'daily-rights-request-deadlines',
    description: 'Mails the DPO about rights requests due within 7 days and about overdue ones (once per deadline).',
    // Morning in Paris: the DPO reads it the day it comes.
    expression: 'cron(0 9 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'warnRightsRequestDeadlines',
    flexibleWindowMinutes: 30,
    input: { trigger: 'schedule' },
  },
  // Support tickets (ADR 0019).
  {
    name: 'daily-support-ticket-clock',
    description:
      'Tickets waiting for their opener: a notice mail at day 23, closed (no-reply, deleted) at day 30, from the byWaiting index.',
    // Mid-morning in Paris, as the other notices: read the day it arrives.
    expression: 'cron(30 10 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'runSupportTicketClock',
    flexibleWindowMinutes: 30,
    input: { trigger: 'schedule' },
  },
  // Newsletter (ADR 0020).
  {
    name: 'daily-newsletter-renewal-asks',
    description:
      'Asks the newsletter subscriptions ending within 30 days (3 years without a click) whether to go on, once per expiry.',
    // Late morning in Paris, after the purge: a mail read the day it comes.
    expression: 'cron(30 10 * * ? *)',
    timezone: 'Europe/Paris',
    target: 'askNewsletterRenewals',
    flexibleWindowMinutes: 30,
    input: { trigger: 'schedule' },
  },
];
