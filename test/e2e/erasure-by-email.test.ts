/**
 * The DPO's erasure of a person named by their email address, over HTTP against the local cloud
 * (GDPR issue 15): a client who signed up, booked an appointment, wrote to a practitioner and
 * sent the contact form with the same address is erased by email. The erasure resolves the
 * account of the address in Cognito and erases both subjects, the address's and the account's:
 * afterwards no table holds an item of either, nor any item naming the account id, and Cognito
 * has no user with the address. Another person's data is untouched. Under a legal hold on the
 * account, the account's items and its Cognito user stay.
 */
import { AdminGetUserCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErasureResult } from '#functions/retention/contract.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { apiClient } from '../support/api.ts';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { localDocumentClient, scanAll, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.123';
const cognito = localCognitoClient(cloud.urls.cognito);
const db = localDocumentClient(cloud.urls.dynamodb);
const tableNames = tableNamesFrom(cloud.env);
afterAll(() => {
  cognito.destroy();
  db.destroy();
});

/**
 * The retention table's accountability records of the erasure itself: the erasure log (each
 * erased key with its subject, kept 35 days so a replay after a restore erases again) and the
 * audit entries (who erased which subject, kept 5 years). They name the subject by design (ADR
 * 0006) and are never erased by an erasure.
 */
const accountability = new Set(['erasure-log-entry', 'retention-audit-entry']);

let dpo: Person;
let practitioner: Person;
let agenda: OpenAgenda;
let slots: { start: string }[] = [];

beforeAll(async () => {
  [dpo, practitioner] = await Promise.all([signedInPerson(cloud, 'dpo'), signedInPerson(cloud, 'practitioner')]);
  agenda = await openAgenda(cloud, IP, practitioner);
  slots = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(6));
}, 60_000);

/** A client with an appointment, a conversation with a message, and a contact request from the same address. */
async function clientWithData(slot: string): Promise<Person & { appointmentId: string; contactId: string }> {
  const person = await signedInPerson(cloud, 'client');
  const booked = await book(cloud, IP, person, agenda, slot);
  expect(booked.status).toBe(201);
  const opened = await callAs(cloud, IP, person, 'POST', '/conversations', { practitionerId: practitioner.accountId });
  expect(opened.status).toBe(201);
  const { id: conversationId } = JSON.parse(opened.body) as { id: string };
  const sent = await callAs(cloud, IP, person, 'POST', `/conversations/${conversationId}/messages`, {
    text: 'Bonjour, une question sur la séance.',
  });
  expect(sent.status).toBe(201);
  const contact = await apiClient(cloud, IP).POST('/contact', {
    body: { name: 'Personne Effacée', email: person.email, subject: 'Effacement', message: 'Effacez mes données.' },
  });
  expect(contact.response.status).toBe(202);
  return { ...person, appointmentId: (JSON.parse(booked.body) as { id: string }).id, contactId: contact.data!.id };
}

/** Every item of every table keyed by the person's subjects, or naming their account id (a Scan: tests only). */
async function itemsOf(person: Person) {
  const subjectKeys = new Set<string>([subjectKeyForAccount(person.accountId), subjectKeyForEmail(person.email)]);
  const found: { table: TableName; entity: unknown; pk: unknown; sk: unknown }[] = [];
  for (const table of Object.keys(tables) as TableName[]) {
    for (const item of await scanAll(db, tableNames[table])) {
      if (table === 'retention' && accountability.has(item.entity as string)) continue;
      const names = subjectKeys.has(item.subjectKey as string) || JSON.stringify(item).includes(person.accountId);
      if (names) found.push({ table, entity: item.entity, pk: item.pk, sk: item.sk });
    }
  }
  return found;
}

/** The Cognito users with this address (ListUsers, as the erasure asks). */
async function usersWithEmail(email: string) {
  const { Users = [] } = await cognito.send(
    new ListUsersCommand({ UserPoolId: cloud.cognito.userPoolId, Filter: `email = "${email}"` }),
  );
  return Users;
}

