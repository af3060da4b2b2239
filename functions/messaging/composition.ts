/**
 * The composition root of the messaging context's functions (ADR 0016): the only place their
 * adapters are built, from the function's environment: TABLE_MESSAGING, and where needed
 * TABLE_PRACTITIONERS (published practitioners), COGNITO_USER_POOL_ID (names, emails), MAIL_FROM,
 * EVENT_BUS_NAME, WEBSOCKET_ENDPOINT (the management API), COGNITO_ISSUER and
 * COGNITO_APP_CLIENT_ID (tokens verified at `$connect`).
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { cognitoIdTokenVerifier } from '#shared/identity/id-tokens.ts';
import { cognitoPersonDirectory } from '#shared/identity/people.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { dynamoOfferReader } from '#shared/offer/offer-reader.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoConnectionStore } from './adapters/connection-store.ts';
import { dynamoConversationStore } from './adapters/conversation-store.ts';
import { dynamoMailAlertStore } from './adapters/mail-alert-store.ts';
import type { MailAlertDeps } from './mail-alerts.ts';
import type { ForgetDeps, MailDeps, MessagingDeps, OpenDeps, PushDeps } from './use-cases.ts';

const table = () => ({ client: documentClient(), tableName: tableNameFromEnv('messaging') });
const store = () => dynamoConversationStore(table());
export const connectionStore = () => dynamoConnectionStore(table());
const mailAlerts = () => dynamoMailAlertStore(table());

const people = () =>
  cognitoPersonDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  });

export const messagingDeps = (): MessagingDeps => ({ store: store(), clock: systemClock });

export const openDeps = (): OpenDeps => ({
  store: store(),
  clock: systemClock,
  people: people(),
  offers: dynamoOfferReader({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
});

export const mailDeps = (): MailDeps => ({
  store: store(),
  clock: systemClock,
  people: people(),
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM'), now: () => systemClock.now() }),
  alerts: mailAlerts(),
});

/** ConsentChanged: the person's choice about the "nouveau message" mail. */
export const mailAlertDeps = (): MailAlertDeps => ({ alerts: mailAlerts(), clock: systemClock });

export const events = () =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock });

/** The WebSocket API's management API, at the stage's endpoint. */
const management = () =>
  new ApiGatewayManagementApiClient({ ...clientConfig, endpoint: requiredEnv('WEBSOCKET_ENDPOINT') });

const isGone = (error: unknown) => (error as Error).name === 'GoneException';

export const pushDeps = (): PushDeps => {
  const client = management();
  return {
    store: store(),
    connections: connectionStore(),
    async post(connectionId, data) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return true;
      } catch (error) {
        if (isGone(error)) return false;
        throw error;
      }
    },
  };
};

export const forgetDeps = (): ForgetDeps => {
  const client = management();
  return {
    store: store(),
    clock: systemClock,
    connections: connectionStore(),
    async disconnect(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    },
  };
};

export const tokenVerifier = () =>
  cognitoIdTokenVerifier({ issuer: requiredEnv('COGNITO_ISSUER'), appClientId: requiredEnv('COGNITO_APP_CLIENT_ID') });
