/**
 * The review store against DynamoDB Local, with time travel (ADR 0015): the invitation's 90 days
 * checked on read (TTL is lazy), one review per appointment, its retention and subject key written
 * by construction, a decision only on the caller's live claim, the public list, and a withdrawal
 * or an account deletion taking the whole partition (reply, decisions).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoModerationQueue } from '#functions/reviews/adapters/moderation-queue.ts';
import { dynamoReviewStore } from '#functions/reviews/adapters/review-store.ts';
import {
  decideOnReply,
  decideOnReview,
  deleteReviewsOfAccount,
  listPractitionerReviews,
  recordInvitation,
  replyToReview,
  submitReview,
} from '#functions/reviews/review-use-cases.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { manualClock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
afterAll(() => db.destroy());
beforeAll(async () => {
  tableName = (await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`)).TABLE_REVIEWS!;
});

const start = new Date('2026-03-02T09:00:00Z');
const clock = manualClock(new Date('2026-03-02T11:00:00Z'));
const hex = () => randomUUID().replaceAll('-', '');
const text = 'Une séance très agréable, merci beaucoup.';

function setup() {
  const store = dynamoReviewStore({ client: db, tableName });
  const queue = dynamoModerationQueue({ client: db, tableName });
  const authors = { identityOf: async () => ({ firstName: 'Zoé', lastName: 'Martin', email: 'zoe@example.test' }) };
  return { store, queue, deps: { store, clock, authors } };
}

const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error) => (error instanceof HttpProblem ? error.status : 500),
  );

describe('review store', () => {
  it('keeps the invitation 90 days from the appointment, and one review per appointment', async () => {
    const { store, deps } = setup();
    const clientId = randomUUID();
    const invitation = { appointmentId: `apt_${hex()}`, clientId, practitionerId: randomUUID(), startsAt: start };
    expect(await recordInvitation(deps, invitation)).toBe('recorded');
    expect(await recordInvitation(deps, invitation)).toBe('exists');
    expect(await store.findInvitation(invitation.appointmentId, new Date('2026-05-30T09:00:00Z'))).toBeDefined();
    expect(await store.findInvitation(invitation.appointmentId, new Date('2026-05-31T09:00:01Z'))).toBeUndefined();
    expect(await store.recordInvitation({ ...invitation, appointmentId: `apt_${hex()}` }, new Date('2026-06-01'))).toBe(
      'expired',
    );

    const review = await submitReview(deps, clientId, { appointmentId: invitation.appointmentId, rating: 5, text });
    expect(review).toMatchObject({ state: 'pending', authorName: 'Zoé M.', experienceDate: '2026-03-02' });
    expect(
      await status(submitReview(deps, clientId, { appointmentId: invitation.appointmentId, rating: 1, text })),
    ).toBe(409);
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: `REVIEW#${review.id}`, sk: 'REVIEW' } }),
    );
    expect(Item).toMatchObject({
      entity: 'review',
      subjectKey: `account#${clientId}`,
      retentionPurpose: 'review',
      expiresAt: Date.parse('2031-03-02T09:00:00Z') / 1000,
      partyPk: `AUTHOR#${clientId}`,
      queuePk: 'QUEUE',
    });
  });

  it('decides on a live claim only; lists what is published; an account deletion takes the whole partition', async () => {
    const { store, queue, deps } = setup();
    const clientId = randomUUID();
    const practitionerId = randomUUID();
    const ids: string[] = [];
    for (const _ of [1, 2]) {
      const appointmentId = `apt_${hex()}`;
      await recordInvitation(deps, { appointmentId, clientId, practitionerId, startsAt: start });
      ids.push((await submitReview(deps, clientId, { appointmentId, rating: 4, text })).id);
    }
    const [first, second] = ids as [string, string];
    expect(await status(decideOnReview(deps, 'mod-1', first, { outcome: 'accept' }))).toBe(409);
    expect((await queue.claim('review', first, 'mod-1', clock.now())).outcome).toBe('claimed');
    expect(await status(decideOnReview(deps, 'mod-2', first, { outcome: 'accept' }))).toBe(409);
    expect(await decideOnReview(deps, 'mod-1', first, { outcome: 'accept' })).toMatchObject({ state: 'published' });
    expect(await status(decideOnReview(deps, 'mod-1', first, { outcome: 'accept' }))).toBe(409);

    await replyToReview(deps, practitionerId, first, 'Merci Zoé !');
    await queue.claim('reply', first, 'mod-1', clock.now());
    await decideOnReply(deps, 'mod-1', first, { outcome: 'accept' });
    const page = await listPractitionerReviews(deps, practitionerId, { limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: first, author: 'Zoé M.', reply: { text: 'Merci Zoé !' } });

    expect(await deleteReviewsOfAccount(deps, clientId)).toEqual({ deleted: 2 });
    for (const id of [first, second]) {
      const left = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `REVIEW#${id}` },
        }),
      );
      expect(left.Items, id).toEqual([]);
    }
    expect(await store.allByAuthor(clientId, clock.now())).toEqual([]);
  });
});
