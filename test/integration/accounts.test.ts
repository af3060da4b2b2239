/**
 * The account store against DynamoDB Local, with the purge (its use case, an injected clock, on
 * tables of this file's own): 5 years without activity and a purge remove an account, activity a
 * day before keeps it; the clock slides at most once a day and never revives an expired account;
 * a deletion request moves the account to its 6-month clock (also under a legal hold); the
 * inactivity notice is claimed once per expiry, through the expiry index.
 *
 * Dates lie years after the machine's clock: DynamoDB Local deletes expired items by itself.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { accountKey, dynamoAccountStore } from '#functions/accounts/adapters/account-store.ts';
import { cognitoDirectory } from '#functions/accounts/adapters/cognito-directory.ts';
import { signUpAttributes } from '#functions/accounts/contract.ts';
import type { Identity } from '#functions/accounts/domain/account.ts';
import type { IdentityDirectory } from '#functions/accounts/ports.ts';
import {
  confirmSignUp,
  recordActivity,
  removeUnconfirmedSignUps,
  warnInactiveAccounts,
} from '#functions/accounts/use-cases.ts';
import { entities } from '#functions/entities.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { EXPIRY_INDEX, type TableName, tables } from '#shared/tables.ts';
import { dropFreshTables, freshTables as freshTablesIn, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const freshTables = () => freshTablesIn(cloud.urls.dynamodb, 'accounts');

const DAY = 86_400_000;
const T0 = new Date('2036-02-10T09:00:00Z');
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Cognito users for the use cases: confirmed clients with an email each. */
function directory(ids: string[]): IdentityDirectory {
  const users = new Map<string, Identity>(
    ids.map((accountId, i) => [
      accountId,
      {
        accountId,
        attributes: {
          sub: accountId,
          email: `person${i}@example.test`,
          given_name: `Personne${i}`,
          [signUpAttributes.cguVersion]: '2023-10-21',
          [signUpAttributes.accountType]: 'client',
        },
        enabled: true,
        status: 'CONFIRMED',
      },
    ]),
  );
  return {
    get: async (id) => users.get(id),
    update: async () => undefined,
    disable: async () => undefined,
    signOutEverywhere: async () => undefined,
    remove: async (id) => (users.delete(id) ? 'deleted' : 'absent'),
    addToGroup: async () => undefined,
    async *unconfirmedSince() {},
  };
}

