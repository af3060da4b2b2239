/**
 * Post-mortem directives (Loi Informatique et Libertés art. 85; ADR 0018) over HTTP against the
 * local cloud: a person records, changes and revokes a directive; the DPO records a death
 * reported by an heir (the proof checked, never kept) and the plan runs:
 * - communicate (specific): the parts named go to the designated person, as a JSON attachment;
 * - erase: nothing of the account is left in any table (the proofs excepted) and no Cognito user;
 * - no directive: the heirs' rights apply, the same erasure;
 * - keep: the data stays, the account is closed.
 * Each death record says what was executed, and the deceased's account is closed.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { localDocumentClient, scanAll } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address.
const IP = '127.0.0.126';
const cognito = localCognitoClient(cloud.urls.cognito);
const db = localDocumentClient(cloud.urls.dynamodb);
afterAll(() => {
  cognito.destroy();
  db.destroy();
});

let dpo: Person;
let agenda: OpenAgenda;
let slots: { start: string }[] = [];
let next = 0;

beforeAll(async () => {
  const practitioner = await signedInPerson(cloud, 'practitioner');
  dpo = await signedInPerson(cloud, 'dpo');
  agenda = await openAgenda(cloud, IP, practitioner);
  slots = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(6));
}, 60_000);

/** A client with an appointment. */
async function clientWithAppointment(): Promise<Person> {
  const person = await signedInPerson(cloud, 'client');
  expect((await book(cloud, IP, person, agenda, slots[next++]!.start)).status).toBe(201);
  return person;
}

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());

interface Death {
  deathId: string;
  plan: string;
  outcome?: string;
  executedAt?: string;
}

async function recordDeath(person: Person): Promise<Death> {
  const reply = await callAs(cloud, IP, dpo, 'POST', '/privacy/deaths', {
    subject: { email: person.email },
    reportedBy: 'heir',
    dateOfDeath: today(),
    proofChecked: true,
  });
  expect(reply.status, reply.body).toBe(201);
  return JSON.parse(reply.body) as Death;
}

const executed = (person: Person) =>
  until('the directives executed', async () => {
    const death = JSON.parse(
      (await callAs(cloud, IP, dpo, 'GET', `/privacy/deaths/${person.accountId}`)).body,
    ) as Death;
    return death.executedAt ? death : undefined;
  });

async function cognitoUser(accountId: string) {
  try {
    return await cognito.send(new AdminGetUserCommand({ UserPoolId: cloud.cognito.userPoolId, Username: accountId }));
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}

/** Every item of every table under the account's subject key, by entity. */
async function itemsOf(accountId: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of Object.keys(tables) as TableName[]) {
    for (const item of await scanAll(db, cloud.env[tables[table].envVar]!)) {
      if (item.subjectKey === subjectKeyForAccount(accountId) || JSON.stringify(item).includes(accountId)) {
        found.push(String(item.entity));
      }
    }
  }
  return found.sort();
}

/**
 * What an erasure keeps of the person: the proofs of the rights handled and the revocation of
 * their tokens (`keptOnErasure` in the registry), and the retention table's own accountability
 * records of the erasure (the erasure log and the audit, ADR 0006).
 */
const kept = new Set([
  ...entities.filter((e) => 'keptOnErasure' in e && e.keptOnErasure).map((e) => e.name),
  'erasure-log-entry',
  'retention-audit-entry',
]);

describe('a person’s directive', () => {
  it('is recorded, refused when incoherent, changed and revoked', async () => {
    const person = await signedInPerson(cloud, 'client');
    expect(JSON.parse((await callAs(cloud, IP, person, 'GET', '/me/directives')).body)).toEqual({});
    const incoherent = await callAs(cloud, IP, person, 'PUT', '/me/directives', {
      action: 'erase',
      scope: 'general',
      designee: { name: 'A', email: 'a@example.test' },
    });
    expect(incoherent.status).toBe(422);
    const set = await callAs(cloud, IP, person, 'PUT', '/me/directives', { action: 'keep', scope: 'general' });
    expect(set.status).toBe(200);
    const changed = await callAs(cloud, IP, person, 'PUT', '/me/directives', {
      action: 'erase',
      scope: 'general',
      note: 'Tout effacer.',
    });
    expect(JSON.parse(changed.body)).toMatchObject({ directive: { action: 'erase', note: 'Tout effacer.' } });
    expect(JSON.parse((await callAs(cloud, IP, person, 'GET', '/me/directives')).body)).toMatchObject({
      directive: { action: 'erase' },
    });
    expect((await callAs(cloud, IP, person, 'DELETE', '/me/directives')).status).toBe(204);
    expect((await callAs(cloud, IP, person, 'DELETE', '/me/directives')).status).toBe(404);
  });
});

