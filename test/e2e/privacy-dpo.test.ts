/**
 * The DPO's journey over HTTP against the local cloud, with real ID tokens from the Cognito
 * emulator: a legal hold on a person who wrote through the contact form, an erasure refused while
 * the hold stands, the lift, the erasure, the replay after a simulated restore
 * (`npm run replay-erasures`), and the register of processing. Other roles get 403, no token 401,
 * bad input 400 naming the fields.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RegisterOfProcessing } from '#functions/retention/contract.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { retentionPurposes } from '#shared/retention/catalogue.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { apiClient, fetchApi } from '../support/api.ts';
import { localDocumentClient } from '../support/dynamo.ts';
import { signUpAttributesFor } from '../support/identity.ts';

const cloud = inject('cloud');
const IP = '127.0.0.1';
const cognito = localCognitoClient(cloud.urls.cognito);
const db = localDocumentClient(cloud.urls.dynamodb);
const contactTable = cloud.env.TABLE_CONTACT!;
const root = join(import.meta.dirname, '..', '..');
afterAll(() => {
  cognito.destroy();
  db.destroy();
});

async function idToken(group?: 'dpo' | 'client'): Promise<string> {
  const email = `${group ?? 'nobody'}.${randomUUID().slice(0, 8)}@example.test`;
  const password = 'Correct-Horse-9-Battery';
  await cognito.send(
    new SignUpCommand({
      ClientId: cloud.cognito.clientId,
      Username: email,
      Password: password,
      UserAttributes: signUpAttributesFor(cloud, email),
    }),
  );
  await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: cloud.cognito.userPoolId, Username: email }));
  if (group) {
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: cloud.cognito.userPoolId, Username: email, GroupName: group }),
    );
  }
  const auth = await cognito.send(
    new InitiateAuthCommand({
      ClientId: cloud.cognito.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return auth.AuthenticationResult!.IdToken!;
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** The typed client, signed in with `token`; every answer validated against the document. */
const as = (token: string) => apiClient(cloud, IP, { idToken: token });

