/**
 * Export of one's data (GDPR art. 15 and 20; ADR 0018), end to end on the local cloud: a client
 * with a paid booking, a contact request sent with their email and connection data asks for an
 * export; every context writes its part; a mail says it is ready; GET /me/exports/{id} returns one
 * JSON document. Held against a scan of every table: every item of the client (by their account
 * and email subject keys, with the partitions their root items own) is in it, each field explained
 * by its README, and nothing of another client who did the same things is.
 * Then the DPO answers an access request by email with an export mailed to the verified address.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { technicalAttributes } from '#shared/privacy/subject-export.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { apiClient } from '../support/api.ts';
import { callAs } from '../support/bookings.ts';
import { localDocumentClient, scanAll } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { emulator, eventually, heldBooking, onboardedAgenda, until } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address.
const IP = '127.0.0.125';
const db = localDocumentClient(cloud.urls.dynamodb);

type Item = Record<string, unknown> & { pk: string; sk: string; entity?: string; subjectKey?: string };

const scanTable = async (table: TableName) => (await scanAll(db, cloud.env[tables[table].envVar]!)) as Item[];

const byName = new Map(entities.map((e) => [e.name, e]));
const isRoot = (item: Item) => {
  const entity = byName.get(String(item.entity));
  return Boolean(entity && 'owns' in entity && entity.owns === 'partition');
};

/** What the export must hold: every live item under the subject keys and in the partitions its roots own, by part and entity. */
async function expectedCounts(subjectKeys: readonly string[]) {
  const counts: Record<string, Record<string, number>> = {};
  const now = Math.floor(Date.now() / 1000);
  for (const table of Object.keys(tables) as TableName[]) {
    const items = (await scanTable(table)).filter(
      (i) => typeof i.expiresAt !== 'number' || (i.expiresAt as number) > now,
    );
    const own = items.filter((i) => subjectKeys.includes(String(i.subjectKey)));
    const rootPartitions = new Set(own.filter(isRoot).map((i) => i.pk));
    const all = new Map([...own, ...items.filter((i) => rootPartitions.has(i.pk))].map((i) => [`${i.pk}|${i.sk}`, i]));
    for (const item of all.values()) {
      const entity = byName.get(String(item.entity));
      if (!entity?.personalData || !('part' in entity.export)) continue;
      const part = counts[entity.export.part] ?? {};
      part[entity.name] = (part[entity.name] ?? 0) + 1;
      counts[entity.export.part] = part;
    }
  }
  return counts;
}

interface ExportView {
  exportId: string;
  state: 'collecting' | 'ready';
  expectedParts: string[];
  receivedParts: string[];
  document?: {
    readme: {
      parts: Record<string, { records: Record<string, { fields: Record<string, string> }> }>;
      keptUntil: string;
    };
    parts: Record<string, Record<string, Record<string, unknown>[]>>;
  };
}

let practitioner: Person;
let client: Person;
let other: Person;

/** A client's traces in every context this test can reach: a paid booking, a contact request, connection data. */
async function activity(person: Person, agenda: Awaited<ReturnType<typeof onboardedAgenda>>, days: number) {
  const booked = await heldBooking(cloud, IP, person, agenda, days);
  await emulator(cloud).pay(booked.checkout.paymentIntentId);
  await eventually<{ state: string }>(cloud, IP, person, `/bookings/${booked.id}`, (a) => a.state === 'confirmed');
  const contact = await apiClient(cloud, IP).POST('/contact', {
    body: { name: 'Camille Export', email: person.email, subject: 'Une question', message: 'Bonjour, une question.' },
  });
  expect(contact.response.status).toBe(202);
  // PATCH /me records a connection (IP, user agent, operation): connection data.
  const patched = await apiClient(cloud, IP, person).PATCH('/me', { body: { firstName: 'Camille' } });
  expect(patched.response.status).toBe(200);
  return booked.id;
}

beforeAll(async () => {
  [practitioner, client, other] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'client'),
  ]);
  const agenda = await onboardedAgenda(cloud, IP, practitioner);
  await activity(client, agenda, 3);
  await activity(other, agenda, 4);
}, 180_000);

