/**
 * Time travel with newsletter subscriptions (ADR 0020), on DynamoDB Local with the real store,
 * use cases and purge and an injected clock: an unconfirmed request goes after 7 days; a
 * confirmed subscription is kept 3 years from the confirmation or the last click (one write a day
 * at most), asked 30 days before its end whether to go on; yes renews 3 years, no deletes it and
 * suppresses the address, no answer lets the purge delete it at the end.
 *
 * Every date lies after the machine's clock, and so does every expiry: DynamoDB Local deletes
 * expired items by itself, which would race the purge.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { dynamoSubscriptionStore } from '#functions/newsletter/adapters/subscription-store.ts';
import { addressDigest } from '#functions/newsletter/domain/tokens.ts';
import {
  answerRenewal,
  askRenewals,
  confirm,
  endSubscription,
  type NewsletterDeps,
  recordContact,
  subscribe,
  unsubscribe,
} from '#functions/newsletter/use-cases.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { addPeriod, utcDay } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const DAY = 86_400_000;
const PEPPER = 'integration-test-pepper-0123456789';
const BASE = 'https://api.example.test/v1';
const input = (email: string) => ({ email, wordingVersion: '2026-12-07', source: 'site' as const });

async function setup(start: string) {
  const names = await freshTables(cloud.urls.dynamodb, 'newsletter');
  const clock = manualClock(new Date(start));
  const sent: Mail[] = [];
  const events = recordingPublisher();
  const store = dynamoSubscriptionStore({ client: db, tableName: names.newsletter });
  const deps: NewsletterDeps = {
    store,
    events,
    mailer: {
      send: async (mail) => {
        sent.push(mail);
        return { messageId: `m-${sent.length}` };
      },
    },
    clock,
    pepper: async () => PEPPER,
    linkBase: BASE,
  };
  const purge = () =>
    purgeExpiredItems({
      store: dynamoRetentionTables({ client: db, tableNames: names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
      events: recordingPublisher(),
      clock,
      entities,
      tables: ['newsletter'],
      options: { startDay: utcDay(new Date(clock.now().getTime() - 40 * DAY)) },
    });
  const item = async (email: string, sk: 'SUBSCRIPTION' | 'SUPPRESSION') =>
    (
      await db.send(
        new GetCommand({
          TableName: names.newsletter,
          Key: { pk: `ADDR#${addressDigest(PEPPER, email)}`, sk },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const partition = async (email: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: names.newsletter,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `ADDR#${addressDigest(PEPPER, email)}` },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  /** The token of the last mail's link to `path`. */
  const linkIn = (path: string, mail = sent.at(-1)) => {
    const found = new RegExp(`${BASE}/newsletter/${path}\\?token=([^\\s"<]+)`).exec(mail?.text ?? '');
    if (!found) throw new Error(`no ${path} link in the mail`);
    return decodeURIComponent(found[1]!);
  };
  const published = (detailType: string) => events.published.filter((e) => e.detailType === detailType);
  return { names, clock, sent, events, store, deps, purge, item, partition, linkIn, published };
}

