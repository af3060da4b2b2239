/**
 * Consents and objections against DynamoDB Local (issue 15): the state and its change-log entry
 * written in one transaction, on condition of the version read; the history newest first; the
 * retention of both (5 years from each change; the state with its latest change); messaging's
 * copy of the mail choice keeping the latest change whatever the order, and the "nouveau message"
 * mail skipped for a recipient who objected. Dates lie after the machine's clock (DynamoDB Local
 * expires items by itself).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { dynamoConversationStore } from '#functions/messaging/adapters/conversation-store.ts';
import { dynamoMailAlertStore } from '#functions/messaging/adapters/mail-alert-store.ts';
import { recordMailAlertChoice } from '#functions/messaging/mail-alerts.ts';
import { mailRecipient, markConversationRead, openConversation, sendMessage } from '#functions/messaging/use-cases.ts';
import { dynamoConsentStore } from '#functions/privacy/adapters/consent-store.ts';
import { getMyConsents, putMyConsent } from '#functions/privacy/consents.ts';
import { type ConsentChange, changeIdAt, choiceCatalogue } from '#functions/privacy/domain/consents.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const T0 = new Date('2031-04-01T08:00:00.000Z');
/** The newsletter's wording version, and the message mail alerts' (they change apart). */
const current = choiceCatalogue.newsletter.wordingVersion;
const alertsWording = choiceCatalogue['message-mail-alerts'].wordingVersion;
const fiveYears = (at: Date) => epochSeconds(addPeriod(at, { years: 5 }));

describe('the consent store', () => {
  it('writes the state and the change together, conditioned on the version read; lists the changes newest first', async () => {
    const names = await freshTables(cloud.urls.dynamodb, 'consents');
    const store = dynamoConsentStore({ client: db, tableName: names.privacy });
    const accountId = randomUUID();
    expect(await store.read(accountId, T0)).toEqual({ state: {}, version: 0 });

    const change = (at: Date, granted: boolean, n: number): ConsentChange => ({
      changeId: changeIdAt(at, n.toString(16).padStart(20, '0')),
      choice: 'newsletter',
      granted,
      wordingVersion: current,
      changedAt: at.toISOString(),
      source: 'app',
    });
    const first = change(T0, true, 1);
    const state1 = { newsletter: { ...first } };
    expect(await store.record(accountId, first, state1, 0)).toBe(true);
    // A writer that read before this change loses, and leaves no proof of a change it did not make.
    const lost = change(new Date(T0.getTime() + 1), false, 2);
    expect(await store.record(accountId, lost, { newsletter: lost }, 0)).toBe(false);

    const later = new Date(T0.getTime() + 86_400_000);
    const second = change(later, false, 3);
    expect(await store.record(accountId, second, { newsletter: second }, 1)).toBe(true);
    expect(await store.read(accountId, later)).toMatchObject({ version: 2, state: { newsletter: { granted: false } } });
    expect((await store.history(accountId, 50, later)).map((c) => c.changeId)).toEqual([
      second.changeId,
      first.changeId,
    ]);
    expect(await store.history(accountId, 1, later)).toEqual([second]);

    // Retention: each change 5 years from itself; the state 5 years from the latest change.
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: names.privacy,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CONSENTS#${accountId}` },
      }),
    );
    expect(Items).toHaveLength(3);
    const bySk = Object.fromEntries(Items.map((i) => [i.sk as string, i]));
    expect(bySk.STATE).toMatchObject({
      entity: 'consent-state',
      subjectKey: `account#${accountId}`,
      retentionPurpose: 'consent-proof',
      expiresAt: fiveYears(later),
    });
    expect(bySk[`CHANGE#${first.changeId}`]).toMatchObject({
      entity: 'consent-change',
      subjectKey: `account#${accountId}`,
      retentionPurpose: 'consent-proof',
      expiresAt: fiveYears(T0),
      source: 'app',
      wordingVersion: current,
    });
    expect(bySk[`CHANGE#${second.changeId}`]).toMatchObject({ expiresAt: fiveYears(later) });

    // Past the first change's 5 years it is no longer shown; past the state's, the defaults apply.
    const between = new Date(fiveYears(T0) * 1000 + 1000);
    expect((await store.history(accountId, 50, between)).map((c) => c.changeId)).toEqual([second.changeId]);
    const after = new Date(fiveYears(later) * 1000 + 1000);
    expect(await store.read(accountId, after)).toEqual({ state: {}, version: 2 });
    expect(await store.history(accountId, 50, after)).toEqual([]);
  });

  it('serves the use cases: defaults, changes with their wording version, 404 and 409, ConsentChanged', async () => {
    const names = await freshTables(cloud.urls.dynamodb, 'consents-uc');
    const clock = manualClock(T0);
    const published: unknown[] = [];
    const deps = {
      store: dynamoConsentStore({ client: db, tableName: names.privacy }),
      clock,
      events: { changed: async (...args: unknown[]) => void published.push(args) },
    };
    const accountId = randomUUID();
    const defaults = await getMyConsents(deps, accountId);
    expect(defaults.items.map((i) => [i.choice, i.granted])).toEqual([
      ['newsletter', false],
      ['message-mail-alerts', true],
    ]);
    await putMyConsent(deps, accountId, 'newsletter', { granted: true, wordingVersion: current });
    clock.advance(60_000);
    await putMyConsent(deps, accountId, 'newsletter', { granted: false, wordingVersion: current });
    clock.advance(60_000);
    await putMyConsent(deps, accountId, 'message-mail-alerts', { granted: false, wordingVersion: alertsWording });
    await expect(
      putMyConsent(deps, accountId, 'newsletter', { granted: true, wordingVersion: '2026-01-01' }),
    ).rejects.toMatchObject({ status: 409 });
    await expect(
      putMyConsent(deps, accountId, 'unknown', { granted: true, wordingVersion: current }),
    ).rejects.toMatchObject({ status: 404 });

    const mine = await getMyConsents(deps, accountId);
    expect(mine.items.map((i) => [i.choice, i.granted])).toEqual([
      ['newsletter', false],
      ['message-mail-alerts', false],
    ]);
    expect(mine.history.map((h) => [h.choice, h.granted, h.wordingVersion, h.source])).toEqual([
      ['message-mail-alerts', false, alertsWording, 'app'],
      ['newsletter', false, current, 'app'],
      ['newsletter', true, current, 'app'],
    ]);
    expect(published).toHaveLength(3);
    expect(published[2]).toEqual([accountId, 'message-mail-alerts', false, expect.stringMatching(/^cch_/)]);

    // Concurrent changes of one person's choices: each is applied on the state it read again.
    await Promise.all([
      putMyConsent(deps, accountId, 'newsletter', { granted: true, wordingVersion: current }),
      putMyConsent(deps, accountId, 'message-mail-alerts', { granted: true, wordingVersion: alertsWording }),
    ]);
    const both = await getMyConsents(deps, accountId);
    expect(both.items.map((i) => i.granted)).toEqual([true, true]);
    expect(both.history).toHaveLength(5);
  });
});

