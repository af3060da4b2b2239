/**
 * The composition root of the privacy context's functions (ADR 0017): the only place their
 * adapters are built, from the function's environment: TABLE_PRIVACY, EVENT_BUS_NAME, and where
 * needed MAIL_FROM and PLATFORM_INBOX (the DPO's warnings), COGNITO_USER_POOL_ID (the address of
 * a subject known by account).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  ConsentChanged,
  DeathRecorded,
  DirectivesExecuted,
  ExportReady,
  ExportRequested,
  RightsRequestClosed,
  RightsRequestDeadlineNear,
  RightsRequestRecorded,
} from '#events/catalogue.ts';
import { entities } from '#functions/entities.ts';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { cognitoAccountResolver } from '#shared/identity/account-resolver.ts';
import { cognitoPersonDirectory } from '#shared/identity/people.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { dynamoExportStore } from '#shared/privacy/export-store.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoConsentStore } from './adapters/consent-store.ts';
import { dynamoDirectiveStore } from './adapters/directive-store.ts';
import { dynamoRightsRequestStore } from './adapters/request-store.ts';
import type { ConsentDeps } from './consents.ts';
import type { DeathDeps, DeathEvents, DirectiveDeps } from './directives.ts';
import type { DeliveryDeps, ExportDeps, ExportEvents, RightsExportDeps, StartDeps } from './exports.ts';
import type { ExtensionDeps, RequestDeps, RightsRequestEvents, WarningDeps } from './use-cases.ts';

const store = () => dynamoRightsRequestStore({ client: documentClient(), tableName: tableNameFromEnv('privacy') });

const bus = () =>
  eventBridgePublisher({
    client: eventBridgeClient(),
    busName: requiredEnv('EVENT_BUS_NAME'),
    clock: systemClock,
  });

const events = (): RightsRequestEvents => {
  const publisher = bus();
  return {
    async recorded(requestId) {
      await publisher.publish(RightsRequestRecorded, { requestId });
    },
    async closed(requestId) {
      await publisher.publish(RightsRequestClosed, { requestId });
    },
    async deadlineNear(requestId, deadline, overdue) {
      await publisher.publish(RightsRequestDeadlineNear, { requestId, deadline, overdue });
    },
  };
};

const mailer = (): Mailer =>
  sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM'), now: () => systemClock.now() });

export const requestDeps = (): RequestDeps => ({ store: store(), clock: systemClock, events: events() });

/** The extension: the subject is told, at their address or their account's. */
const cognito = () => ({
  client: new CognitoIdentityProviderClient(clientConfig),
  userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
});

export const extensionDeps = (): ExtensionDeps => ({
  ...requestDeps(),
  people: cognitoPersonDirectory(cognito()),
  mailer: mailer(),
});

const exportEvents = (): ExportEvents => {
  const publisher = bus();
  return {
    async requested(exportId) {
      await publisher.publish(ExportRequested, { exportId });
    },
    async ready(exportId) {
      await publisher.publish(ExportReady, { exportId });
    },
  };
};

/** Exports: the orders in the privacy table, the registry for the expected parts and the README. */
export const exportDeps = (): ExportDeps => ({
  store: dynamoExportStore({ client: documentClient(), tableName: tableNameFromEnv('privacy') }),
  clock: systemClock,
  events: exportEvents(),
  entities,
});

/** Starting an export of one's own data: the person's current address (items keyed by it are theirs). */
export const startDeps = (): StartDeps => ({ ...exportDeps(), people: cognitoPersonDirectory(cognito()) });

const directiveStore = () => dynamoDirectiveStore({ client: documentClient(), tableName: tableNameFromEnv('privacy') });

const deathEvents = (): DeathEvents => {
  const publisher = bus();
  return {
    async recorded(deathId, accountId, erase) {
      await publisher.publish(DeathRecorded, { deathId, accountId, erase });
    },
    async executed(deathId, accountId, outcome) {
      await publisher.publish(DirectivesExecuted, { deathId, accountId, outcome });
    },
  };
};

/** Delivering a ready export: the person's address, the request's, or a deceased person's designee. */
export const deliveryDeps = (): DeliveryDeps => ({
  ...startDeps(),
  mailer: mailer(),
  directives: directiveStore(),
  deaths: deathEvents(),
});

/** Directives and consent choices following their account: the two stores, no bus. */
export const choicesDeps = () => ({
  ...directiveDeps(),
  consents: dynamoConsentStore({ client: documentClient(), tableName: tableNameFromEnv('privacy') }),
});

/** A person's own directive (no bus, no identity). */
export const directiveDeps = (): DirectiveDeps => ({ directives: directiveStore(), clock: systemClock, entities });

/** The DPO records a death: the directive, the account (by email), the export to a designee, the events. */
export const deathDeps = (): DeathDeps => {
  const pool = cognito();
  return {
    ...exportDeps(),
    directives: directiveStore(),
    deaths: deathEvents(),
    people: cognitoPersonDirectory(pool),
    accounts: cognitoAccountResolver(pool),
  };
};

export const rightsExportDeps = (): RightsExportDeps => {
  const pool = cognito();
  return {
    ...exportDeps(),
    requests: store(),
    people: cognitoPersonDirectory(pool),
    accounts: cognitoAccountResolver(pool),
  };
};

/** The daily warnings: to the DPO only. */
export const warningDeps = (): WarningDeps => ({
  ...requestDeps(),
  mailer: mailer(),
  dpoInbox: requiredEnv('PLATFORM_INBOX'),
});

/** Consents and objections (GET /me/consents, PUT /me/consents/{choice}): ConsentChanged on the bus. */
export const consentDeps = (): ConsentDeps => {
  const bus = eventBridgePublisher({
    client: eventBridgeClient(),
    busName: requiredEnv('EVENT_BUS_NAME'),
    clock: systemClock,
  });
  return {
    store: dynamoConsentStore({ client: documentClient(), tableName: tableNameFromEnv('privacy') }),
    clock: systemClock,
    events: {
      async changed(accountId, choice, granted, changeId) {
        await bus.publish(ConsentChanged, { accountId, choice, granted, changeId });
      },
    },
  };
};
