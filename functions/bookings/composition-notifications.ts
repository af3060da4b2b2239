/**
 * The composition root of the notification and reminder functions: the only place their adapters
 * are built, from the function's environment: TABLE_BOOKINGS, TABLE_PRACTITIONERS, MAIL_FROM,
 * COGNITO_USER_POOL_ID (the parties' addresses), and for the function that schedules reminders
 * the one-time schedule settings (shared/scheduling/one-time-schedules.ts). Locally the
 * AWS_ENDPOINT_URL_* variables point the clients at the emulators and the local scheduler.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientConfig, documentClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { dynamoOfferReader } from '#shared/offer/offer-reader.ts';
import { eventBridgeOneTimeSchedules } from '#shared/scheduling/eventbridge-scheduler.ts';
import { oneTimeScheduleSettingsFromEnv } from '#shared/scheduling/one-time-schedules.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoAppointmentStore } from './adapters/appointment-store.ts';
import { dynamoNotificationReceipts } from './adapters/notification-receipts.ts';
import { cognitoPartyDirectory } from './adapters/party-directory.ts';
import type { NotificationDeps, ReminderScheduleDeps } from './notifications/use-cases.ts';

const bookingsTable = () => ({ client: documentClient(), tableName: tableNameFromEnv('bookings') });

/** Notices and reminders: the appointment, the parties' contacts, the offer's name, receipts, SES. */
export const notificationDeps = (): NotificationDeps => {
  const from = requiredEnv('MAIL_FROM');
  return {
    appointments: dynamoAppointmentStore(bookingsTable()),
    offers: dynamoOfferReader({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
    parties: cognitoPartyDirectory({
      client: new CognitoIdentityProviderClient(clientConfig),
      userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
    }),
    receipts: dynamoNotificationReceipts(bookingsTable()),
    mailer: sesMailer({ client: sesClient(), from, now: () => systemClock.now() }),
    clock: systemClock,
    platformAddress: from,
  };
};

/** The reminder schedules: the appointment, and Scheduler in the function's own group. */
export const reminderScheduleDeps = (): ReminderScheduleDeps => ({
  appointments: dynamoAppointmentStore(bookingsTable()),
  schedules: eventBridgeOneTimeSchedules({
    client: new SchedulerClient(clientConfig),
    settings: oneTimeScheduleSettingsFromEnv(),
  }),
  clock: systemClock,
});
