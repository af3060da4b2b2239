/**
 * The moderation queue and the summary projection against DynamoDB Local (ADR 0015): two
 * moderators claiming the same item at once, exactly one gets it; an expired claim is taken over;
 * a decision holds only with the caller's live claim and takes the item out of the queue; the
 * listing is oldest first, by kind, page by page; the stale alert's mark holds 24 hours. The
 * summary: concurrent projections of one practitioner's reviews all count (conditional writes on
 * the summary's version, retried), a review gone counts no more, and the profile's reader sees it.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  decisionCondition,
  dynamoModerationQueue,
  type ModerationQueue,
  QUEUE_REMOVALS,
} from '#functions/reviews/adapters/moderation-queue.ts';
import { dynamoSummaryStore } from '#functions/reviews/adapters/summary-store.ts';
import { CLAIM_MINUTES, itemKey, type QueueKind, queueKeys } from '#functions/reviews/domain/moderation.ts';
import { reportEntity, reviewEntity } from '#functions/reviews/entities.ts';
import { projectReviewSummary } from '#functions/reviews/summary.ts';
import { manualClock } from '#shared/clock.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { dynamoReviewSummaryReader } from '#shared/reviews/review-summary-reader.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db: DynamoDBDocumentClient = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
let queue: ModerationQueue;

const minute = 60_000;
const now = new Date('2026-05-01T10:00:00Z');
const hex = (n: number) => n.toString(16).padStart(32, '0');
const rev = (n: number) => `rev_${hex(n)}`;
const rpt = (n: number) => `rpt_${hex(n)}`;

beforeAll(async () => {
  tableName = (await freshTables(cloud.urls.dynamodb, 'reviews-queue')).reviews;
  queue = dynamoModerationQueue({ client: db, tableName });
});
afterAll(async () => {
  await dropFreshTables(cloud.urls.dynamodb);
  db.destroy();
});

/** A review item as part A writes it (pending: queued; published: counted). */
async function putReview(n: number, fields: { state: 'pending' | 'published'; rating?: number; since?: Date }) {
  const id = rev(n);
  const item = {
    ...itemKey('review', id),
    id,
    practitionerId: 'prac-1',
    authorId: `client-${n}`,
    version: 1,
    state: fields.state,
    rating: fields.rating ?? 4,
    ...(fields.state === 'published' ? { published: { rating: fields.rating ?? 4, text: 'Bien.' } } : {}),
    ...(fields.state === 'pending' ? queueKeys('review', id, fields.since ?? now) : {}),
  };
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: retainedItem(reviewEntity, item, {
        clockStartedAt: now,
        subjectKey: subjectKeyForAccount(`client-${n}`),
        now,
      }),
    }),
  );
}

async function putReport(n: number, since: Date) {
  const id = rpt(n);
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: retainedItem(
        reportEntity,
        { ...itemKey('report', id), id, ...queueKeys('report', id, since) },
        { clockStartedAt: since, subjectKey: subjectKeyForAccount(`reporter-${n}`), now: since },
      ),
    }),
  );
}

