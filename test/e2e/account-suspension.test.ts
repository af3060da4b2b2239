/**
 * Staff suspension over HTTP against the local cloud, with real Cognito emulator tokens: a support
 * person suspends a client (the account item says so, the audit entry names the support person by
 * id and holds no email, the revocation is in the security table, AccountSuspended goes on the
 * bus); the client can no longer sign in nor refresh, and the token they hold is refused on /me
 * (403, at once: no instance had let them in) while another client's, let in just before its own
 * suspension, is refused within the guard's 30 s; a second suspension is a 409; a moderator
 * reinstates the account: the revocation is gone, the old token works again, the client signs in
 * again, and the refresh token of before the suspension stays revoked (global sign-out). Clients
 * get 403, no token 401, an unknown account 404. Every route: test/e2e/authorization-matrix.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { staffActionsKey } from '#functions/accounts/adapters/account-store.ts';
import type { AccountStatusChange, Me } from '#functions/accounts/contract.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { ADMISSION_CACHE_SECONDS, REFUSAL_CACHE_SECONDS } from '#shared/security/revocations.ts';
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

const revocationOf = async (accountId: string) =>
  (
    await db.send(
      new GetCommand({
        TableName: tableNames.security,
        Key: { pk: `REVOKED#${accountId}`, sk: 'REVOKED' },
        ConsistentRead: true,
      }),
    )
  ).Item;

const refresh = (refreshToken: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: cloud.cognito.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );

/** Calls until the answer has `status`, at most `seconds`; the answer and the time it took. */
async function until(status: number, seconds: number, send: () => Promise<Response>) {
  const started = Date.now();
  let reply = await send();
  while (reply.status !== status && Date.now() - started < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    reply = await send();
  }
  return { reply, seconds: (Date.now() - started) / 1000 };
}

const enabled = async (accountId: string) =>
  (await cognito.send(new AdminGetUserCommand({ UserPoolId: cloud.cognito.userPoolId, Username: accountId }))).Enabled;

describe('staff suspension of an account', () => {
  let support: Person;
  let moderator: Person;
  let client: Person;
  /** The client's refresh token, from a sign-in before the suspension. */
  let refreshToken: string;
  const suspend = (accountId: string) => `/staff/accounts/${accountId}/suspend`;
  const reinstate = (accountId: string) => `/staff/accounts/${accountId}/reinstate`;

  beforeAll(async () => {
    support = await signedInPerson(cloud, 'support');
    moderator = await signedInPerson(cloud, 'moderator');
    client = await signedInPerson(cloud, 'client');
    refreshToken = (await signIn(client.email)).AuthenticationResult?.RefreshToken as string;
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

  it('suspends the client: status, audit entry by the support person’s id, revocation, Cognito user disabled', async () => {
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

    const revocation = await revocationOf(client.accountId);
    expect(revocation).toMatchObject({
      entity: 'account-revocation',
      accountId: client.accountId,
      reason: 'suspended',
      at: change.at,
      subjectKey: subjectKeyForAccount(client.accountId),
      retentionPurpose: 'fraud-prevention',
      expiresAt: epochSeconds(addPeriod(new Date(change.at), { days: 30 })),
    });
    expect(JSON.stringify(revocation)).not.toMatch(/@|Test|Person|Repeated/); // no email, name or reason
  });

  it('refuses the suspended client’s sign-in, and their refresh token', async () => {
    for (const attempt of [() => signIn(client.email), () => refresh(refreshToken)]) {
      const refused = await attempt().catch((error: Error) => error);
      expect((refused as Error).name).toBe('NotAuthorizedException');
      expect((refused as Error).message).toBe('User is disabled.');
    }
  });

  it('refuses the token the client still holds, at once: 403 Account suspended, naming no one', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { firstName: 'Other' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, '/me', client.idToken, body);
      expect(res.status, method).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await res.json()) as { title: string };
      expect(problem.title).toBe('Account suspended');
      expect(JSON.stringify(problem)).not.toContain(client.accountId);
    }
    expect(await accountItem(client.accountId)).toMatchObject({ entity: 'account', status: 'suspended' });
  });

  it('refuses within 30 s the token of a client an instance let in just before the suspension', {
    timeout: 120_000,
  }, async () => {
    const warm = await signedInPerson(cloud, 'client');
    expect((await call('GET', '/me', warm.idToken)).status).toBe(200); // the getMe instance lets them in, and keeps it 30 s
    const suspended = await call('POST', suspend(warm.accountId), support.idToken, { reason });
    expect(suspended.status).toBe(200);
    const { reply, seconds } = await until(403, ADMISSION_CACHE_SECONDS + 30, () => call('GET', '/me', warm.idToken));
    expect(reply.status).toBe(403);
    expect(seconds).toBeLessThanOrEqual(ADMISSION_CACHE_SECONDS + 5);
  });

  it('answers 409 to a second suspension, and writes no second audit entry', async () => {
    const again = await call('POST', suspend(client.accountId), moderator.idToken, { reason });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(await auditOf(client.accountId)).toHaveLength(1);
  });

  it('reinstates the account: the revocation is gone, the old token works again, the client signs in again', async () => {
    const res = await call('POST', reinstate(client.accountId), moderator.idToken, { reason: 'Appeal upheld' });
    expect(res.status).toBe(200);
    const change = (await res.json()) as AccountStatusChange;
    expect(change).toMatchObject({ accountId: client.accountId, status: 'active' });

    expect(await accountItem(client.accountId)).toMatchObject({ status: 'active' });
    expect(await enabled(client.accountId)).toBe(true);
    expect(await revocationOf(client.accountId)).toBeUndefined();
    // An instance that refused the token keeps the refusal 5 s at most.
    const again = await until(200, REFUSAL_CACHE_SECONDS + 10, () => call('GET', '/me', client.idToken));
    expect(again.reply.status).toBe(200);
    expect(again.seconds).toBeLessThanOrEqual(REFUSAL_CACHE_SECONDS + 5);
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

    // The suspension signed the user out everywhere: the refresh token of before stays dead.
    const stale = await refresh(refreshToken).catch((error: Error) => error);
    expect((stale as Error).name).toBe('NotAuthorizedException');
    expect((stale as Error).message).toBe('Refresh Token has been revoked');
    const fresh = await refresh(auth.AuthenticationResult?.RefreshToken as string);
    expect(fresh.AuthenticationResult?.IdToken).toBeTruthy();

    expect((await call('POST', reinstate(client.accountId), support.idToken, { reason })).status).toBe(409);
  });

  it('gives a live refresh token to a sign-in right after a global sign-out, even in the same second', async () => {
    const person = await signedInPerson(cloud, 'client');
    const before = (await signIn(person.email)).AuthenticationResult?.RefreshToken as string;
    for (let round = 0; round < 3; round += 1) {
      await cognito.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: cloud.cognito.userPoolId, Username: person.accountId }),
      );
      const after = (await signIn(person.email)).AuthenticationResult?.RefreshToken as string;
      expect((await refresh(after)).AuthenticationResult?.IdToken).toBeTruthy();
    }
    await expect(refresh(before)).rejects.toThrow('Refresh Token has been revoked');
  });

  it('announced both actions on the bus and logged no personal data', () => {
    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain('detail-type=AccountSuspended');
    expect(log).toContain('detail-type=AccountReinstated');
    for (const value of [client.email, support.email, moderator.email, reason]) expect(log).not.toContain(value);
  });
});
