/**
 * The composition root of the reviews context's moderation queue, summary projection and policy
 * (part C of ADR 0015): the only place their adapters are built.
 */
import { documentClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoModerationQueue } from './adapters/moderation-queue.ts';
import { dynamoSummaryStore } from './adapters/summary-store.ts';
import type { QueueDeps, StaleAlertDeps } from './queue.ts';
import type { SummaryDeps } from './summary.ts';

const clock = systemClock;
const table = () => ({ client: documentClient(), tableName: tableNameFromEnv('reviews') });

export const queueDeps = (): QueueDeps => ({ queue: dynamoModerationQueue(table()), clock });

/** The moderators' inbox is the platform inbox (PLATFORM_INBOX, given to every function that mails). */
export const staleAlertDeps = (): StaleAlertDeps => ({
  queue: dynamoModerationQueue(table()),
  clock,
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM') }),
  moderationInbox: requiredEnv('PLATFORM_INBOX'),
});

export const summaryDeps = (): SummaryDeps => ({ store: dynamoSummaryStore(table()), clock });