describe("messaging's copy of the mail choice", () => {
  it('keeps the latest change whatever the order; an objecting recipient gets no mail, until they stop', async () => {
    const names = await freshTables(cloud.urls.dynamodb, 'mail-alerts');
    const clock = manualClock(T0);
    const alerts = dynamoMailAlertStore({ client: db, tableName: names.messaging });
    const store = dynamoConversationStore({ client: db, tableName: names.messaging });
    const clientId = randomUUID();
    const practitionerId = randomUUID();
    const mails: Mail[] = [];
    const deps = { store, clock };
    const mailDeps = {
      store,
      clock,
      alerts,
      people: { identityOf: async () => ({ email: 'x@example.test', firstName: 'X' }) },
      mailer: {
        send: async (mail: Mail) => {
          mails.push(mail);
          return { messageId: `m${mails.length}` };
        },
      },
    };
    const offers = {
      find: async (id: string) =>
        id === practitionerId
          ? {
              practitionerId,
              displayName: 'Camille Praticienne',
              services: [],
              schedule: {} as never,
              cancellationPolicy: {} as never,
            }
          : undefined,
    };
    const { view } = await openConversation(
      { store, clock, offers, people: { identityOf: async () => ({ firstName: 'Zoé', lastName: 'Martin' }) } },
      clientId,
      practitionerId,
    );

    const objection = {
      accountId: practitionerId,
      choice: 'message-mail-alerts',
      granted: false,
      changeId: changeIdAt(T0, '1'.padStart(20, '0')),
    };
    const stopped = {
      ...objection,
      granted: true,
      changeId: changeIdAt(new Date(T0.getTime() + 5000), '2'.padStart(20, '0')),
    };
    const mailAlertDeps = { alerts, clock };
    expect(await recordMailAlertChoice(mailAlertDeps, objection)).toBe('recorded');
    // The same event again (a redelivery) is harmless.
    expect(await recordMailAlertChoice(mailAlertDeps, objection)).toBe('recorded');
    const { Item } = await db.send(
      new GetCommand({ TableName: names.messaging, Key: { pk: `MAILALERTS#${practitionerId}`, sk: 'MAILALERTS' } }),
    );
    expect(Item).toMatchObject({
      entity: 'mail-alert-choice',
      subjectKey: `account#${practitionerId}`,
      retentionPurpose: 'exchange',
      expiresAt: fiveYears(T0),
      mailAlerts: false,
      changedAt: T0.toISOString(),
    });

    await sendMessage(deps, clientId, view.id, 'Bonjour');
    expect(await mailRecipient(mailDeps, view.id, practitionerId)).toBe('objected');
    expect(mails).toHaveLength(0);
    // The other party did not object: mailed.
    await sendMessage(deps, practitionerId, view.id, 'Bonjour à vous');
    expect(await mailRecipient(mailDeps, view.id, clientId)).toBe('mailed');
    expect(mails).toHaveLength(1);

    // The objection is withdrawn, then the older objection arrives late: the latest change stands.
    expect(await recordMailAlertChoice(mailAlertDeps, stopped)).toBe('recorded');
    expect(await recordMailAlertChoice(mailAlertDeps, objection)).toBe('older-than-recorded');
    // The objection never claimed the mail: the next message is mailed.
    await sendMessage(deps, clientId, view.id, 'Vous êtes là ?');
    expect(await mailRecipient(mailDeps, view.id, practitionerId)).toBe('mailed');
    expect(mails.map((m) => m.to[0])).toEqual(['x@example.test', 'x@example.test']);
    await markConversationRead(deps, practitionerId, view.id);
    expect(await recordMailAlertChoice(mailAlertDeps, { ...objection, choice: 'newsletter' })).toBe(
      'not-a-messaging-choice',
    );
  });
});
