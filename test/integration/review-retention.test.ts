/**
 * Time travel with a review and a report of it (ADR 0015): the review is kept 5 years from the
 * experience (the appointment's date), its reply and decisions with it; the report, its decision
 * and its appeal 5 years from the report (the policy's row), so the decision stays explainable
 * after the review is gone. One day before each end the item is there and the purge leaves it; one
 * day after, reads skip it and a purge run deletes it. An erased account (a rights request) takes
 * its reviews and the reports it filed with it (ADR 0015: removed, not anonymised).
 *
 * Every date lies after the machine's clock, and so does every expiry: DynamoDB Local deletes
 * expired items by itself, which would race the purge. The use cases' and the purge's clocks are
 * injected; DynamoDB Local's is not.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoErasureLogStore } from '#functions/retention/adapters/erasure-log-store.ts';
import { dynamoHoldStore } from '#functions/retention/adapters/hold-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { dynamoSubjectItemsStore } from '#functions/retention/adapters/subject-items-store.ts';
import { keptOnErasure, partitionRoots } from '#functions/retention/composition-holds.ts';
import { eraseDataSubject } from '#functions/retention/erasure.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { dynamoModerationQueue } from '#functions/reviews/adapters/moderation-queue.ts';
import { dynamoReportStore } from '#functions/reviews/adapters/report-store.ts';
import { dynamoReviewStore } from '#functions/reviews/adapters/review-store.ts';
import { decideAppeal, decideReport, fileAppeal, fileReport } from '#functions/reviews/report-use-cases.ts';
import {
  decideOnReply,
  decideOnReview,
  recordInvitation,
  replyToReview,
  submitReview,
} from '#functions/reviews/review-use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import { addPeriod, utcDay } from '#shared/retention/expiry.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const DAY = 86_400_000;
const hex = () => randomUUID().replaceAll('-', '');

describe('review and report retention: time travel', () => {
  it('a review goes 5 years after the experience; its report, decision and appeal 5 years after the report', async () => {
    const names = await freshTables(cloud.urls.dynamodb, 'rev-retention');
    const clock = manualClock(new Date('2028-03-16T10:00:00Z'));
    const events = recordingPublisher();
    const store = dynamoReviewStore({ client: db, tableName: names.reviews });
    const queue = dynamoModerationQueue({ client: db, tableName: names.reviews });
    const authors = { identityOf: async () => ({ firstName: 'Zoé', lastName: 'Martin', email: 'zoe@example.test' }) };
    const reviewDeps = { store, clock, authors };
    const reportDeps = {
      reports: dynamoReportStore({ client: db, tableName: names.reviews }),
      reviews: store,
      clock,
      events,
    };

    // The experience, its review (published) and the practitioner's reply (published).
    const experience = new Date('2028-03-15T09:00:00Z');
    const clientId = randomUUID();
    const practitionerId = randomUUID();
    const reporterId = randomUUID();
    const appointmentId = `apt_${hex()}`;
    await recordInvitation(reviewDeps, { appointmentId, clientId, practitionerId, startsAt: experience });
    const text = 'Une séance très agréable, merci beaucoup.';
    const review = await submitReview(reviewDeps, clientId, { appointmentId, rating: 5, text });
    await queue.claim('review', review.id, 'mod-1', clock.now());
    await decideOnReview(reviewDeps, 'mod-1', review.id, { outcome: 'accept' });
    await replyToReview(reviewDeps, practitionerId, review.id, 'Merci Zoé !');
    await queue.claim('reply', review.id, 'mod-1', clock.now());
    await decideOnReply(reviewDeps, 'mod-1', review.id, { outcome: 'accept' });

    // Reported a month later, kept by a moderator; the reporter appeals, another moderator upholds.
    clock.set(new Date('2028-04-15T10:00:00Z'));
    const report = await fileReport(
      reportDeps,
      reporterId,
      review.id,
      { reason: 'abusive', explanation: 'Des propos que je trouve injurieux.' },
      'c1',
    );
    await queue.claim('report', report.id, 'mod-1', clock.now());
    const statement = 'Les propos relèvent de la critique et restent mesurés.';
    await decideReport(reportDeps, 'mod-1', report.id, { outcome: 'keep', statement }, 'c2');
    clock.set(new Date('2028-04-20T10:00:00Z'));
    const appeal = await fileAppeal(reportDeps, reporterId, report.id, { explanation: 'Je maintiens.' }, 'c3');
    await queue.claim('appeal', appeal.id, 'mod-2', clock.now());
    await decideAppeal(reportDeps, 'mod-2', appeal.id, { outcome: 'uphold', statement }, 'c4');

    const partition = async (pk: string) =>
      (
        await db.send(
          new QueryCommand({
            TableName: names.reviews,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    const stored = async (key: { pk: string; sk: string }) =>
      (await db.send(new GetCommand({ TableName: names.reviews, Key: key, ConsistentRead: true }))).Item;
    const reviewItems = await partition(`REVIEW#${review.id}`);
    // The review, its reply and the two decisions (on the review, on the reply).
    expect(reviewItems.map((i) => i.entity).sort()).toEqual([
      'review',
      'review-decision',
      'review-decision',
      'review-reply',
    ]);
    expect((await partition(`REPORT#${report.id}`)).map((i) => i.entity)).toEqual(['report']);
    expect(await stored({ pk: `APPEAL#${appeal.id}`, sk: 'APPEAL' })).toMatchObject({ entity: 'appeal' });

    const reviewEnd = addPeriod(experience, { years: 5 });
    const reportEnd = addPeriod(new Date('2028-04-15T10:00:00Z'), { years: 5 });
    expect(reviewEnd.toISOString()).toBe('2033-03-15T09:00:00.000Z');
    const deps = {
      store: dynamoRetentionTables({ client: db, tableNames: names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
      events: recordingPublisher(),
      clock,
      entities,
      tables: Object.keys(tables) as TableName[],
      // The invitation's 90 days ended long before: the purge starts after them.
      options: { startDay: utcDay(new Date(reviewEnd.getTime() - 30 * DAY)) },
    };

    // The review's end minus a day: listed, and the purge leaves it.
    clock.set(new Date(reviewEnd.getTime() - DAY));
    expect((await store.find(review.id, clock.now()))?.id).toBe(review.id);
    expect(await purgeExpiredItems(deps)).toMatchObject({ complete: true, itemsDeleted: 0 });
    expect(await partition(`REVIEW#${review.id}`)).toHaveLength(4);

    // Plus a day: no read shows it, and the purge deletes it with its reply and decisions. The
    // report stays: it explains its decision with the text it snapshotted.
    clock.set(new Date(reviewEnd.getTime() + DAY));
    expect(await store.find(review.id, clock.now())).toBeUndefined();
    const first = await purgeExpiredItems(deps);
    expect(first).toMatchObject({ complete: true, itemsDeleted: 4, deletedByPurpose: { review: 4 } });
    expect(await partition(`REVIEW#${review.id}`)).toEqual([]);
    const kept = await reportDeps.reports.find(report.id, clock.now());
    expect(kept).toMatchObject({ id: report.id, state: 'decided', reported: { text } });

    // The report's end minus a day: the report and its appeal are there, the purge leaves them.
    clock.set(new Date(reportEnd.getTime() - DAY));
    expect(await purgeExpiredItems(deps)).toMatchObject({ complete: true, itemsDeleted: 0 });
    expect(await reportDeps.reports.findAppeal(appeal.id, clock.now())).toMatchObject({ id: appeal.id });

    // Plus a day: gone on read, then deleted: the report (its decision inside) and the appeal.
    clock.set(new Date(reportEnd.getTime() + DAY));
    expect(await reportDeps.reports.find(report.id, clock.now())).toBeUndefined();
    expect(await reportDeps.reports.findAppeal(appeal.id, clock.now())).toBeUndefined();
    const second = await purgeExpiredItems(deps);
    expect(second).toMatchObject({ complete: true, itemsDeleted: 2, deletedByPurpose: { 'review-report': 2 } });
    expect(await partition(`REPORT#${report.id}`)).toEqual([]);
    expect(await stored({ pk: `APPEAL#${appeal.id}`, sk: 'APPEAL' })).toBeUndefined();
  });

  it('an erased account takes its reviews with their replies and decisions, and the reports it filed', async () => {
    const names = await freshTables(cloud.urls.dynamodb, 'rev-erasure');
    const clock = manualClock(new Date('2028-03-16T10:00:00Z'));
    const events = recordingPublisher();
    const store = dynamoReviewStore({ client: db, tableName: names.reviews });
    const queue = dynamoModerationQueue({ client: db, tableName: names.reviews });
    const authors = { identityOf: async () => ({ firstName: 'Zoé', lastName: 'Martin', email: 'zoe@example.test' }) };
    const reviewDeps = { store, clock, authors };
    const reports = dynamoReportStore({ client: db, tableName: names.reviews });
    const reportDeps = { reports, reviews: store, clock, events };
    const practitionerId = randomUUID();
    const [erased, other] = [randomUUID(), randomUUID()];
    const text = 'Une séance très agréable, merci beaucoup.';
    const publishedReviewOf = async (clientId: string) => {
      const appointmentId = `apt_${hex()}`;
      await recordInvitation(reviewDeps, { appointmentId, clientId, practitionerId, startsAt: clock.now() });
      const review = await submitReview(reviewDeps, clientId, { appointmentId, rating: 4, text });
      await queue.claim('review', review.id, 'mod-1', clock.now());
      await decideOnReview(reviewDeps, 'mod-1', review.id, { outcome: 'accept' });
      return review.id;
    };
    const mine = await publishedReviewOf(erased);
    await replyToReview(reviewDeps, practitionerId, mine, 'Merci !');
    const theirs = await publishedReviewOf(other);
    const explanation = 'Des propos que je trouve injurieux.';
    const myReport = await fileReport(reportDeps, erased, theirs, { reason: 'abusive', explanation }, 'c1');
    const theirReport = await fileReport(reportDeps, other, mine, { reason: 'abusive', explanation }, 'c2');

    const result = await eraseDataSubject(
      {
        holds: dynamoHoldStore({ client: db, tableName: names.retention }),
        subjects: dynamoSubjectItemsStore({ client: db, tableNames: names }),
        erasureLog: dynamoErasureLogStore({ client: db, tableName: names.retention }),
        accounts: { withEmail: async () => [], byId: async () => undefined, removeUser: async () => 'absent' },
        events,
        clock,
        partitionRoots,
        keptOnErasure,
      },
      { subject: { accountId: erased }, channel: 'email', requestReference: 'DPO-2028-001' },
      { userId: randomUUID(), roles: ['dpo'] },
      'c3',
    );
    const partition = async (pk: string) =>
      (
        await db.send(
          new QueryCommand({
            TableName: names.reviews,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    // Their review with its reply and decision, its invitation, their report and its open-report lock.
    expect(result).toMatchObject({ itemsErased: 6, itemsUnderHold: 0 });
    expect(await partition(`REVIEW#${mine}`)).toEqual([]);
    expect(await partition(`REPORT#${myReport.id}`)).toEqual([]);
    expect(await store.allByAuthor(erased, clock.now())).toEqual([]);
    // The other client's review and report stay (the report keeps the text it reported).
    expect((await store.find(theirs, clock.now()))?.id).toBe(theirs);
    expect(await reports.find(theirReport.id, clock.now())).toMatchObject({ reported: { text } });
  });
});