describe('newsletter subscriptions: time travel', () => {
  it('keeps an unconfirmed request 7 days, then the link is dead and the purge deletes it', async () => {
    const t = await setup('2029-02-01T09:00:00Z');
    const email = 'pending@example.test';
    expect((await subscribe(t.deps, input(email), 'req-1')).outcome).toBe('requested');
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]!.subject).toContain('Confirmez votre inscription');
    expect(t.sent[0]!.headers).toBeUndefined();
    const stored = await t.item(email, 'SUBSCRIPTION');
    expect(stored).toMatchObject({
      entity: 'newsletter-pending-subscription',
      retentionPurpose: 'newsletter-confirmation',
      subjectKey: subjectKeyForEmail(email),
      wordingVersion: '2026-12-07',
      source: 'site',
      requestedAt: '2029-02-01T09:00:00.000Z',
      confirmationExpiresAt: '2029-02-08T09:00:00.000Z',
    });
    expect(stored?.expiresAt).toBe(Date.parse('2029-02-08T09:00:00Z') / 1000);
    expect(JSON.stringify(stored)).not.toContain(t.linkIn('confirmation').split('.')[1]);
    expect(t.published('NewsletterSubscribed')).toHaveLength(1);

    // Asked again within 10 minutes: nothing more is sent (no mail bombing); after, a new link.
    t.clock.advance(5 * 60_000);
    expect((await subscribe(t.deps, input(email), 'req-2')).outcome).toBe('recently-mailed');
    expect(t.sent).toHaveLength(1);
    t.clock.advance(6 * 60_000);
    expect((await subscribe(t.deps, input(email), 'req-3')).outcome).toBe('requested');
    expect(t.sent).toHaveLength(2);
    const token = t.linkIn('confirmation');
    // The first link was replaced by the second.
    expect(await confirm(t.deps, t.linkIn('confirmation', t.sent[0]))).toBe('invalid');

    // The request's end minus a minute: still there, the purge leaves it. Then gone, the link dead.
    const end = new Date(Date.parse('2029-02-01T09:11:00Z') + 7 * DAY);
    t.clock.set(new Date(end.getTime() - 60_000));
    expect(await t.purge()).toMatchObject({ complete: true, itemsDeleted: 0 });
    t.clock.set(new Date(end.getTime() + 1000));
    expect(await confirm(t.deps, token)).toBe('invalid');
    expect(await t.purge()).toMatchObject({ itemsDeleted: 1, deletedByPurpose: { 'newsletter-confirmation': 1 } });
    expect(await t.partition(email)).toEqual([]);
  });

  it('confirms once, starts the 3-year clock, asks 30 days before the end, and a yes renews 3 years', async () => {
    const t = await setup('2029-03-10T08:00:00Z');
    const email = 'Yes.Please@Example.test';
    await subscribe(t.deps, input(email), 'req');
    const token = t.linkIn('confirmation');
    t.clock.advance(3_600_000);
    const confirmedAt = t.clock.now();
    expect(await confirm(t.deps, token)).toBe('confirmed');
    // The same link again: confirmed still, nothing new (idempotent).
    expect(await confirm(t.deps, token)).toBe('confirmed');
    expect(t.published('NewsletterConfirmed')).toHaveLength(1);
    const end = addPeriod(confirmedAt, { years: 3 });
    expect(await t.item(email, 'SUBSCRIPTION')).toMatchObject({
      entity: 'newsletter-subscription',
      retentionPurpose: 'newsletter',
      subjectKey: subjectKeyForEmail(email),
      requestedAt: '2029-03-10T08:00:00.000Z',
      confirmedAt: confirmedAt.toISOString(),
      lastContactAt: confirmedAt.toISOString(),
      wordingVersion: '2026-12-07',
      audiencePk: 'CONFIRMED',
      expiresAt: end.getTime() / 1000,
    });
    // A request for a confirmed address: the same answer, and no mail.
    expect((await subscribe(t.deps, input('yes.please@example.test'), 'again')).outcome).toBe('confirmed-already');
    expect(t.sent).toHaveLength(1);

    // 40 days before the end: nothing to ask yet.
    t.clock.set(new Date(end.getTime() - 40 * DAY));
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 0, incomplete: false });
    // 30 days before: asked once, by a newsletter mail with the one-click unsubscribe.
    t.clock.set(new Date(end.getTime() - 30 * DAY));
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 1, failed: 0 });
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 0 });
    const ask = t.sent.at(-1)!;
    expect(ask.subject).toContain('continuer à recevoir');
    expect(ask.to).toEqual([email.trim()]);
    const unsubscribeUrl = `${BASE}/newsletter/unsubscribe?token=${encodeURIComponent(t.linkIn('unsubscribe', ask))}`;
    expect(ask.headers).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    expect(ask.text).toContain(unsubscribeUrl);
    expect(t.published('NewsletterRenewalAsked')).toHaveLength(1);
    expect(await t.item(email, 'SUBSCRIPTION')).toMatchObject({ renewalAskedFor: end.getTime() / 1000 });

    // Yes: 3 more years from the answer.
    t.clock.advance(2 * DAY);
    const renewalToken = t.linkIn('renewal', ask);
    expect(await answerRenewal(t.deps, renewalToken, 'yes')).toBe('renewed');
    const renewedUntil = addPeriod(t.clock.now(), { years: 3 });
    expect(await t.item(email, 'SUBSCRIPTION')).toMatchObject({
      expiresAt: Math.floor(renewedUntil.getTime() / 1000),
      lastContactAt: t.clock.now().toISOString(),
    });
    expect(t.published('NewsletterRenewed')).toHaveLength(1);
    // A second yes the same day writes nothing (one write a day at most) and announces nothing.
    expect(await answerRenewal(t.deps, renewalToken, 'yes')).toBe('renewed');
    expect(t.published('NewsletterRenewed')).toHaveLength(1);
    // The old end passes: the purge leaves it.
    t.clock.set(new Date(end.getTime() + DAY));
    expect(await t.purge()).toMatchObject({ itemsDeleted: 0 });
    // The next ask comes 30 days before the new end, once.
    t.clock.set(new Date(renewedUntil.getTime() - 30 * DAY));
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 1 });
    expect(t.published('NewsletterRenewalAsked')).toHaveLength(2);
  });

  it('restarts the clock at a click, one write a day at most', async () => {
    const t = await setup('2029-05-02T10:00:00Z');
    const email = 'clicker@example.test';
    await subscribe(t.deps, input(email), 'req');
    await confirm(t.deps, t.linkIn('confirmation'));
    const digest = addressDigest(PEPPER, email);
    const { linksFor } = await import('#functions/newsletter/use-cases.ts');
    const { clickToken } = await linksFor(t.deps, digest);

    t.clock.set(new Date('2030-07-14T12:00:00Z'));
    expect(await recordContact(t.deps, clickToken)).toBe(true);
    const afterClick = await t.item(email, 'SUBSCRIPTION');
    expect(afterClick).toMatchObject({
      expiresAt: Date.parse('2033-07-14T12:00:00Z') / 1000,
      lastContactAt: '2030-07-14T12:00:00.000Z',
    });
    // Later the same day: the clock does not move again (the condition refuses the write).
    t.clock.advance(5 * 3_600_000);
    expect(await t.store.touch(digest, t.clock.now())).toBe('unchanged');
    expect((await t.item(email, 'SUBSCRIPTION'))?.lastContactAt).toBe('2030-07-14T12:00:00.000Z');
    // A token of another purpose, or forged, is no click.
    const { unsubscribe: unsubscribeUrl } = await linksFor(t.deps, digest);
    const unsubscribeToken = decodeURIComponent(unsubscribeUrl.split('token=')[1]!);
    expect(await recordContact(t.deps, unsubscribeToken)).toBe(false);
    expect(await recordContact(t.deps, `${digest}.${'A'.repeat(43)}`)).toBe(false);
    // The next day, it moves.
    t.clock.advance(DAY);
    expect(await t.store.touch(digest, t.clock.now())).toBe('moved');
  });

  it('lets the purge delete a subscription nobody renewed, at its end', async () => {
    const t = await setup('2029-06-01T07:30:00Z');
    const email = 'silent@example.test';
    await subscribe(t.deps, input(email), 'req');
    await confirm(t.deps, t.linkIn('confirmation'));
    const end = addPeriod(t.clock.now(), { years: 3 });
    t.clock.set(new Date(end.getTime() - 30 * DAY));
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 1 });

    t.clock.set(new Date(end.getTime() - DAY));
    expect(await t.purge()).toMatchObject({ itemsDeleted: 0 });
    t.clock.set(new Date(end.getTime() + 1000));
    expect((await t.store.read(addressDigest(PEPPER, email), t.clock.now())).subscription).toBeUndefined();
    expect(await t.purge()).toMatchObject({ itemsDeleted: 1, deletedByPurpose: { newsletter: 1 } });
    // No answer is no objection: nothing is suppressed, a new request is mailed.
    expect(await t.partition(email)).toEqual([]);
    expect((await subscribe(t.deps, input(email), 'again')).outcome).toBe('requested');
  });

  it('deletes at once on a no or an unsubscription, suppresses the address, and a new confirmed opt-in lifts it', async () => {
    const t = await setup('2029-09-20T15:00:00Z');
    const email = 'no.thanks@example.test';
    await subscribe(t.deps, input(email), 'req');
    await confirm(t.deps, t.linkIn('confirmation'));
    const end = addPeriod(t.clock.now(), { years: 3 });
    t.clock.set(new Date(end.getTime() - 30 * DAY));
    await askRenewals(t.deps);
    const ask = t.sent.at(-1)!;

    // No: deleted now, and only a keyed hash of the address stays, 3 years.
    expect(await answerRenewal(t.deps, t.linkIn('renewal', ask), 'no')).toBe('unsubscribed');
    expect(await t.item(email, 'SUBSCRIPTION')).toBeUndefined();
    const suppression = await t.item(email, 'SUPPRESSION');
    expect(suppression).toMatchObject({
      entity: 'newsletter-suppression',
      reason: 'renewal-declined',
      retentionPurpose: 'newsletter-suppression',
      subjectKey: subjectKeyForEmail(email),
      expiresAt: Math.floor(addPeriod(t.clock.now(), { years: 3 }).getTime() / 1000),
    });
    expect(JSON.stringify(suppression)).not.toContain(email);
    expect(t.published('NewsletterUnsubscribed').map((e) => e.data)).toEqual([
      { subscriptionId: expect.stringMatching(/^nls_[0-9a-f]{32}$/), reason: 'renewal-declined' },
    ]);
    // The same link or the unsubscribe link again: the same page, nothing else happens.
    expect(await unsubscribe(t.deps, t.linkIn('unsubscribe', ask))).toBe('unsubscribed');
    expect(t.published('NewsletterUnsubscribed')).toHaveLength(1);

    // A new request is mailed (a new opt-in is possible); the suppression stays until it is confirmed.
    t.clock.advance(DAY);
    expect((await subscribe(t.deps, input(email), 'again')).outcome).toBe('requested');
    expect(await t.item(email, 'SUPPRESSION')).toBeDefined();
    expect(await confirm(t.deps, t.linkIn('confirmation'))).toBe('confirmed');
    expect(await t.item(email, 'SUPPRESSION')).toBeUndefined();

    // The one-click unsubscribe of a campaign: the same end.
    expect(await unsubscribe(t.deps, t.linkIn('unsubscribe', ask))).toBe('unsubscribed');
    expect(await t.item(email, 'SUBSCRIPTION')).toBeUndefined();
    expect(await t.item(email, 'SUPPRESSION')).toMatchObject({ reason: 'unsubscribed' });

    // The suppression's end: the purge deletes it.
    t.clock.set(new Date(addPeriod(t.clock.now(), { years: 3 }).getTime() + DAY));
    expect(await t.purge()).toMatchObject({ deletedByPurpose: { 'newsletter-suppression': 1 } });
    expect(await t.partition(email)).toEqual([]);
  });

  it('mails nothing to an address that bounced or complained, whatever is asked', async () => {
    const t = await setup('2029-11-05T09:00:00Z');
    const email = 'bounced@example.test';
    await subscribe(t.deps, input(email), 'req');
    await confirm(t.deps, t.linkIn('confirmation'));
    expect(await endSubscription(t.deps, addressDigest(PEPPER, email), 'bounce')).toBe(true);
    expect(await t.item(email, 'SUPPRESSION')).toMatchObject({ reason: 'bounce' });
    const mailed = t.sent.length;
    t.clock.advance(DAY);
    expect((await subscribe(t.deps, input(email), 'again')).outcome).toBe('undeliverable');
    expect(t.sent).toHaveLength(mailed);
    // A complaint about an address never subscribed here is suppressed too (SES names the address).
    const other = 'complained@example.test';
    expect(await endSubscription(t.deps, addressDigest(PEPPER, other), 'complaint', other)).toBe(false);
    expect(await t.item(other, 'SUPPRESSION')).toMatchObject({ reason: 'complaint' });
  });

  it('goes through the expiry days once, from its checkpoint', async () => {
    const t = await setup('2030-01-10T09:00:00Z');
    for (const [i, email] of ['a@example.test', 'b@example.test'].entries()) {
      t.clock.set(new Date(Date.parse('2030-01-10T09:00:00Z') + i * 5 * DAY));
      await subscribe(t.deps, input(email), `req-${i}`);
      await confirm(t.deps, t.linkIn('confirmation'));
    }
    // 30 days before the first end: the first only; the checkpoint is that day.
    const firstEnd = addPeriod(new Date('2030-01-10T09:00:00Z'), { years: 3 });
    t.clock.set(new Date(firstEnd.getTime() - 30 * DAY));
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 1, daysDone: 31 });
    expect(await t.store.checkpoint('renewal-asks')).toBe(utcDay(firstEnd));
    // The next days: one day each, the second when its day comes.
    t.clock.advance(DAY);
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 0, daysDone: 1 });
    t.clock.advance(4 * DAY);
    expect(await askRenewals(t.deps)).toMatchObject({ asked: 1, daysDone: 4 });
    // A run stopped for time saves nothing of its day and is taken up again.
    expect(await askRenewals(t.deps, { exhausted: () => true })).toMatchObject({ incomplete: false, daysDone: 0 });
  });
});