describe('a death recorded by the DPO', () => {
  it('communicates the parts named to the designated person, and closes the account', async () => {
    const person = await clientWithAppointment();
    const designee = `proche.${person.accountId.slice(0, 8)}@example.test`;
    await callAs(cloud, IP, person, 'PUT', '/me/directives', {
      action: 'communicate',
      scope: 'specific',
      parts: ['account', 'bookings'],
      designee: { name: 'Un Proche', email: designee },
    });
    const death = await recordDeath(person);
    expect(death.plan).toBe('communicate');
    const mail = await until('the mail to the designee', async () =>
      (await mails(cloud.urls.mailStore)).find((m) => m.destination.to.includes(designee)),
    );
    const attachment = mail.attachments.find((a) => a.filename === 'donnees-transmises.json')!;
    const content = attachment.content.trim().startsWith('{')
      ? attachment.content
      : Buffer.from(attachment.content, 'base64').toString('utf8');
    const document = JSON.parse(content) as { parts: Record<string, Record<string, unknown[]>> };
    expect(Object.keys(document.parts).sort()).toEqual(['account', 'bookings']);
    expect(document.parts.bookings?.appointment).toHaveLength(1);
    expect(await executed(person)).toMatchObject({ outcome: 'communicated' });
    // The account is closed; its data follows its usual periods.
    await until('the account closed', async () =>
      (await cognitoUser(person.accountId))?.Enabled === false ? true : undefined,
    );
    expect(await itemsOf(person.accountId)).toContain('appointment');
    // Once only.
    const again = await callAs(cloud, IP, dpo, 'POST', '/privacy/deaths', {
      subject: { accountId: person.accountId },
      reportedBy: 'designated-person',
      dateOfDeath: today(),
      proofChecked: true,
    });
    expect(again.status).toBe(409);
  }, 90_000);

  it('erases everything of the account, the proofs excepted, and its Cognito user: by directive and by the heirs’ rights', async () => {
    const withDirective = await clientWithAppointment();
    await callAs(cloud, IP, withDirective, 'PUT', '/me/directives', { action: 'erase', scope: 'general' });
    const without = await clientWithAppointment();
    for (const person of [withDirective, without]) {
      const death = await recordDeath(person);
      expect(death.plan).toBe(person === without ? 'heirs-erase' : 'erase');
      expect(await executed(person)).toMatchObject({ outcome: 'erased' });
      expect((await itemsOf(person.accountId)).filter((entity) => !kept.has(entity))).toEqual([]);
      expect(await itemsOf(person.accountId)).toContain('death-record');
      await until('the Cognito user deleted', async () => ((await cognitoUser(person.accountId)) ? undefined : true));
    }
  }, 90_000);

  it('keeps the data when the directive says so, and closes the account', async () => {
    const person = await clientWithAppointment();
    await callAs(cloud, IP, person, 'PUT', '/me/directives', { action: 'keep', scope: 'general' });
    const death = await recordDeath(person);
    expect(death).toMatchObject({ plan: 'keep', outcome: 'kept' });
    await until('the account closed', async () =>
      (await cognitoUser(person.accountId))?.Enabled === false ? true : undefined,
    );
    expect(await itemsOf(person.accountId)).toEqual(expect.arrayContaining(['account', 'appointment']));
  }, 60_000);

  it('finds no account for an unknown address', async () => {
    const reply = await callAs(cloud, IP, dpo, 'POST', '/privacy/deaths', {
      subject: { email: 'personne.inconnue@example.test' },
      reportedBy: 'heir',
      dateOfDeath: today(),
      proofChecked: true,
    });
    expect(reply.status).toBe(404);
  });
});
