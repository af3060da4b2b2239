/**
 * Consents and objections end to end (issue 15): a signed-in person reads the defaults, gives and
 * withdraws the newsletter consent (two changes in the history, with the wording's version), is
 * refused a change on a stale wording (409) or an unknown choice (404); a practitioner objects to
 * the "nouveau message" mail: ConsentChanged reaches messaging, a new message to them is not
 * mailed (it still arrives in the app), while the client who did not object is mailed.
 */
import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConsentChanged } from '#events/catalogue.ts';
import { apiClient } from '../support/api.ts';
import { callAs, openAgenda } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address: rate limits are per IP and account.
const IP = '127.0.0.124';
const dynamo = localDocumentClient(cloud.urls.dynamodb);
/** The wording versions the person reads: the newsletter's, and the message mail alerts'. */
const WORDING = '2026-12-07';
const ALERTS_WORDING = '2026-12-01';

let client: Person;
let practitioner: Person;

beforeAll(async () => {
  [client, practitioner] = await Promise.all([signedInPerson(cloud, 'client'), signedInPerson(cloud, 'practitioner')]);
  await openAgenda(cloud, IP, practitioner);
}, 90_000);

afterAll(() => dynamo.destroy());

const json = <T>(reply: { body: string }) => JSON.parse(reply.body) as T;

interface MyConsents {
  items: {
    choice: string;
    legalBasis: string;
    wording: string;
    wordingVersion: string;
    granted: boolean;
    changedAt?: string;
  }[];
  history: { choice: string; granted: boolean; wordingVersion: string; changedAt: string; source: string }[];
}

