/**
 * The moderation queue, the summary and the review policy end to end (ADR 0015, part C), through
 * the local gateway, bus and scheduler with each function's own grants:
 * - two moderators claim the same waiting item at once: one gets it, the other a 409; a client may
 *   not list or claim; what does not wait is a 404;
 * - review events update the practitioner's profile summary (count, average, distribution), a
 *   withdrawn review leaves it;
 * - the hourly stale alert mails the moderators' inbox an item waiting more than 48 hours, once;
 * - the review policy is public and cached.
 * Review items are written as part A writes them (their lifecycle is in reviews.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReviewPublished, ReviewWithdrawn } from '#events/catalogue.ts';
import { itemKey, queueKeys } from '#functions/reviews/domain/moderation.ts';
import { reviewEntity } from '#functions/reviews/entities.ts';
import { systemClock } from '#shared/clock.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { callApi } from '../support/api.ts';
import { callAs, openAgenda } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
const IP = '127.0.0.117';
const db = localDocumentClient(cloud.urls.dynamodb);
const { reviews: table } = tableNamesFrom(cloud.env);
const bus = new EventBridgeClient({
  region: 'eu-west-3',
  endpoint: cloud.env.AWS_ENDPOINT_URL_EVENTBRIDGE!,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const events = eventBridgePublisher({ client: bus, busName: cloud.env.EVENT_BUS_NAME!, clock: systemClock });

const newReviewId = () => `rev_${randomBytes(16).toString('hex')}`;
const seeded: string[] = [];
const hour = 3_600_000;

/** A review item as part A writes it: pending (queued since `since`) or published with its rating. */
async function putReview(
  id: string,
  practitionerId: string,
  fields: { state: 'pending'; since: Date } | { state: 'published'; rating: number },
) {
  const now = new Date();
  const rating = fields.state === 'published' ? fields.rating : 4;
  const item = {
    ...itemKey('review', id),
    id,
    practitionerId,
    authorId: 'e2e-author',
    authorName: 'Zoé M.',
    experienceAt: new Date(now.getTime() - 72 * hour).toISOString(),
    state: fields.state,
    rating,
    text: 'Très bonne séance.',
    version: 1,
    ...(fields.state === 'published'
      ? {
          published: { rating, text: 'Très bonne séance.', publishedAt: now.toISOString() },
          listingPk: `PRACTITIONER#${practitionerId}`,
          listingSk: `${now.toISOString()}#${id}`,
        }
      : queueKeys('review', id, fields.since)),
  };
  await db.send(
    new PutCommand({
      TableName: table,
      Item: retainedItem(reviewEntity, item, {
        clockStartedAt: now,
        subjectKey: subjectKeyForAccount('e2e-author'),
        now,
      }),
    }),
  );
  seeded.push(id);
}

let moderatorA: Person;
let moderatorB: Person;
let client: Person;
let practitioner: Person;

beforeAll(async () => {
  [moderatorA, moderatorB, client, practitioner] = await Promise.all([
    signedInPerson(cloud, 'moderator'),
    signedInPerson(cloud, 'moderator'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'practitioner'),
  ]);
}, 60_000);

afterAll(async () => {
  for (const id of seeded) await db.send(new DeleteCommand({ TableName: table, Key: itemKey('review', id) }));
  db.destroy();
  bus.destroy();
});

