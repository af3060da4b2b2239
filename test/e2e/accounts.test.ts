/**
 * The account's whole life over HTTP against the local cloud, with the Cognito emulator's real
 * tokens and triggers: sign-up (the code read from the SES emulator, where the mail bridge put
 * it), confirmation (PostConfirmation opens the account), sign-in, GET /me, PATCH /me (and a 400
 * for a property nobody may set), DELETE /me, sign-in refused; then the purge, 6 months and a
 * day later, leaves nothing of the account: no item of its subject in any table, and no Cognito
 * user (deleted by the accounts stream consumer, through the local stream poller).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_CGU_VERSION, type Me, signUpAttributes, verificationEmail } from '#functions/accounts/contract.ts';
import { entities } from '#functions/entities.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems, type RetentionTables } from '#functions/retention/purge.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { manualClock } from '#shared/clock.ts';
import { addPeriod } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { SUBJECT_INDEX, type TableName } from '#shared/tables.ts';
import { apiClient, fetchApi } from '../support/api.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { mails, waitForMail } from '../support/mail.ts';
import { memoryCheckpoints, recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const IP = '127.0.0.1';
const cognito = localCognitoClient(cloud.urls.cognito);
const db = localDocumentClient(cloud.urls.dynamodb);
const tableNames = tableNamesFrom(cloud.env);
const { clientId, userPoolId } = cloud.cognito;
const cguVersion = cloud.env.CGU_VERSION ?? DEFAULT_CGU_VERSION;
afterAll(() => {
  cognito.destroy();
  db.destroy();
});

const password = 'Correct-Horse-9-Battery';
const marker = randomUUID().slice(0, 8);

function attributes(email: string, overrides: Record<string, string | undefined> = {}) {
  const all: Record<string, string | undefined> = {
    email,
    given_name: 'Zoé',
    family_name: 'Martin',
    phone_number: '+33612345678',
    [signUpAttributes.cguVersion]: cguVersion,
    [signUpAttributes.accountType]: 'client',
    ...overrides,
  };
  return Object.entries(all).flatMap(([Name, Value]) => (Value === undefined ? [] : [{ Name, Value }]));
}

const signUp = (email: string, overrides: Record<string, string | undefined> = {}) =>
  cognito.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: email,
      Password: password,
      UserAttributes: attributes(email, overrides),
    }),
  );

const signIn = (email: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

/** The code of the newest verification email to `email` not seen before. */
async function codeSentTo(email: string, seen: Set<string>): Promise<string> {
  const mail = await waitForMail(
    cloud.urls.mailStore,
    (m) => m.subject === verificationEmail.subject && m.destination.to.includes(email) && !seen.has(m.messageId),
  );
  seen.add(mail.messageId);
  const code = mail.body.text?.match(/\b(\d{6})\b/)?.[1];
  expect(code).toBeDefined();
  return code as string;
}

/** The typed client, signed in with `token`; every answer is validated against the document. */
const as = (token: string) => apiClient(cloud, IP, { idToken: token });