describe('consents and objections', () => {
  it('shows the defaults, then the newsletter given and withdrawn, each change with its wording version', async () => {
    const api = apiClient(cloud, IP, client);
    const { data: defaults, response } = await api.GET('/me/consents');
    expect(response.status).toBe(200);
    expect(defaults?.history).toEqual([]);
    expect(defaults?.items.map((i) => [i.choice, i.legalBasis, i.granted, i.wordingVersion, i.changedAt])).toEqual([
      ['newsletter', 'consent', false, WORDING, undefined],
      ['message-mail-alerts', 'legitimate-interest', true, ALERTS_WORDING, undefined],
    ]);
    expect(defaults?.items[0]?.wording).toContain('newsletter');

    const given = await api.PUT('/me/consents/{choice}', {
      params: { path: { choice: 'newsletter' } },
      body: { granted: true, wordingVersion: WORDING },
    });
    expect(given.response.status).toBe(200);
    expect(given.data).toMatchObject({ choice: 'newsletter', granted: true });
    // The newsletter context follows the consent: the double opt-in mail goes to the person's address.
    await until('the newsletter confirmation mail', async () =>
      (await mails(cloud.urls.mailStore)).find(
        (m) => m.destination.to.includes(client.email) && m.subject.startsWith('Confirmez votre inscription'),
      ),
    );
    const withdrawn = await api.PUT('/me/consents/{choice}', {
      params: { path: { choice: 'newsletter' } },
      body: { granted: false, wordingVersion: WORDING },
    });
    expect(withdrawn.data).toMatchObject({ choice: 'newsletter', granted: false });

    const mine = json<MyConsents>(await callAs(cloud, IP, client, 'GET', '/me/consents'));
    expect(mine.history.map((h) => [h.choice, h.granted, h.wordingVersion, h.source])).toEqual([
      ['newsletter', false, WORDING, 'app'],
      ['newsletter', true, WORDING, 'app'],
    ]);
    expect(mine.history[0]!.changedAt >= mine.history[1]!.changedAt).toBe(true);
    expect(mine.items[0]).toMatchObject({ granted: false, changedAt: mine.history[0]!.changedAt });
    // The other person's choices are their own.
    const others = json<MyConsents>(await callAs(cloud, IP, practitioner, 'GET', '/me/consents'));
    expect(others.items[0]).toMatchObject({ choice: 'newsletter', granted: false });
  });

  it('refuses a stale wording (409), an unknown choice (404), a malformed one or body (400), and records nothing', async () => {
    const stale = await callAs(cloud, IP, client, 'PUT', '/me/consents/newsletter', {
      granted: true,
      wordingVersion: '2020-01-01',
    });
    expect(stale.status).toBe(409);
    expect(json<{ detail: string }>(stale).detail).toBe('The wording changed: read it again');
    const unknown = await callAs(cloud, IP, client, 'PUT', '/me/consents/marketing', {
      granted: true,
      wordingVersion: WORDING,
    });
    expect(unknown.status).toBe(404);
    expect(
      (await callAs(cloud, IP, client, 'PUT', '/me/consents/Not_A_Choice', { granted: true, wordingVersion: WORDING }))
        .status,
    ).toBe(400);
    expect((await callAs(cloud, IP, client, 'PUT', '/me/consents/newsletter', { granted: 'yes' })).status).toBe(400);
    expect(json<MyConsents>(await callAs(cloud, IP, client, 'GET', '/me/consents')).history).toHaveLength(2);
  });

  it('an objection to the mail alerts stops the "nouveau message" mail to that person only', async () => {
    const objected = await callAs(cloud, IP, practitioner, 'PUT', '/me/consents/message-mail-alerts', {
      granted: false,
      wordingVersion: ALERTS_WORDING,
    });
    expect(objected.status).toBe(200);
    expect(json<MyConsents['items'][number]>(objected)).toMatchObject({
      legalBasis: 'legitimate-interest',
      granted: false,
    });
    // ConsentChanged, through the rule, reaches messaging's copy of the choice.
    await until('the objection recorded by messaging', async () => {
      const { Item } = await dynamo.send(
        new GetCommand({
          TableName: tableNamesFrom(cloud.env).messaging,
          Key: { pk: `MAILALERTS#${practitioner.accountId}`, sk: 'MAILALERTS' },
        }),
      );
      return Item?.mailAlerts === false ? Item : undefined;
    });
    expect(readFileSync(cloud.logFile, 'utf8')).toContain(`detail-type=${ConsentChanged.detailType} `);

    const opened = await callAs(cloud, IP, client, 'POST', '/conversations', {
      practitionerId: practitioner.accountId,
    });
    const path = `/conversations/${json<{ id: string }>(opened).id}`;
    const toPractitioner = json<{ id: string }>(
      await callAs(cloud, IP, client, 'POST', `${path}/messages`, { text: 'Bonjour, une question.' }),
    ).id;
    await until('the mail consumer to skip the objecting recipient', () =>
      readFileSync(cloud.logFile, 'utf8')
        .split('\n')
        .some((l) => l.includes(toPractitioner) && l.includes('objected'))
        ? true
        : undefined,
    );
    // The message reached the practitioner in the app all the same.
    const list = json<{ items: { id: string; unreadCount: number }[] }>(
      await callAs(cloud, IP, practitioner, 'GET', '/conversations'),
    );
    expect(list.items.find((c) => `/conversations/${c.id}` === path)?.unreadCount).toBe(1);

    // The client did not object: the practitioner's answer is mailed to them.
    await callAs(cloud, IP, practitioner, 'POST', `${path}/messages`, { text: 'Bonjour, je vous écoute.' });
    await until('the new-message mail to the client', async () =>
      (await mails(cloud.urls.mailStore)).find(
        (m) => m.destination.to.includes(client.email) && m.subject === 'Nouveau message sur Mon Pro du Bien-Être',
      ),
    );
    const toObjecting = (await mails(cloud.urls.mailStore)).filter(
      (m) => m.destination.to.includes(practitioner.email) && m.subject.startsWith('Nouveau message'),
    );
    expect(toObjecting).toEqual([]);
  }, 90_000);
});