describe('the moderation queue', () => {
  it('lists what waits; of two moderators claiming at once, one gets it and the other a 409', async () => {
    const id = newReviewId();
    await putReview(id, 'prac-e2e', { state: 'pending', since: new Date(Date.now() - hour) });

    const listed = await callAs(cloud, IP, moderatorA, 'GET', '/moderation/queue?kind=review&limit=50');
    expect(listed.status, listed.body).toBe(200);
    expect(JSON.parse(listed.body).items).toContainEqual({
      kind: 'review',
      id,
      since: expect.any(String),
      waitingHours: 1,
    });
    expect((await callAs(cloud, IP, client, 'GET', '/moderation/queue')).status).toBe(403);

    const claim = `/moderation/queue/review/${id}/claim`;
    const answers = await Promise.all([
      callAs(cloud, IP, moderatorA, 'POST', claim),
      callAs(cloud, IP, moderatorB, 'POST', claim),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    const holder = JSON.parse(winner.body).claimedBy as string;
    expect([moderatorA.accountId, moderatorB.accountId]).toContain(holder);
    // the holder renews; the listing shows the live claim
    const renewer = holder === moderatorA.accountId ? moderatorA : moderatorB;
    expect((await callAs(cloud, IP, renewer, 'POST', claim)).status).toBe(200);
    const after = JSON.parse(
      (await callAs(cloud, IP, moderatorA, 'GET', '/moderation/queue?kind=review&limit=50')).body,
    );
    expect(after.items.find((i: { id: string }) => i.id === id)).toMatchObject({ claimedBy: holder });

    expect((await callAs(cloud, IP, client, 'POST', claim)).status).toBe(403);
    expect(
      (await callAs(cloud, IP, moderatorA, 'POST', `/moderation/queue/review/${newReviewId()}/claim`)).status,
    ).toBe(404);
    expect((await callAs(cloud, IP, moderatorA, 'POST', `/moderation/queue/report/${id}/claim`)).status).toBe(404);
  });

  it('mails the moderators an item waiting more than 48 hours, once', async () => {
    const id = newReviewId();
    await putReview(id, 'prac-e2e', { state: 'pending', since: new Date(Date.now() - 49 * hour) });
    const fire = () =>
      fetch(`${cloud.urls.aws}/_local/schedules/hourly-stale-moderation-alert/fire`, { method: 'POST' });
    expect((await fire()).status).toBe(200);
    const alerts = async () =>
      (await mails(cloud.urls.mailStore)).filter(
        (m) => m.subject.startsWith('[Modération]') && m.body.text?.includes(id),
      );
    const [alert] = await until('the stale alert', async () => ((await alerts()).length > 0 ? alerts() : undefined));
    expect(alert!.destination.to).toEqual([cloud.env.PLATFORM_INBOX]);
    expect(alert!.body.text).toContain(`avis ${id} : en attente depuis 49 h`);
    expect(alert!.body.text).not.toContain('Zoé');
    expect((await fire()).status).toBe(200);
    expect(await alerts()).toHaveLength(1);
  });
});

describe('the summary on the profile', () => {
  it('follows review events: published reviews count, a withdrawn one no more', async () => {
    const agenda = await openAgenda(cloud, IP, practitioner);
    const practitionerId = agenda.practitionerId;
    const profile = async () => {
      const reply = await callApi(cloud, IP, 'GET', `/practitioners/${practitionerId}`);
      expect(reply.status).toBe(200);
      return JSON.parse(reply.body).reviews as { count: number; average: number | null };
    };
    expect(await profile()).toEqual({ count: 0, average: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } });

    const [five, two] = [newReviewId(), newReviewId()];
    await putReview(five, practitionerId, { state: 'published', rating: 5 });
    await putReview(two, practitionerId, { state: 'published', rating: 2 });
    for (const reviewId of [five, two, five])
      await events.publish(ReviewPublished, { reviewId, practitionerId, version: 1 });
    expect(
      await until('both reviews counted', async () => {
        const reviews = await profile();
        return reviews.count === 2 ? reviews : undefined;
      }),
    ).toEqual({ count: 2, average: 3.5, distribution: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 1 } });

    await db.send(new DeleteCommand({ TableName: table, Key: itemKey('review', two) }));
    await events.publish(ReviewWithdrawn, { reviewId: two, practitionerId, version: 2 });
    expect(
      await until('the withdrawn review gone', async () => {
        const reviews = await profile();
        return reviews.count === 1 ? reviews : undefined;
      }),
    ).toMatchObject({ count: 1, average: 5 });
  });
});

describe('the review policy', () => {
  it('is public, cached, and says how reviews are checked, ranked, kept and contested', async () => {
    const reply = await callApi(cloud, IP, 'GET', '/reviews/policy');
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('public, max-age=3600');
    const policy = JSON.parse(reply.body);
    expect(policy.control).toMatchObject({ checked: true, method: 'human-pre-moderation' });
    expect(policy.publication.period).toEqual({ years: 5 });
    expect(policy.contest.appealWindowMonths).toBe(6);
    const etag = reply.headers.etag as string;
    const again = await callApi(cloud, IP, 'GET', '/reviews/policy', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });
});
