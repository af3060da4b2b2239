/**
 * The composition root of the support context's functions (ADR 0019): the only place their
 * adapters are built, from the function's environment: TABLE_SUPPORT, and where needed
 * COGNITO_USER_POOL_ID (the opener's address and first name), MAIL_FROM, EVENT_BUS_NAME,
 * MEDIATOR_NAME and MEDIATOR_ADDRESS (the consumer mediator a complaint's closing mail names).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { cognitoPersonDirectory } from '#shared/identity/people.ts';
import { MEDIATOR_ADDRESS_ENV, MEDIATOR_NAME_ENV } from '#shared/mail/mediator.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoTicketStore } from './adapters/ticket-store.ts';
import type { ClockDeps, MailDeps, OpenerMailDeps, SupportDeps } from './use-cases.ts';

const store = () => dynamoTicketStore({ client: documentClient(), tableName: tableNameFromEnv('support') });

export const supportDeps = (): SupportDeps => ({ store: store(), clock: systemClock });

const mailDeps = (): MailDeps => ({
  people: cognitoPersonDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM'), now: () => systemClock.now() }),
});

/** The daily clock of tickets waiting for their opener: the day-23 notice, the day-30 closure. */
export const clockDeps = (): ClockDeps => ({ ...supportDeps(), ...mailDeps() });

/** The opener's mails (TicketOpened, TicketAnswered, TicketClosed). */
export const openerMailDeps = (): OpenerMailDeps => ({
  ...mailDeps(),
  mediator: { name: requiredEnv(MEDIATOR_NAME_ENV), address: requiredEnv(MEDIATOR_ADDRESS_ENV) },
});

export const events = () =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock });
