/**
 * The composition root of the practitioner's controller operations (export, erasure, their log)
 * and of the account-deletion consumer: the only place their adapters are built, from the
 * function's environment: TABLE_BOOKINGS, and COGNITO_USER_POOL_ID for the export's client
 * names (locally AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points the client at the emulator).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import type { AccountDeletionDeps } from './account-deletion.ts';
import { dynamoAppointmentStore } from './adapters/appointment-store.ts';
import { cognitoClientDirectory } from './adapters/client-directory.ts';
import { dynamoControllerActionStore } from './adapters/controller-action-store.ts';
import { dynamoPaymentStore } from './adapters/payment-store.ts';
import { events } from './composition.ts';
import type { ControllerDeps, ErasureDeps } from './controller.ts';

const bookingsTable = () => ({ client: documentClient(), tableName: tableNameFromEnv('bookings') });

/** Export: appointments, the client directory, the log. */
export const exportDeps = (): ControllerDeps => ({
  store: dynamoAppointmentStore(bookingsTable()),
  clients: cognitoClientDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
  actions: dynamoControllerActionStore(bookingsTable()),
  clock: systemClock,
});

/** Erasure and the log: no identity is read. */
export const erasureDeps = (): ErasureDeps => ({
  store: dynamoAppointmentStore(bookingsTable()),
  events: events(),
  payments: dynamoPaymentStore(bookingsTable()),
  actions: dynamoControllerActionStore(bookingsTable()),
  clock: systemClock,
});

export const accountDeletionDeps = (): AccountDeletionDeps => ({
  store: dynamoAppointmentStore(bookingsTable()),
  clock: systemClock,
});
