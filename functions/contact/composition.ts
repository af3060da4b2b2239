/** The contact context's composition root: the only place its adapters are built. */
import { documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoContactRequestStore } from './adapters/contact-request-store.ts';
import type { ContactDeps } from './use-cases.ts';

const clock = systemClock;
const store = () => dynamoContactRequestStore({ client: documentClient(), tableName: tableNameFromEnv('contact') });

export const submitDeps = (): Pick<ContactDeps, 'store' | 'events' | 'clock'> => ({
  store: store(),
  events: eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock }),
  clock,
});

export const notifyDeps = (): Pick<ContactDeps, 'store' | 'mailer' | 'clock' | 'platformInbox'> => ({
  store: store(),
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM') }),
  clock,
  platformInbox: requiredEnv('PLATFORM_INBOX'),
});
