/**
 * The composition root of the privacy context's functions (ADR 0017): the only place their
 * adapters are built, from the function's environment: TABLE_PRIVACY, EVENT_BUS_NAME, and where
 * needed MAIL_FROM and PLATFORM_INBOX (the DPO's warnings), COGNITO_USER_POOL_ID (the address of
 * a subject known by account).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { RightsRequestClosed, RightsRequestDeadlineNear, RightsRequestRecorded } from '#events/catalogue.ts';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { cognitoPersonDirectory } from '#shared/identity/people.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoRightsRequestStore } from './adapters/request-store.ts';
import type { ExtensionDeps, RequestDeps, RightsRequestEvents, WarningDeps } from './use-cases.ts';

const store = () => dynamoRightsRequestStore({ client: documentClient(), tableName: tableNameFromEnv('privacy') });

const events = (): RightsRequestEvents => {
  const bus = eventBridgePublisher({
    client: eventBridgeClient(),
    busName: requiredEnv('EVENT_BUS_NAME'),
    clock: systemClock,
  });
  return {
    async recorded(requestId) {
      await bus.publish(RightsRequestRecorded, { requestId });
    },
    async closed(requestId) {
      await bus.publish(RightsRequestClosed, { requestId });
    },
    async deadlineNear(requestId, deadline, overdue) {
      await bus.publish(RightsRequestDeadlineNear, { requestId, deadline, overdue });
    },
  };
};

const mailer = (): Mailer =>
  sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM'), now: () => systemClock.now() });

export const requestDeps = (): RequestDeps => ({ store: store(), clock: systemClock, events: events() });

/** The extension: the subject is told, at their address or their account's. */
export const extensionDeps = (): ExtensionDeps => ({
  ...requestDeps(),
  people: cognitoPersonDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
  mailer: mailer(),
});

/** The daily warnings: to the DPO only. */
export const warningDeps = (): WarningDeps => ({
  ...requestDeps(),
  mailer: mailer(),
  dpoInbox: requiredEnv('PLATFORM_INBOX'),
});
