/**
 * Newsletter campaigns on DynamoDB Local (ADR 0020), with the real stores and use cases: a
 * campaign's links must be allow-listed; it goes to the confirmed subscribers only, in batches
 * of 25 from a checkpoint, one mail per subscriber whatever the interruptions (SES throttling, a
 * run out of time); each mail has its tracked links and one-click unsubscribe; a click restarts
 * the subscriber's 3-year clock and leads to the target, never to one off the list.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { dynamoCampaignStore } from '#functions/newsletter/adapters/campaign-store.ts';
import { dynamoSubscriptionStore } from '#functions/newsletter/adapters/subscription-store.ts';
import {
  BATCH_SIZE,
  type CampaignDeps,
  createCampaign,
  followLink,
  getCampaign,
  sendCampaign,
  startCampaign,
} from '#functions/newsletter/campaigns.ts';
import { addressDigest } from '#functions/newsletter/domain/tokens.ts';
import { confirm, subscribe, unsubscribe } from '#functions/newsletter/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { addPeriod } from '#shared/retention/expiry.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const PEPPER = 'integration-test-pepper-0123456789';
const BASE = 'https://api.example.test/v1';
const TARGETS = ['https://www.monprodubienetre.fr/'];
const DAY = 86_400_000;

async function setup() {
  const names = await freshTables(cloud.urls.dynamodb, 'campaigns');
  const clock = manualClock(new Date('2029-04-01T08:00:00Z'));
  const sent: Mail[] = [];
  let failNext: Error | undefined;
  const events = recordingPublisher();
  const deps: CampaignDeps = {
    store: dynamoSubscriptionStore({ client: db, tableName: names.newsletter }),
    campaigns: dynamoCampaignStore({ client: db, tableName: names.newsletter }),
    events,
    mailer: {
      send: async (mail) => {
        if (failNext) {
          const error = failNext;
          failNext = undefined;
          throw error;
        }
        sent.push(mail);
        return { messageId: `m-${sent.length}` };
      },
    },
    clock,
    pepper: async () => PEPPER,
    linkBase: BASE,
    linkTargets: TARGETS,
    pauseMs: 0,
  };
  const subscribed = async (email: string) => {
    await subscribe(deps, { email, wordingVersion: '2026-12-07', source: 'site' }, 'req');
    const token = /token=([^\s]+)/.exec(sent.at(-1)!.text)![1]!;
    expect(await confirm(deps, decodeURIComponent(token))).toBe('confirmed');
  };
  const subscription = async (email: string) =>
    (
      await db.send(
        new GetCommand({
          TableName: names.newsletter,
          Key: { pk: `ADDR#${addressDigest(PEPPER, email)}`, sk: 'SUBSCRIPTION' },
          ConsistentRead: true,
        }),
      )
    ).Item;
  return {
    names,
    clock,
    sent,
    events,
    deps,
    subscribed,
    subscription,
    failOnce: (error: Error) => {
      failNext = error;
    },
  };
}

const campaignInput = {
  subject: 'Les nouveautés de décembre',
  text: 'Bonjour,\nDécouvrez nos praticiens : https://www.monprodubienetre.fr/praticiens?ville=Lyon.\nÀ bientôt !',
  html: '<p>Bonjour,</p><p><a href="https://www.monprodubienetre.fr/praticiens?ville=Lyon&amp;tri=avis">Nos praticiens</a> · <a href="mailto:contact@monprodubienetre.fr">Nous écrire</a></p>',
};

describe('newsletter campaigns', () => {
  it('refuses a link off the allow-list or a script link, naming the field and not the URL', async () => {
    const t = await setup();
    for (const [field, input] of [
      ['text', { ...campaignInput, text: 'Voir https://evil.example.test/offre' }],
      ['html', { ...campaignInput, html: '<a href="javascript:alert(1)">x</a>' }],
      ['html', { ...campaignInput, html: '<a href="https://www.monprodubienetre.fr.evil.test/">x</a>' }],
    ] as const) {
      const refused = await createCampaign(t.deps, input).catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 422, errors: [{ field }] });
      expect(JSON.stringify(refused)).not.toContain('evil');
    }
  });

  it('mails every confirmed subscriber once, in batches from its checkpoint, through throttling and runs out of time', async () => {
    const t = await setup();
    const subscribers = Array.from({ length: BATCH_SIZE + 5 }, (_, i) => `abonne.${i}@example.test`);
    for (const email of subscribers) await t.subscribed(email);
    // Neither a pending request nor an unsubscribed address gets the campaign.
    await subscribe(t.deps, { email: 'pending@example.test', wordingVersion: '2026-12-07', source: 'app' }, 'p');
    await t.subscribed('parti@example.test');
    const { linksFor } = await import('#functions/newsletter/use-cases.ts');
    const gone = await linksFor(t.deps, addressDigest(PEPPER, 'parti@example.test'));
    expect(await unsubscribe(t.deps, decodeURIComponent(gone.unsubscribe.split('token=')[1]!))).toBe('unsubscribed');
    t.sent.length = 0;

    const draft = await createCampaign(t.deps, campaignInput);
    expect(draft).toMatchObject({
      state: 'draft',
      links: [
        'https://www.monprodubienetre.fr/praticiens?ville=Lyon',
        'https://www.monprodubienetre.fr/praticiens?ville=Lyon&tri=avis',
      ],
    });
    // A draft's links lead nowhere yet.
    await expect(followLink(t.deps, draft.id, 0, undefined)).rejects.toMatchObject({ status: 404 });
    expect(await startCampaign(t.deps, draft.id, 'req')).toMatchObject({ state: 'sending' });
    await expect(startCampaign(t.deps, draft.id, 'req')).rejects.toMatchObject({ status: 409 });
    expect(t.events.published.filter((e) => e.detailType === 'NewsletterCampaignStarted')).toHaveLength(1);

    // A run out of time after its first batch hands over, its checkpoint saved.
    expect(await sendCampaign(t.deps, draft.id, { exhausted: () => true })).toEqual({
      sent: BATCH_SIZE,
      failed: 0,
      state: 'paused',
    });
    expect(t.events.published.at(-1)).toMatchObject({
      detailType: 'NewsletterCampaignProgressed',
      data: { campaignId: draft.id, sent: BATCH_SIZE },
    });
    expect(await getCampaign(t.deps, draft.id)).toMatchObject({ state: 'sending', sent: BATCH_SIZE });

    // SES throttles the second mail of the next run: the run stops, to resume where it was.
    t.failOnce(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));
    await expect(sendCampaign(t.deps, draft.id)).rejects.toMatchObject({ name: 'Throttling' });
    expect(await getCampaign(t.deps, draft.id)).toMatchObject({ state: 'sending', sent: BATCH_SIZE });
    // An address SES refuses is counted failed and skipped.
    t.failOnce(Object.assign(new Error('Address blacklisted.'), { name: 'MessageRejected' }));
    expect(await sendCampaign(t.deps, draft.id)).toMatchObject({ state: 'sent', failed: 1 });
    const done = await getCampaign(t.deps, draft.id);
    expect(done).toMatchObject({ state: 'sent', sent: subscribers.length - 1, failed: 1 });
    expect(done.finishedAt).toBeDefined();
    expect(t.events.published.at(-1)).toMatchObject({
      detailType: 'NewsletterCampaignSent',
      data: { campaignId: draft.id, sent: subscribers.length - 1, failed: 1 },
    });

    // One mail per subscriber: none twice, none to the pending or the unsubscribed address.
    const recipients = t.sent.map((m) => m.to[0]!);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(subscribers.length - 1);
    expect(recipients.every((r) => subscribers.includes(r))).toBe(true);
    // Another run (a duplicated event) sends nothing.
    expect(await sendCampaign(t.deps, draft.id)).toEqual({ sent: 0, failed: 0, state: 'elsewhere' });
    expect((await t.subscription(recipients[0]!))?.sentCampaigns).toEqual(new Set([draft.id]));

    // The mail: tracked links, the footer, RFC 8058's headers.
    const mail = t.sent[0]!;
    expect(mail.subject).toBe(campaignInput.subject);
    const tracked = new RegExp(
      `${BASE}/newsletter/links/${draft.id}/(\\d)\\?token=([0-9a-f]{40}\\.[A-Za-z0-9_-]{43})`,
      'g',
    );
    const inText = [...mail.text.matchAll(tracked)];
    expect(inText.map((m) => m[1])).toEqual(['0']);
    expect(mail.text).not.toContain('https://www.monprodubienetre.fr/praticiens');
    // The sentence's full stop stays after the tracked link.
    expect(mail.text).toMatch(/token=[0-9a-f]{40}\.[A-Za-z0-9_-]{43}\.\nÀ bientôt/);
    expect([...mail.html!.matchAll(tracked)].map((m) => m[1])).toEqual(['1']);
    expect(mail.html).toContain('href="mailto:contact@monprodubienetre.fr"');
    expect(mail.headers?.map((h) => h.name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id']);
    expect(mail.text).toContain(`${BASE}/newsletter/unsubscribe?token=`);

    // A click: the target, and the subscriber's clock restarts from it.
    t.clock.set(new Date('2030-02-10T18:00:00Z'));
    const token = decodeURIComponent(inText[0]![2]!);
    expect(await followLink(t.deps, draft.id, 0, token)).toBe('https://www.monprodubienetre.fr/praticiens?ville=Lyon');
    expect(await t.subscription(mail.to[0]!)).toMatchObject({
      lastContactAt: '2030-02-10T18:00:00.000Z',
      expiresAt: addPeriod(new Date('2030-02-10T18:00:00Z'), { years: 3 }).getTime() / 1000,
    });
    // Without a token, or with a forged one: the target, and no one's clock moves.
    const before = await t.subscription(mail.to[0]!);
    t.clock.advance(2 * DAY);
    expect(await followLink(t.deps, draft.id, 1, `${'0'.repeat(40)}.${'A'.repeat(43)}`)).toContain('tri=avis');
    expect(await followLink(t.deps, draft.id, 1, undefined)).toContain('tri=avis');
    expect(await t.subscription(mail.to[0]!)).toEqual(before);
    // A link the campaign does not have, or a target no longer allowed: 404, no redirect.
    await expect(followLink(t.deps, draft.id, 2, token)).rejects.toMatchObject({ status: 404 });
    await expect(
      followLink({ ...t.deps, linkTargets: ['https://blog.example.test/'] }, draft.id, 0, token),
    ).rejects.toMatchObject({ status: 404 });
  }, 60_000);
});