/** A decision as parts A and B write it: their own condition AND the caller's live claim. */
async function decide(kind: QueueKind, id: string, moderatorId: string, at: Date): Promise<boolean> {
  const claim = decisionCondition(moderatorId, at);
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: itemKey(kind, id),
        UpdateExpression: `SET #state = :decided REMOVE ${QUEUE_REMOVALS}`,
        ConditionExpression: `#state = :pending AND ${claim.ConditionExpression}`,
        ExpressionAttributeNames: { '#state': 'state', ...claim.ExpressionAttributeNames },
        ExpressionAttributeValues: {
          ':decided': 'published',
          ':pending': 'pending',
          ...claim.ExpressionAttributeValues,
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

describe('claims', () => {
  it('two moderators claiming the same item at once: exactly one gets it', async () => {
    const ids = [1, 2, 3, 4, 5];
    for (const n of ids) await putReview(n, { state: 'pending' });
    for (const n of ids) {
      const outcomes = await Promise.all([
        queue.claim('review', rev(n), 'mod-a', now),
        queue.claim('review', rev(n), 'mod-b', now),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['claimed', 'held']);
      expect(outcomes.find((o) => o.outcome === 'held')).toEqual({
        outcome: 'held',
        expiresAt: new Date(now.getTime() + CLAIM_MINUTES * minute),
      });
    }
  });

  it('an expired claim is taken over; then only the new holder may decide', async () => {
    await putReview(10, { state: 'pending' });
    expect((await queue.claim('review', rev(10), 'mod-a', now)).outcome).toBe('claimed');
    const before = new Date(now.getTime() + CLAIM_MINUTES * minute - 1);
    expect((await queue.claim('review', rev(10), 'mod-b', before)).outcome).toBe('held');
    const expired = new Date(now.getTime() + CLAIM_MINUTES * minute);
    expect(await queue.claim('review', rev(10), 'mod-b', expired)).toEqual({
      outcome: 'claimed',
      expiresAt: new Date(expired.getTime() + CLAIM_MINUTES * minute),
    });
    expect(await decide('review', rev(10), 'mod-a', expired)).toBe(false);
    expect(await decide('review', rev(10), 'mod-b', expired)).toBe(true);
    // decided: out of the queue, nothing to claim or decide any more
    expect(await queue.claim('review', rev(10), 'mod-a', expired)).toEqual({ outcome: 'not-queued' });
    expect(await decide('review', rev(10), 'mod-b', expired)).toBe(false);
  });

  it('a claim past its expiry does not let its holder decide; an unknown item is not queued', async () => {
    await putReview(11, { state: 'pending' });
    await queue.claim('review', rev(11), 'mod-a', now);
    expect(await decide('review', rev(11), 'mod-a', new Date(now.getTime() + CLAIM_MINUTES * minute))).toBe(false);
    expect(await queue.claim('review', rev(999), 'mod-a', now)).toEqual({ outcome: 'not-queued' });
    expect(await queue.claim('reply', rev(11), 'mod-a', now)).toEqual({ outcome: 'not-queued' });
  });
});

describe('the listing and the stale alert', () => {
  it('lists oldest first, by kind, page by page; marks a stale alert once per 24 hours', async () => {
    const old = new Date('2026-04-01T00:00:00Z');
    await putReport(1, old);
    await putReview(20, { state: 'pending', since: new Date(old.getTime() + minute) });
    const first = await queue.list({ limit: 1 }, now);
    expect(first.items).toEqual([{ kind: 'report', id: rpt(1), since: old }]);
    const second = await queue.list({ limit: 1, ...(first.after ? { after: first.after } : {}) }, now);
    expect(second.items.map((i) => i.id)).toEqual([rev(20)]);
    expect((await queue.list({ kind: 'report', limit: 20 }, now)).items.map((i) => i.id)).toEqual([rpt(1)]);
    const all = await queue.list({ kind: 'review', limit: 50 }, now);
    expect(all.items.every((i) => i.kind === 'review')).toBe(true);

    const stale = await queue.waitingSince(new Date(old.getTime() + 2 * minute), now);
    expect(stale.map((i) => i.id)).toEqual([rpt(1), rev(20)]);
    expect(await queue.markStaleAlerted(stale[0]!, now)).toBe(true);
    expect(await queue.markStaleAlerted(stale[0]!, new Date(now.getTime() + 23 * 60 * minute))).toBe(false);
    const again = await queue.waitingSince(new Date(old.getTime() + 2 * minute), now);
    expect(again[0]!.staleAlertedAt).toEqual(now);
    expect(await queue.markStaleAlerted(stale[0]!, new Date(now.getTime() + 24 * 60 * minute))).toBe(true);
  });
});

describe('the summary projection', () => {
  it('counts every review of concurrent projections, forgets a review gone, and the profile reads it', async () => {
    const deps = { store: dynamoSummaryStore({ client: db, tableName }), clock: manualClock(now) };
    const ratings = [5, 4, 4, 3, 5, 1];
    for (const [i, rating] of ratings.entries()) await putReview(100 + i, { state: 'published', rating });
    const outcomes = await Promise.all(
      ratings.map((_, i) => projectReviewSummary(deps, { reviewId: rev(100 + i), practitionerId: 'prac-1' })),
    );
    expect(outcomes.every((o) => o === 'updated')).toBe(true);
    const reader = dynamoReviewSummaryReader({ client: db, tableName });
    expect(await reader.find('prac-1')).toEqual({
      count: 6,
      average: 3.7,
      distribution: { 1: 1, 2: 0, 3: 1, 4: 2, 5: 2 },
    });
    // a duplicate delivery changes nothing
    expect(await projectReviewSummary(deps, { reviewId: rev(100), practitionerId: 'prac-1' })).toBe('unchanged');
    // withdrawn: the item is deleted, then its event comes
    await db.send(new DeleteCommand({ TableName: tableName, Key: itemKey('review', rev(105)) }));
    expect(await projectReviewSummary(deps, { reviewId: rev(105), practitionerId: 'prac-1' })).toBe('updated');
    expect(await reader.find('prac-1')).toMatchObject({ count: 5, average: 4.2 });
    expect(await reader.find('nobody')).toEqual({
      count: 0,
      average: null,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
    });
  });
});
