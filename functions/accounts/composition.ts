/**
 * The accounts context's composition root: the only place its adapters are built, from the
 * function's environment: TABLE_ACCOUNTS, COGNITO_USER_POOL_ID (the Cognito triggers take the
 * pool from their event instead: the pool cannot name functions that name it), CGU_VERSION,
 * EVENT_BUS_NAME, MAIL_FROM, TABLE_SECURITY (the revocation list, shared/security/revocations.ts). Locally AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points the
 * Cognito client at the emulator.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { instanceRevocations } from '#shared/security/revocations.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoAccountStore } from './adapters/account-store.ts';
import { cognitoDirectory } from './adapters/cognito-directory.ts';
import { cguVersionPattern } from './contract.ts';
import type { AccountsDeps, StaffActionDeps } from './use-cases.ts';

const clock = systemClock;
const SIGN_IN_URL = 'https://www.monprodubienetre.fr/';

let cognito: CognitoIdentityProviderClient | undefined;
const cognitoClient = () => {
  cognito ??= new CognitoIdentityProviderClient(clientConfig);
  return cognito;
};

const store = () => dynamoAccountStore({ client: documentClient(), tableName: tableNameFromEnv('accounts') });
const directory = (userPoolId = requiredEnv('COGNITO_USER_POOL_ID')) =>
  cognitoDirectory({ client: cognitoClient(), userPoolId });

export function cguVersionFromEnv(): string {
  const version = requiredEnv('CGU_VERSION');
  if (!cguVersionPattern.test(version)) throw new Error('CGU_VERSION is not a version');
  return version;
}

export const preSignUpDeps = (): Pick<AccountsDeps, 'cguVersion'> => ({ cguVersion: cguVersionFromEnv() });

/** PostConfirmation: the pool comes with each event. */
export const confirmationDeps = () => {
  const accounts = store();
  return (userPoolId: string): Pick<AccountsDeps, 'store' | 'identities' | 'clock'> => ({
    store: accounts,
    identities: directory(userPoolId),
    clock,
  });
};

export const profileDeps = (): Pick<AccountsDeps, 'store' | 'identities' | 'clock' | 'cguVersion'> => ({
  store: store(),
  identities: directory(),
  clock,
  cguVersion: cguVersionFromEnv(),
});

export const deletionDeps = (): Pick<AccountsDeps, 'store' | 'identities' | 'revocations' | 'events' | 'clock'> => ({
  store: store(),
  identities: directory(),
  // The instance's own list: what this instance revokes, its guard refuses at once.
  revocations: instanceRevocations(),
  events: eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock }),
  clock,
});

export const activityDeps = (): Pick<AccountsDeps, 'store' | 'identities' | 'clock'> => ({
  store: store(),
  identities: directory(),
  clock,
});

export const noticeDeps = (): Pick<AccountsDeps, 'store' | 'identities' | 'mailer' | 'clock' | 'signInUrl'> => ({
  store: store(),
  identities: directory(),
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM') }),
  clock,
  signInUrl: SIGN_IN_URL,
});

export const identityRemovalDeps = (): Pick<AccountsDeps, 'identities' | 'clock'> => ({
  identities: directory(),
  clock,
});

export const staffActionDeps = (): StaffActionDeps => ({
  accounts: store(),
  signIn: directory(),
  revocations: instanceRevocations(),
  events: eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock }),
  clock,
});

/** A recorded death closes the account: Cognito and the revocation list only. */
export const closureDeps = (): Pick<AccountsDeps, 'identities' | 'revocations' | 'clock'> => ({
  identities: directory(),
  revocations: instanceRevocations(),
  clock,
});
