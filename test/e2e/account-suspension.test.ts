/**
 * Staff suspension over HTTP against the local cloud, with real Cognito emulator tokens: a support
 * person suspends a client (the account item says so, the audit entry names the support person by
 * id and holds no email, AccountSuspended goes on the bus), the client can no longer sign in but
 * still reads /me with the token they hold, a second suspension is a 409; a moderator reinstates
 * the account and the client signs in again. Clients get 403, no token 401, an unknown account 404.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AdminGetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { staffActionsKey } from '#functions/accounts/adapters/account-store.ts';
import type { AccountStatusChange, Me } from '#functions/accounts/contract.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
const cognito = localCognitoClient(cloud.urls.cognito);
const db = localDocumentClient(cloud.urls.dynamodb);
const tableNames = tableNamesFrom(cloud.env);
afterAll(() => {
  cognito.destroy();
  db.destroy();
});

/** The password test/support/identity.ts signs people up with. */
const PASSWORD = 'Correct-Horse-9-Battery';
const reason = `Repeated abusive messages to practitioners (e2e ${randomUUID().slice(0, 8)})`;

function call(method: string, path: string, token?: string, body?: unknown) {
  return fetch(`${cloud.urls.api}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const signIn = (email: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: cloud.cognito.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );

const accountItem = async (accountId: string) =>
  (
    await db.send(
      new GetCommand({
        TableName: tableNames.accounts,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' },
        ConsistentRead: true,
      }),
    )
  ).Item;

const auditOf = async (accountId: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: tableNames.accounts,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': staffActionsKey(accountId) },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

const enabled = async (accountId: string) =>
  (await cognito.send(new AdminGetUserCommand({ UserPoolId: cloud.cognito.userPoolId, Username: accountId }))).Enabled;

describe('staff suspension of an account', () => {
  let support: Person;
  let moderator: Person;
  let client: Person;
  const suspend = (accountId: string) => `/staff/accounts/${accountId}/suspend`;
  const reinstate = (accountId: string) => `/staff/accounts/${accountId}/reinstate`;

  beforeAll(async () => {
    support = await signedInPerson(cloud, 'support');
    moderator = await signedInPerson(cloud, 'moderator');
    client = await signedInPerson(cloud, 'client');
  }, 60_000);

  it('refuses a client (403) and a caller without a token (401), and checks the id and the body', async () => {
    for (const [token, status] of [
      [client.idToken, 403],
      [undefined, 401],
    ] as const) {
      expect((await call('POST', suspend(client.accountId), token, { reason })).status).toBe(status);
      expect((await call('POST', reinstate(client.accountId), token, { reason })).status).toBe(status);
    }
    expect((await call('POST', suspend('zoe@example.test'), support.idToken, { reason })).status).toBe(400);
    const noReason = await call('POST', suspend(client.accountId), support.idToken, { status: 'suspended' });
    expect(noReason.status).toBe(400);
    expect(await accountItem(client.accountId)).toMatchObject({ status: 'active' });
    expect(await auditOf(client.accountId)).toEqual([]);
  });

  it('answers 404 for an unknown account', async () => {
    const unknown = randomUUID();
    expect((await call('POST', suspend(unknown), support.idToken, { reason })).status).toBe(404);
    expect((await call('POST', reinstate(unknown), moderator.idToken, { reason })).status).toBe(404);
  });

  it('suspends the client: status, audit entry by the support person’s id, Cognito user disabled', async () => {
    const res = await call('POST', suspend(client.accountId), support.idToken, { reason, reference: 'REP-4512' });
    expect(res.status).toBe(200);
    const change = (await res.json()) as AccountStatusChange;
    expect(change).toMatchObject({ accountId: client.accountId, status: 'suspended' });

    expect(await accountItem(client.accountId)).toMatchObject({ entity: 'account', status: 'suspended' });
    const audit = await auditOf(client.accountId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entity: 'account-staff-action',
      actionId: change.actionId,
      action: 'account-suspended',
      accountId: client.accountId,
      actor: support.accountId,
      reason,
      reference: 'REP-4512',
      at: change.at,
      subjectKey: subjectKeyForAccount(client.accountId),
      retentionPurpose: 'retention-audit',
    });
    const fiveYears = new Date(change.at);
    fiveYears.setUTCFullYear(fiveYears.getUTCFullYear() + 5);
    expect(audit[0]?.expiresAt).toBe(Math.floor(fiveYears.getTime() / 1000));
    const stored = JSON.stringify(audit[0]);
    for (const email of [client.email, support.email]) expect(stored).not.toContain(email);
    expect(stored).not.toMatch(/@|Test|Person/); // no email, no name (signedInPerson names everyone Test Person)

    expect(await enabled(client.accountId)).toBe(false);
  });

  it('refuses the suspended client’s sign-in', async () => {
    const refused = await signIn(client.email).catch((error: Error) => error);
    expect((refused as Error).name).toBe('NotAuthorizedException');
    expect((refused as Error).message).toBe('User is disabled.');
  });

  it('lets the token the client still holds read /me, which says suspended, but not change it', async () => {
    const me = await call('GET', '/me', client.idToken);
    expect(me.status).toBe(200);
    expect(((await me.json()) as Me).account?.status).toBe('suspended');
    expect((await call('PATCH', '/me', client.idToken, { firstName: 'Other' })).status).toBe(403);
  });

  it('answers 409 to a second suspension, and writes no second audit entry', async () => {
    const again = await call('POST', suspend(client.accountId), moderator.idToken, { reason });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(await auditOf(client.accountId)).toHaveLength(1);
  });

  it('reinstates the account: the client signs in again', async () => {
    const res = await call('POST', reinstate(client.accountId), moderator.idToken, { reason: 'Appeal upheld' });
    expect(res.status).toBe(200);
    const change = (await res.json()) as AccountStatusChange;
    expect(change).toMatchObject({ accountId: client.accountId, status: 'active' });

    expect(await accountItem(client.accountId)).toMatchObject({ status: 'active' });
    expect(await enabled(client.accountId)).toBe(true);
    const audit = await auditOf(client.accountId);
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['account-suspended', support.accountId],
      ['account-reinstated', moderator.accountId],
    ]);

    const auth = await signIn(client.email);
    const token = auth.AuthenticationResult?.IdToken as string;
    expect(token).toBeTruthy();
    const me = await call('GET', '/me', token);
    expect(((await me.json()) as Me).account?.status).toBe('active');

    expect((await call('POST', reinstate(client.accountId), support.idToken, { reason })).status).toBe(409);
  });

  it('announced both actions on the bus and logged no personal data', () => {
    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain('detail-type=AccountSuspended');
    expect(log).toContain('detail-type=AccountReinstated');
    for (const value of [client.email, support.email, moderator.email, reason]) expect(log).not.toContain(value);
  });
});