/** A raw call, for every route alike or for bad input: its answer validated alike. */
function call(method: string, path: string, token?: string, body?: unknown) {
  return fetchApi(cloud, IP, method, path, {
    ...(token ? { token } : {}),
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

const contactItem = async (id: string) =>
  (await db.send(new GetCommand({ TableName: contactTable, Key: { pk: `CONTACT#${id}`, sk: 'REQUEST' } }))).Item;

let dpo = '';
let client = '';
beforeAll(async () => {
  [dpo, client] = await Promise.all([idToken('dpo'), idToken('client')]);
});

describe('privacy operations of the DPO', () => {
  const email = `dpo-e2e.${randomUUID().slice(0, 8)}@example.test`;
  const holdBody = {
    subject: { email },
    reason: 'authority-request' as const,
    authority: 'Tribunal judiciaire de Toulon',
    reference: 'RG 26/00042',
  };

  it('gets the dpo group into the ID token from the Cognito emulator', () => {
    expect(claimsOf(dpo)['cognito:groups']).toContain('dpo');
    expect(claimsOf(client)['cognito:groups']).toEqual(['client']);
  });

  it('holds, refuses the erasure while held, lifts, erases, and replays the erasure after a restore', async () => {
    const sent = await apiClient(cloud, IP).POST('/contact', {
      body: { name: 'Personne Concernée', email, subject: 'Demande', message: 'Bonjour, voici ma demande.' },
    });
    expect(sent.response.status).toBe(202);
    const { id } = sent.data!;
    const original = await contactItem(id);
    expect(original?.expiresAt).toEqual(expect.any(Number));

    // Place the hold: the item gives up its expiry.
    const placed = await as(dpo).POST('/privacy/legal-holds', { body: holdBody });
    expect(placed.response.status).toBe(201);
    const hold = placed.data!;
    expect(hold).toMatchObject({ status: 'active', itemsHeld: 1, subjectKey: subjectKeyForEmail(email) });
    const held = await contactItem(id);
    expect(held?.expiresAt).toBeUndefined();
    expect(held?.expiryDay).toBeUndefined();
    expect(held?.heldExpiresAt).toBe(original?.expiresAt);

    const listed = await as(dpo).GET('/privacy/legal-holds');
    expect(listed.response.status).toBe(200);
    const { items } = listed.data!;
    expect(items.find((h) => h.id === hold.id)).toMatchObject({ status: 'active' });

    // Erasure while held: nothing goes, and the answer says the hold prevails.
    const erasure = { subject: { email }, channel: 'email' as const, requestReference: 'courrier 2026-11-26' };
    const refused = await as(dpo).POST('/privacy/erasures', { body: erasure });
    expect(refused.response.status).toBe(200);
    const refusedBody = refused.data!;
    expect(refusedBody).toMatchObject({ itemsErased: 0, itemsUnderHold: 1 });
    expect(refusedBody.message).toContain(hold.id);
    expect(await contactItem(id)).toBeDefined();

    // Lift: the original expiry is back.
    const lift = () => as(dpo).POST('/privacy/legal-holds/{holdId}/lift', { params: { path: { holdId: hold.id } } });
    const lifted = await lift();
    expect(lifted.response.status).toBe(200);
    expect(lifted.data).toMatchObject({ id: hold.id, status: 'lifted', itemsReleased: 1 });
    const released = await contactItem(id);
    expect(released?.expiresAt).toBe(original?.expiresAt);
    expect(released?.heldExpiresAt).toBeUndefined();
    expect((await lift()).response.status).toBe(409);

    // Erase: gone.
    const erasedAt = new Date(Date.now() - 1000).toISOString();
    const erased = await as(dpo).POST('/privacy/erasures', { body: erasure });
    expect(erased.response.status).toBe(200);
    expect(erased.data).toMatchObject({ itemsErased: 1, itemsUnderHold: 0 });
    expect(await contactItem(id)).toBeUndefined();

    // A point-in-time restore brings it back; `npm run replay-erasures` makes it gone again.
    await db.send(new PutCommand({ TableName: contactTable, Item: released! }));
    expect(await contactItem(id)).toBeDefined();
    const replay = await promisify(execFile)(process.execPath, ['local/replay-erasures-cli.ts', '--since', erasedAt], {
      cwd: root,
      env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: cloud.urls.dynamodb },
    });
    expect(replay.stdout).toMatch(/items deleted again\s+1\b/);
    expect(await contactItem(id)).toBeUndefined();
  });

  it('refuses a replay without a valid date', async () => {
    const failed = await promisify(execFile)(
      process.execPath,
      ['local/replay-erasures-cli.ts', '--since', 'yesterday'],
      {
        cwd: root,
        env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: cloud.urls.dynamodb },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('since');
  });

  it('serves the register of processing to the DPO', async () => {
    const res = await as(dpo).GET('/privacy/register');
    expect(res.response.status).toBe(200);
    const register = RegisterOfProcessing.parse(res.data);
    expect(register.purposes.map((p) => p.id)).toEqual(retentionPurposes);
    expect(register.backups.pointInTimeRecoveryDays).toBeGreaterThan(0);
  });

  it('answers 403 to other roles and 401 without a token, on every privacy route', async () => {
    const routes: [string, string, unknown?][] = [
      ['POST', '/privacy/legal-holds', holdBody],
      ['GET', '/privacy/legal-holds'],
      ['POST', `/privacy/legal-holds/hold_${'0'.repeat(32)}/lift`],
      ['POST', '/privacy/erasures', { subject: { email }, channel: 'account', requestReference: 'x' }],
      ['GET', '/privacy/register'],
    ];
    for (const [method, path, body] of routes) {
      const forbidden = await call(method, path, client, body);
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect(forbidden.headers.get('content-type')).toBe('application/problem+json');
      expect((await call(method, path, undefined, body)).status, `${method} ${path}`).toBe(401);
    }
  });

  it('refuses bad input with a 400 naming the fields, and unknown holds with a 404', async () => {
    const bad = await call('POST', '/privacy/legal-holds', dpo, {
      subject: { email: 'pas-un-email' },
      reason: 'curiosity',
      authority: '',
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { field: string }[] };
    const fields = problem.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['reason', 'authority', 'reference']));
    expect(fields.some((f) => f.startsWith('subject'))).toBe(true);
    expect(JSON.stringify(problem)).not.toContain('pas-un-email');

    const badErasure = await call('POST', '/privacy/erasures', dpo, { subject: {}, channel: 'fax' });
    expect(badErasure.status).toBe(400);
    const erasureFields = ((await badErasure.json()) as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(erasureFields).toEqual(expect.arrayContaining(['channel', 'requestReference']));

    const badId = await call('POST', '/privacy/legal-holds/not-a-hold/lift', dpo);
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'path.holdId',
    ]);
    expect((await call('POST', `/privacy/legal-holds/hold_${'0'.repeat(32)}/lift`, dpo)).status).toBe(404);
  });

  it('logs no personal data of the person held and erased', () => {
    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain('/privacy/legal-holds');
    for (const value of [email, 'Personne Concernée', 'Tribunal judiciaire']) expect(log).not.toContain(value);
  });
});