/** A raw call, for what the typed client will not send (properties nobody may set): validated alike. */
function call(method: string, path: string, token: string, body?: unknown) {
  return fetchApi(cloud, IP, method, path, {
    token,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

const accountItem = async (accountId: string) =>
  (
    await db.send(
      new GetCommand({ TableName: tableNames.accounts, Key: { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' } }),
    )
  ).Item;

async function cognitoUser(accountId: string) {
  try {
    return await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: accountId }));
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}

/** Every item of a subject, in every table: through the subject index, and by a scan for its id. */
async function itemsOf(accountId: string) {
  const subjectKey = subjectKeyForAccount(accountId);
  const found: { table: TableName; pk: string; sk: string }[] = [];
  for (const [table, TableName] of Object.entries(tableNames) as [TableName, string][]) {
    const indexed = await db.send(
      new QueryCommand({
        TableName,
        IndexName: SUBJECT_INDEX,
        KeyConditionExpression: 'subjectKey = :s',
        ExpressionAttributeValues: { ':s': subjectKey },
      }),
    );
    let start: Record<string, unknown> | undefined;
    const scanned: Record<string, unknown>[] = [];
    do {
      const page = await db.send(new ScanCommand({ TableName, ExclusiveStartKey: start }));
      scanned.push(...(page.Items ?? []).filter((item) => JSON.stringify(item).includes(accountId)));
      start = page.LastEvaluatedKey;
    } while (start);
    for (const item of [...(indexed.Items ?? []), ...scanned]) {
      found.push({ table, pk: String(item.pk), sk: String(item.sk) });
    }
  }
  return found;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    value = await probe();
  }
  return value;
}

describe('sign-up', () => {
  it('is refused without the CGU version in force, or without an account type', async () => {
    for (const overrides of [
      { [signUpAttributes.cguVersion]: '2019-01-01' },
      { [signUpAttributes.cguVersion]: undefined },
      { [signUpAttributes.accountType]: 'moderator' },
    ]) {
      const email = `refused.${randomUUID().slice(0, 8)}@example.test`;
      const refused = await signUp(email, overrides).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).name).toBe('UserLambdaValidationException');
      expect((refused as Error).message).toMatch(/PreSignUp failed with error/i);
      expect((refused as Error).message).not.toContain(email);
      expect(await cognitoUser(email)).toBeUndefined();
    }
  });
});

describe('an account from sign-up to purge', () => {
  const email = `zoe.${marker}@example.test`;
  const newEmail = `zoe.martin.${marker}@example.test`;
  const seen = new Set<string>();
  let accountId = '';
  let token = '';
  let requestedAt = new Date();

  it('signs up, confirms with the emailed code, and gets an account in its group', async () => {
    const before = (await mails(cloud.urls.mailStore)).length;
    const started = Date.now();
    const signedUp = await signUp(email);
    expect(signedUp.UserConfirmed).toBe(false);
    accountId = signedUp.UserSub as string;

    const code = await codeSentTo(email, seen);
    const mail = (await mails(cloud.urls.mailStore)).slice(before).find((m) => m.destination.to.includes(email));
    expect(mail?.from).toContain(cloud.env.MAIL_FROM);
    expect(mail?.body.text).toContain(`Votre code de vérification Mon Pro du Bien-Être est ${code}`);

    await cognito.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }));
    const item = await accountItem(accountId);
    expect(item).toMatchObject({
      entity: 'account',
      accountId,
      type: 'client',
      status: 'active',
      cgu: { version: cguVersion },
      subjectKey: subjectKeyForAccount(accountId),
      retentionPurpose: 'account',
    });
    const acceptedAt = Date.parse(item?.cgu.acceptedAt);
    expect(acceptedAt).toBeGreaterThanOrEqual(started - 1000);
    expect(item?.expiresAt).toBe(Math.floor(addPeriod(new Date(item?.createdAt), { years: 5 }).getTime() / 1000));
    // Identity stays in Cognito: no name, email or phone in our table.
    expect(JSON.stringify(item)).not.toMatch(/Zoé|Martin|example\.test|\+336/);

    const auth = await signIn(email);
    token = auth.AuthenticationResult?.IdToken as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    expect(claims['cognito:groups']).toEqual(['client']);
  });

  it('GET /me: the identity from Cognito, the roles and the account', async () => {
    const res = await as(token).GET('/me');
    expect(res.response.status).toBe(200);
    const me: Me = res.data!;
    expect(me).toMatchObject({
      accountId,
      roles: ['client'],
      email,
      emailVerified: true,
      firstName: 'Zoé',
      lastName: 'Martin',
      phone: '+33612345678',
      account: { type: 'client', status: 'active', cgu: { version: cguVersion, current: true } },
    });
    expect(Date.parse(me.account?.retainedUntil ?? '')).toBeGreaterThan(Date.now() + 4.9 * 365 * 86_400_000);
  });

  it('PATCH /me rectifies the identity, verifies a new email, and refuses what a caller may not set', async () => {
    const renamed = await as(token).PATCH('/me', { body: { firstName: 'Zoë', phone: '+33698765432' } });
    expect(renamed.response.status).toBe(200);
    expect(renamed.data).toMatchObject({ firstName: 'Zoë', lastName: 'Martin', phone: '+33698765432' });

    const moved = await as(token).PATCH('/me', { body: { email: newEmail } });
    expect(moved.response.status).toBe(200);
    expect(moved.data).toMatchObject({ emailVerificationPending: true });
    // Cognito mails a code to the new address (the bridge sends it there, as Cognito does).
    expect(await codeSentTo(newEmail, seen)).toMatch(/^\d{6}$/);

    for (const forbidden of [{ status: 'suspended' }, { roles: ['dpo'] }, { firstName: 'Zoé', email_verified: true }]) {
      const refused = await call('PATCH', '/me', token, forbidden);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await refused.json()) as { detail: string; errors: { field: string; message: string }[] };
      expect(problem.errors).toContainEqual({ field: '(root)', message: 'unknown property' });
      // The problem names no key the caller sent: a key is input like any other.
      const said = JSON.stringify([problem.detail, problem.errors]);
      for (const key of Object.keys(forbidden)) expect(said).not.toContain(key);
    }
    expect(await accountItem(accountId)).toMatchObject({ status: 'active', type: 'client' });
    const bad = await call('PATCH', '/me', token, { phone: '06 12' });
    expect(bad.status).toBe(400);
  });

  it('DELETE /me: 6 months of retention, no more sign-in, 410 on /me', async () => {
    const res = await as(token).DELETE('/me');
    expect(res.response.status).toBe(202);
    const deletion = res.data!;
    requestedAt = new Date(deletion.requestedAt);
    expect(deletion.status).toBe('deletion-requested');
    const sixMonths = Math.floor(addPeriod(requestedAt, { months: 6 }).getTime() / 1000);
    expect(Date.parse(deletion.dataKeptUntil)).toBe(sixMonths * 1000);

    const item = await accountItem(accountId);
    expect(item).toMatchObject({
      entity: 'deleted-account',
      status: 'deletion-requested',
      retentionPurpose: 'account-deletion',
    });
    expect(item?.expiresAt).toBe(sixMonths);

    // The token is revoked: a repeat is refused (the instance that revoked it knows at once, the
    // others never let this account in). A repeat after a failed call is test/unit/accounts.test.ts's.
    const again = await call('DELETE', '/me', token);
    expect(again.status).toBe(410);
    expect(await accountItem(accountId)).toMatchObject({ expiresAt: sixMonths });

    expect((await cognitoUser(accountId))?.Enabled).toBe(false);
    // cognito-local applies an email change at once (Cognito, with keepOriginal, after the code).
    const refused = await signIn(newEmail).catch((error: Error) => error);
    expect((refused as Error).name).toBe('NotAuthorizedException');
    expect((refused as Error).message).toBe('User is disabled.');

    expect((await call('GET', '/me', token)).status).toBe(410);
    expect((await call('PATCH', '/me', token, { firstName: 'X' })).status).toBe(410);
  });

  it('the purge 6 months and a day later leaves nothing of the account, Cognito user included', async () => {
    expect((await itemsOf(accountId)).length).toBeGreaterThan(0);
    const clock = manualClock(addPeriod(requestedAt, { months: 6, days: 1 }));
    // The purge's own store, scoped to this test's subject: other tests' data in the shared
    // tables is left alone (and no checkpoint is saved into the future).
    const subjectKey = subjectKeyForAccount(accountId);
    const real = dynamoRetentionTables({ client: db, tableNames });
    const scoped: RetentionTables = {
      queryDue: async (...args) => {
        const page = await real.queryDue(...args);
        return { ...page, entries: page.entries.filter((entry) => entry.subjectKey === subjectKey) };
      },
      deleteIfDue: (...args) => real.deleteIfDue(...args),
      partition: (...args) => real.partition(...args),
      deleteOwned: (...args) => real.deleteOwned(...args),
    };
    const report = await purgeExpiredItems({
      store: scoped,
      checkpoints: memoryCheckpoints(),
      holds: dynamoLegalHolds({ client: db, tableName: tableNames.retention }),
      events: recordingPublisher(),
      clock,
      entities,
      tables: Object.keys(tableNames) as TableName[],
      options: { startDay: requestedAt.toISOString().slice(0, 10) },
    });
    expect(report.complete).toBe(true);
    expect(report.deletedByPurpose['account-deletion']).toBe(1);

    expect(await accountItem(accountId)).toBeUndefined();
    const user = await eventually(
      () => cognitoUser(accountId),
      (u) => u === undefined,
    );
    expect(user).toBeUndefined();
    expect(await itemsOf(accountId)).toEqual([]);
  });

  it('logged the activity and the Cognito removal by identifiers only, no personal data', () => {
    const logs = readFileSync(cloud.logFile, 'utf8');
    // The signed-in calls reached the account clock (AccountActivityObserved → recordAccountActivity).
    expect(logs).toMatch(new RegExp(`"Account activity recorded".*"accountId":"${accountId}"`));
    expect(logs).toMatch(
      new RegExp(`"Cognito user of a removed account".*"accountId":"${accountId}".*"outcome":"deleted"`),
    );
    for (const personal of [email, newEmail, 'Zoé', 'Zoë', '+33612345678', '+33698765432']) {
      expect(logs).not.toContain(personal);
    }
  });
});
