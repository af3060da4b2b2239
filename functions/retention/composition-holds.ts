/**
 * The composition root of the DPO's functions (legal holds, erasure, register) and of the jobs
 * that keep holds and erasures true (daily hold sweep, erasure replay). Each function gets only
 * the tables functions/catalogue.ts grants it, so each builds only what it uses; the erasure
 * alone gets the Cognito user pool (COGNITO_USER_POOL_ID; locally
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points the client at the emulator).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { cognitoAccountResolver } from '#shared/identity/account-resolver.ts';
import { isRetained } from '#shared/retention/entity.ts';
import { type TableName, tableNameFromEnv, tables } from '#shared/tables.ts';
import { entities } from '../entities.ts';
import { dynamoErasureLogStore } from './adapters/erasure-log-store.ts';
import { dynamoHoldStore } from './adapters/hold-store.ts';
import { dynamoSubjectItemsStore } from './adapters/subject-items-store.ts';
import type { ErasureDeps, ReplayDeps } from './erasure.ts';
import type { HoldDeps } from './holds.ts';

const clock = systemClock;

/** Every table, by the environment variables CDK (or the local cloud) set; `overrides` point at restored copies. */
function allTableNames(overrides: Partial<Record<TableName, string>> = {}): Record<TableName, string> {
  return Object.fromEntries(
    (Object.keys(tables) as TableName[]).map((name) => [name, overrides[name] ?? tableNameFromEnv(name)]),
  ) as Record<TableName, string>;
}

const holdStore = () => dynamoHoldStore({ client: documentClient(), tableName: tableNameFromEnv('retention') });
const subjectItems = (overrides?: Partial<Record<TableName, string>>) =>
  dynamoSubjectItemsStore({ client: documentClient(), tableNames: allTableNames(overrides) });
const events = () =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock });

export const holdDeps = (): HoldDeps => ({ holds: holdStore(), subjects: subjectItems(), events: events(), clock });

export const listHoldsDeps = (): Pick<HoldDeps, 'holds' | 'clock'> => ({ holds: holdStore(), clock });

export const sweepDeps = (): Pick<HoldDeps, 'holds' | 'subjects' | 'clock'> => ({
  holds: holdStore(),
  subjects: subjectItems(),
  clock,
});

/** Entity types that own their partition: an erasure of the root takes the partition with it. */
export const partitionRoots: ReadonlySet<string> = new Set(
  entities.filter((entity) => isRetained(entity) && entity.owns === 'partition').map((entity) => entity.name),
);

/** Entity types an erasure keeps: accountability records of the rights handled, the revocation of the tokens. */
export const keptOnErasure: ReadonlySet<string> = new Set(
  entities.filter((entity) => isRetained(entity) && entity.keptOnErasure).map((entity) => entity.name),
);

export const erasureDeps = (): ErasureDeps => ({
  holds: holdStore(),
  subjects: subjectItems(),
  erasureLog: dynamoErasureLogStore({ client: documentClient(), tableName: tableNameFromEnv('retention') }),
  accounts: cognitoAccountResolver({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
  events: events(),
  clock,
  partitionRoots,
  keptOnErasure,
});

export const replayDeps = (overrides?: Partial<Record<TableName, string>>): ReplayDeps => ({
  holds: holdStore(),
  subjects: subjectItems(overrides),
  erasureLog: dynamoErasureLogStore({ client: documentClient(), tableName: tableNameFromEnv('retention') }),
  clock,
});

/** The erasure log alone: for the practitioners' erasures announced by the bookings context. */
export const controllerErasureDeps = () => ({
  erasureLog: dynamoErasureLogStore({ client: documentClient(), tableName: tableNameFromEnv('retention') }),
});