async function cognitoUser(accountId: string) {
  try {
    return await cognito.send(new AdminGetUserCommand({ UserPoolId: cloud.cognito.userPoolId, Username: accountId }));
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}

/** Polls until `check` passes: stream consumers and events run after the answer. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The DPO erases by email; the answer read with the contract's schema (it names every subject erased). */
async function erase(email: string) {
  const { data, response } = await apiClient(cloud, IP, dpo).POST('/privacy/erasures', {
    body: { subject: { email }, channel: 'email', requestReference: `DPO-${Date.now()}` },
  });
  expect(response.status).toBe(200);
  return ErasureResult.parse(data);
}

describe('the DPO’s erasure of a person by email', () => {
  it('erases the address’s items, the account of the address with all its data, and its Cognito user', {
    timeout: 120_000,
  }, async () => {
    const [person, bystander] = await Promise.all([clientWithData(slots[0]!.start), clientWithData(slots[1]!.start)]);
    expect(await itemsOf(person)).not.toEqual([]);
    const bystanderBefore = await itemsOf(bystander);

    const result = await erase(person.email);
    expect(result.subjects).toEqual([
      expect.objectContaining({ subjectKey: subjectKeyForEmail(person.email), erasureId: result.erasureId }),
      expect.objectContaining({ subjectKey: subjectKeyForAccount(person.accountId), cognitoUser: 'deleted' }),
    ]);
    expect(result.subjects[0]!.itemsErased).toBeGreaterThanOrEqual(1);
    expect(result.subjects[1]!.itemsErased).toBeGreaterThanOrEqual(2);
    expect(result.itemsUnderHold).toBe(0);

    // Nothing of the person is left in any table, once the stream consumers and events have run.
    expect(
      await eventually(
        () => itemsOf(person),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    expect(await usersWithEmail(person.email)).toEqual([]);
    expect(await cognitoUser(person.accountId)).toBeUndefined();
    expect((await callAs(cloud, IP, practitioner, 'GET', `/bookings/${person.appointmentId}`)).status).toBe(404);

    // The other client keeps everything: their items, their appointment, their Cognito user.
    const bystanderAfter = await itemsOf(bystander);
    for (const item of bystanderBefore) expect(bystanderAfter).toContainEqual(item);
    expect((await callAs(cloud, IP, bystander, 'GET', `/bookings/${bystander.appointmentId}`)).status).toBe(200);
    expect(await cognitoUser(bystander.accountId)).toBeDefined();
    expect((await usersWithEmail(bystander.email)).length).toBe(1);
    // Nothing came back meanwhile (a late event or stream record writing for the erased person).
    expect(await itemsOf(person)).toEqual([]);
  });

  it('an address nobody signed up with: its items alone, as before', async () => {
    const email = `nobody.${Date.now()}@example.test`;
    const contact = await apiClient(cloud, IP).POST('/contact', {
      body: { name: 'Sans Compte', email, subject: 'Effacement', message: 'Effacez mes données.' },
    });
    expect(contact.response.status).toBe(202);
    const result = await erase(email);
    expect(result).toMatchObject({ itemsErased: 1, itemsUnderHold: 0 });
    expect(result.subjects).toEqual([
      { subjectKey: subjectKeyForEmail(email), erasureId: result.erasureId, itemsErased: 1, itemsUnderHold: 0 },
    ]);
  });

  it('keeps the account’s items and its Cognito user under a legal hold on the account', {
    timeout: 120_000,
  }, async () => {
    const person = await clientWithData(slots[2]!.start);
    const placed = await apiClient(cloud, IP, dpo).POST('/privacy/legal-holds', {
      body: {
        subject: { accountId: person.accountId },
        reason: 'litigation',
        authority: 'Tribunal judiciaire de Lyon',
        reference: `RG ${Date.now()}`,
      },
    });
    expect(placed.response.status).toBe(201);
    const hold = placed.data!;
    const accountKey = subjectKeyForAccount(person.accountId);
    const held = (await itemsOf(person)).filter((item) => item.table !== 'contact');

    const result = await erase(person.email);
    // The hold covers the account's subject key: the address's contact request goes (a hold on
    // the address would keep it: a person known by both is two keys, ADR 0006).
    expect(result.subjects).toEqual([
      expect.objectContaining({ subjectKey: subjectKeyForEmail(person.email), itemsErased: 1, itemsUnderHold: 0 }),
      expect.objectContaining({ subjectKey: accountKey, itemsErased: 0, cognitoUser: 'kept-under-hold' }),
    ]);
    expect(result.subjects[1]!.itemsUnderHold).toBeGreaterThanOrEqual(2);
    expect(result.message).toContain(hold.id);

    const left = await itemsOf(person);
    expect(left.some((item) => item.table === 'contact')).toBe(false);
    expect(held.map((item) => item.table)).toEqual(expect.arrayContaining(['accounts', 'bookings', 'messaging']));
    for (const item of held) expect(left, `${item.table} ${String(item.pk)} ${String(item.sk)}`).toContainEqual(item);
    expect((await callAs(cloud, IP, person, 'GET', `/bookings/${person.appointmentId}`)).status).toBe(200);
    expect(await cognitoUser(person.accountId)).toBeDefined();
    expect((await usersWithEmail(person.email)).length).toBe(1);

    const lifted = await apiClient(cloud, IP, dpo).POST('/privacy/legal-holds/{holdId}/lift', {
      params: { path: { holdId: hold.id } },
    });
    expect(lifted.response.status).toBe(200);
  });
});