describe('POST /me/exports', () => {
  it('gathers every item of the client in every table and Cognito, explains each field, and nothing of anyone else', async () => {
    const started = await callAs(cloud, IP, client, 'POST', '/me/exports');
    expect(started.status).toBe(202);
    const { exportId, expectedParts } = JSON.parse(started.body) as ExportView;
    expect(expectedParts).toEqual(
      expect.arrayContaining(['account', 'bookings', 'contact', 'connections', 'messaging', 'reviews']),
    );

    const mail = await until('the mail saying the export is ready', async () =>
      (await mails(cloud.urls.mailStore)).find(
        (m) => m.destination.to.includes(client.email) && m.subject === 'Vos données sont prêtes',
      ),
    );
    expect(mail.body.text).toContain(exportId);
    const ready = await until('the export, ready', async () => {
      const reply = await callAs(cloud, IP, client, 'GET', `/me/exports/${exportId}`);
      const view = JSON.parse(reply.body) as ExportView;
      return view.state === 'ready' ? view : undefined;
    });
    expect(ready.receivedParts.sort()).toEqual([...expectedParts].sort());
    const document = ready.document!;

    // Every item of theirs, by part and entity, as a scan of every table finds them.
    const expected = await expectedCounts([subjectKeyForAccount(client.accountId), subjectKeyForEmail(client.email)]);
    const got = Object.fromEntries(
      Object.entries(document.parts).map(([part, kinds]) => [
        part,
        Object.fromEntries(
          Object.entries(kinds)
            .filter(([kind]) => byName.has(kind))
            .map(([kind, records]) => [kind, records.length]),
        ),
      ]),
    );
    for (const [part, kinds] of Object.entries(expected)) expect(got[part], part).toMatchObject(kinds);
    expect(expected.bookings?.appointment).toBe(1);
    expect(expected.bookings?.['payment-record']).toBe(1);
    expect(expected.contact?.['contact-request']).toBe(1);
    expect(expected.connections?.['connection-record']).toBeGreaterThanOrEqual(1);
    // And Cognito: the identity they signed up with.
    expect(document.parts.account?.['cognito-identity']?.[0]).toMatchObject({
      username: client.accountId,
      attributes: expect.objectContaining({ email: client.email }),
    });

    // Every field of every record is explained in the README.
    for (const [part, kinds] of Object.entries(document.parts)) {
      for (const [kind, records] of Object.entries(kinds)) {
        const explained = document.readme.parts[part]?.records[kind]?.fields ?? {};
        for (const record of records) {
          for (const field of Object.keys(record)) {
            if (field === 'keptUntil') continue;
            expect(explained, `${part}/${kind}.${field}`).toHaveProperty([field]);
          }
        }
      }
    }
    // No technical attribute slipped through (keys, index keys, retention metadata).
    const technical = new Set((Object.keys(tables) as TableName[]).flatMap((t) => [...technicalAttributes(t)]));
    for (const records of Object.values(document.parts).flatMap((kinds) => Object.values(kinds))) {
      for (const record of records) expect(Object.keys(record).filter((k) => technical.has(k))).toEqual([]);
    }
    const text = JSON.stringify(document.parts);
    // Nothing of the other client.
    expect(text).not.toContain(other.accountId);
    expect(text).not.toContain(other.email);

    // Another person cannot read it.
    expect((await callAs(cloud, IP, other, 'GET', `/me/exports/${exportId}`)).status).toBe(404);
  }, 120_000);
});

describe('an access request received by email, executed by the DPO', () => {
  it('mails the whole export to the verified address, as a JSON attachment', async () => {
    const dpo = await signedInPerson(cloud, 'dpo');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const recorded = await callAs(cloud, IP, dpo, 'POST', '/privacy/rights-requests', {
      type: 'access',
      channel: 'email',
      receivedOn: today,
      subject: { email: other.email },
    });
    const { id } = JSON.parse(recorded.body) as { id: string };
    // Not before the identity is verified.
    expect((await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${id}/export`)).status).toBe(409);
    await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${id}/identity-check`, {
      verified: true,
      method: 'email-of-the-account',
    });
    const started = await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${id}/export`);
    expect(started.status).toBe(202);
    const mail = await until('the export mailed to the verified address', async () =>
      (await mails(cloud.urls.mailStore)).find(
        (m) => m.destination.to.includes(other.email) && m.subject.startsWith('Réponse à votre demande d’accès'),
      ),
    );
    expect(mail.body.text).toContain(id);
    const attachment = mail.attachments.find((a) => a.filename === 'donnees-personnelles.json');
    expect(attachment?.contentType).toContain('application/json');
    const content = attachment!.content.trim().startsWith('{')
      ? attachment!.content
      : Buffer.from(attachment!.content, 'base64').toString('utf8');
    const document = JSON.parse(content) as NonNullable<ExportView['document']>;
    // The account found from the email: its appointment, its contact request and its identity are in it.
    expect(document.parts.bookings?.appointment).toHaveLength(1);
    expect(document.parts.contact?.['contact-request']).toHaveLength(1);
    expect(document.parts.account?.['cognito-identity']?.[0]).toMatchObject({ username: other.accountId });
    expect(JSON.stringify(document.parts)).not.toContain(client.accountId);
  }, 120_000);
});