async function setup(ids: string[], at = T0) {
  const names = await freshTables();
  const store = dynamoAccountStore({ client: db, tableName: names.accounts });
  const clock = manualClock(at);
  const identities = directory(ids);
  for (const id of ids) {
    const attributes = (await identities.get(id))?.attributes ?? {};
    expect(await confirmSignUp({ store, identities, clock }, 'PostConfirmation_ConfirmSignUp', id, attributes)).toBe(
      'opened',
    );
  }
  const purge = (now: Date, startDay: string) =>
    purgeExpiredItems({
      store: dynamoRetentionTables({ client: db, tableNames: names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
      events: recordingPublisher(),
      clock: manualClock(now),
      entities,
      tables: Object.keys(tables) as TableName[],
      options: { startDay },
    });
  const item = async (id: string) =>
    (await db.send(new GetCommand({ TableName: names.accounts, Key: accountKey(id) }))).Item;
  return { names, store, clock, identities, purge, item };
}

describe('an account without activity', () => {
  it('is purged 5 years after the last activity; activity a day before keeps it', async () => {
    const [inactive, active] = [idOf(1), idOf(2)];
    const { store, clock, identities, purge, item } = await setup([inactive, active]);
    const fiveYears = addPeriod(T0, { years: 5 });
    expect((await item(inactive))?.expiresAt).toBe(epochSeconds(fiveYears));

    const dayBefore = new Date(fiveYears.getTime() - DAY);
    clock.set(dayBefore);
    expect(await recordActivity({ store, identities, clock }, active, dayBefore)).toBe('moved');
    expect((await item(active))?.expiresAt).toBe(epochSeconds(addPeriod(dayBefore, { years: 5 })));

    const report = await purge(new Date(fiveYears.getTime() + DAY), '2041-02-01');
    expect(report).toMatchObject({ complete: true, itemsDeleted: 1, deletedByPurpose: { account: 1 } });
    expect(await item(inactive)).toBeUndefined();
    expect(await item(active)).toMatchObject({ entity: 'account', status: 'active' });
  });

  it('slides at most once a day, and an activity after the expiry revives nothing', async () => {
    const id = idOf(3);
    const { store, clock, identities, item } = await setup([id]);
    const deps = { store, identities, clock };
    expect(await recordActivity(deps, id, new Date(T0.getTime() + 3 * 3600_000))).toBe('unchanged');
    const nextDay = new Date(T0.getTime() + DAY + 60_000);
    expect(await recordActivity(deps, id, nextDay)).toBe('moved');
    expect(await recordActivity(deps, id, new Date(nextDay.getTime() + 8 * 3600_000))).toBe('unchanged');
    const expiry = (await item(id))?.expiresAt as number;
    const late = new Date(expiry * 1000 + 60_000);
    clock.set(late);
    expect(await recordActivity(deps, id, late)).toBe('expired');
    expect((await item(id))?.expiresAt).toBe(expiry);
  });
});

describe('a deletion request', () => {
  it('moves the account to 6 months from the request, once; the purge then removes it', async () => {
    const id = idOf(4);
    const { store, clock, identities, purge, item } = await setup([id]);
    const requestedAt = new Date('2037-05-31T10:00:00Z');
    clock.set(requestedAt);
    const sixMonths = addPeriod(requestedAt, { months: 6 }); // 30 November: the 31st does not exist
    expect(sixMonths.toISOString()).toBe('2037-11-30T10:00:00.000Z');
    expect(await store.requestDeletion(id, requestedAt)).toEqual({
      kind: 'requested',
      requestedAt,
      keptUntil: sixMonths,
    });
    expect(await item(id)).toMatchObject({
      entity: 'deleted-account',
      status: 'deletion-requested',
      retentionPurpose: 'account-deletion',
      expiresAt: epochSeconds(sixMonths),
      expiryDay: '2037-11-30',
      deletionRequestedAt: requestedAt.toISOString(),
      cgu: { version: '2023-10-21' },
    });
    const later = new Date(requestedAt.getTime() + DAY);
    expect(await store.requestDeletion(id, later)).toEqual({
      kind: 'already-requested',
      requestedAt,
      keptUntil: sixMonths,
    });
    expect(await recordActivity({ store, identities, clock }, id, later)).toBe('not-an-account');
    expect(await store.get(id, later)).toEqual({ kind: 'deleted', requestedAt, keptUntil: sixMonths });

    const before = await purge(new Date(sixMonths.getTime() - DAY), '2037-11-01');
    expect(before.itemsDeleted).toBe(0);
    const after = await purge(new Date(sixMonths.getTime() + DAY), '2037-11-01');
    expect(after).toMatchObject({ itemsDeleted: 1, deletedByPurpose: { 'account-deletion': 1 } });
    expect(await item(id)).toBeUndefined();
  });

  it('under a legal hold, keeps the new expiry aside: neither TTL nor the purge can take it', async () => {
    const id = idOf(5);
    const { names, store, item } = await setup([id]);
    await db.send(
      new UpdateCommand({
        TableName: names.accounts,
        Key: accountKey(id),
        UpdateExpression: 'SET heldExpiresAt = expiresAt REMOVE expiresAt, expiryDay',
      }),
    );
    const requestedAt = new Date('2037-01-15T10:00:00Z');
    const outcome = await store.requestDeletion(id, requestedAt);
    expect(outcome).toMatchObject({ kind: 'requested', keptUntil: addPeriod(requestedAt, { months: 6 }) });
    const held = await item(id);
    expect(held).toMatchObject({
      entity: 'deleted-account',
      heldExpiresAt: epochSeconds(addPeriod(requestedAt, { months: 6 })),
    });
    expect(held?.expiresAt).toBeUndefined();
    expect(held?.expiryDay).toBeUndefined();
  });
});

describe('the inactivity notice', () => {
  it('finds the accounts through the expiry index and notices each once per expiry', async () => {
    const [a, b, suspended] = [idOf(6), idOf(7), idOf(8)];
    const { names, store, clock, identities, item } = await setup([a, b, suspended]);
    await db.send(
      new UpdateCommand({
        TableName: names.accounts,
        Key: accountKey(suspended),
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'suspended' },
      }),
    );
    const expiryDay = addPeriod(T0, { years: 5 }).toISOString().slice(0, 10);
    const noticeDay = new Date(addPeriod(T0, { years: 5 }).getTime() - 30 * DAY);
    clock.set(noticeDay);
    expect((await store.expiringOn(expiryDay, noticeDay)).map((x) => x.accountId).sort()).toEqual([a, b, suspended]);

    const sent: Mail[] = [];
    const mailer = {
      send: async (mail: Mail) => {
        sent.push(mail);
        return { messageId: String(sent.length) };
      },
    };
    const deps = { store, identities, clock, mailer, signInUrl: 'https://www.monprodubienetre.fr/' };
    expect(await warnInactiveAccounts(deps)).toEqual({ sent: 2, skipped: 1, failed: 0, complete: true });
    expect(sent.map((m) => m.subject)).toEqual([
      'Votre compte Mon Pro du Bien-Être sera supprimé le 10 février 2041',
      'Votre compte Mon Pro du Bien-Être sera supprimé le 10 février 2041',
    ]);
    expect((await item(a))?.inactivityNoticeFor).toBe((await item(a))?.expiresAt);

    clock.set(new Date(noticeDay.getTime() + DAY));
    expect(await warnInactiveAccounts(deps)).toMatchObject({ sent: 0, skipped: 3 });

    // The index holds only what a notice needs: no scan, no read of other days.
    const indexed = await db.send(
      new QueryCommand({
        TableName: names.accounts,
        IndexName: EXPIRY_INDEX,
        KeyConditionExpression: 'expiryDay = :d',
        ExpressionAttributeValues: { ':d': expiryDay },
      }),
    );
    expect(indexed.Count).toBe(3);
  });
});

describe('unconfirmed sign-ups in the Cognito emulator', () => {
  it('are listed by status (ListUsers filter) and deleted 7 days after the sign-up', async () => {
    // A pool of this test's own: the use case never reaches another test's users.
    const cognito = localCognitoClient(cloud.urls.cognito);
    try {
      const pool = await cognito.send(
        new CreateUserPoolCommand({
          PoolName: `it-accounts-${randomUUID().slice(0, 8)}`,
          UsernameAttributes: ['email'],
        }),
      );
      const userPoolId = pool.UserPool?.Id as string;
      const app = await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'it' }));
      const email = `pending.${randomUUID().slice(0, 8)}@example.test`;
      const signedUp = await cognito.send(
        new SignUpCommand({
          ClientId: app.UserPoolClient?.ClientId,
          Username: email,
          Password: 'Correct-Horse-9-Battery',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'given_name', Value: 'En' },
            { Name: 'family_name', Value: 'Attente' },
            { Name: signUpAttributes.cguVersion, Value: cloud.env.CGU_VERSION as string },
            { Name: signUpAttributes.accountType, Value: 'client' },
          ],
        }),
      );
      const identities = cognitoDirectory({ client: cognito, userPoolId });
      const sixDaysLater = manualClock(new Date(Date.now() + 6 * DAY));
      expect(await removeUnconfirmedSignUps({ identities, clock: sixDaysLater })).toEqual({
        removed: 0,
        complete: true,
      });
      expect(await identities.get(signedUp.UserSub as string)).toMatchObject({ status: 'UNCONFIRMED' });
      const eightDaysLater = manualClock(new Date(Date.now() + 8 * DAY));
      expect(await removeUnconfirmedSignUps({ identities, clock: eightDaysLater })).toEqual({
        removed: 1,
        complete: true,
      });
      expect(await identities.get(signedUp.UserSub as string)).toBeUndefined();
    } finally {
      cognito.destroy();
    }
  });
});
