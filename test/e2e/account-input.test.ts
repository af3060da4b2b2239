/**
 * Two input checks over HTTP against the local cloud, with real Cognito emulator tokens:
 * - `PATCH /me` with an email address another account uses answers 409, as the README promises,
 *   in any case of letters, without naming the address or its owner, and changes nothing in
 *   Cognito (the emulator does not refuse a duplicate address as Cognito does: the directory asks
 *   Cognito first, in both);
 * - a DPO legal hold names an account by its Cognito sub (a UUID, else a 400 naming the field),
 *   and an account no item of any table names is refused (422) and held nowhere; an account that
 *   exists is held.
 */
import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localCognitoClient } from '#local/services/cognito.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
const cognito = localCognitoClient(cloud.urls.cognito);
afterAll(() => cognito.destroy());

function call(method: string, path: string, token: string, body?: unknown) {
  return fetch(`${cloud.urls.api}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const emailOf = async (accountId: string) =>
  (
    await cognito.send(new AdminGetUserCommand({ UserPoolId: cloud.cognito.userPoolId, Username: accountId }))
  ).UserAttributes?.find((a) => a.Name === 'email')?.Value;

let zoe: Person;
let max: Person;
let dpo: Person;
beforeAll(async () => {
  zoe = await signedInPerson(cloud, 'client');
  max = await signedInPerson(cloud, 'client');
  dpo = await signedInPerson(cloud, 'dpo');
}, 60_000);

describe('PATCH /me with another account’s email', () => {
  it('answers 409 without naming the address or its owner, in any case, and changes nothing', async () => {
    for (const email of [max.email, max.email.toUpperCase()]) {
      const res = await call('PATCH', '/me', zoe.idToken, { email });
      expect(res.status, email).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const said = await res.text();
      expect(said).toContain('Email unavailable');
      for (const secret of [max.email, max.email.split('@')[0]!, max.accountId]) expect(said).not.toContain(secret);
    }
    expect(await emailOf(zoe.accountId)).toBe(zoe.email);
    expect(await emailOf(max.accountId)).toBe(max.email);
  });

  it('still changes the email to an address nobody uses', async () => {
    const email = `zoe.new.${randomUUID().slice(0, 8)}@example.test`;
    const res = await call('PATCH', '/me', zoe.idToken, { email });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ emailVerificationPending: true });
  });
});

describe('a DPO legal hold on an account', () => {
  const hold = (accountId: string) => ({
    subject: { accountId },
    reason: 'litigation',
    authority: 'Tribunal judiciaire de Toulon',
    reference: `RG ${randomUUID().slice(0, 6)}`,
  });

  it('takes a Cognito sub only: anything else is a 400 naming the field, not the value', async () => {
    for (const accountId of ['zoe@example.test', 'acc_123', `${randomUUID()}x`, '']) {
      const res = await call('POST', '/privacy/legal-holds', dpo.idToken, hold(accountId));
      expect(res.status, accountId).toBe(400);
      const said = await res.text();
      expect(said).toContain('subject');
      if (accountId) expect(said).not.toContain(accountId);
    }
  });

  it('refuses an account nothing names (422), and holds nothing', async () => {
    const unknown = randomUUID();
    const res = await call('POST', '/privacy/legal-holds', dpo.idToken, hold(unknown));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { title: string };
    expect(problem.title).toBe('Unknown account');
    expect(JSON.stringify(problem)).not.toContain(unknown);
    const listed = (await (await call('GET', '/privacy/legal-holds', dpo.idToken)).json()) as {
      items: { subjectKey: string }[];
    };
    expect(listed.items.some((h) => h.subjectKey === subjectKeyForAccount(unknown))).toBe(false);
  });

  it('holds an account that exists, then lifts the hold', async () => {
    const res = await call('POST', '/privacy/legal-holds', dpo.idToken, hold(max.accountId));
    expect(res.status).toBe(201);
    const placed = (await res.json()) as { id: string; subjectKey: string; itemsHeld: number };
    expect(placed.subjectKey).toBe(subjectKeyForAccount(max.accountId));
    expect(placed.itemsHeld).toBeGreaterThanOrEqual(1); // the account item at least
    expect((await call('POST', `/privacy/legal-holds/${placed.id}/lift`, dpo.idToken)).status).toBe(200);
  });
});
