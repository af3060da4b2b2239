/**
 * Reports end to end (ADR 0015; DSA art. 16, 17, 20, 23): a published review is reported (the
 * reporter gets an acknowledgement), a moderator claims and removes it with a statement of reasons
 * (mailed to the author; the outcome to the reporter), the author appeals and another moderator
 * reverses the decision (the first one may not), and the transparency report counts it all. Two
 * decisions of one report at once: exactly one is recorded. A reporter with 3 unfounded reports is
 * barred, then refused. The reviews are written in the table in part A's layout (a published review).
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reviewEntity } from '#functions/reviews/entities.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { callAs } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { waitForMail } from '../support/mail.ts';

const cloud = inject('cloud');
const IP = '127.0.0.114';
const root = join(import.meta.dirname, '..', '..');
const db = localDocumentClient(cloud.urls.dynamodb);
const table = () => tableNamesFrom(cloud.env).reviews;
afterAll(() => db.destroy());

let author: Person;
let reporter: Person;
let moderator: Person;
let otherModerator: Person;

beforeAll(async () => {
  [author, reporter, moderator, otherModerator] = await Promise.all([
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'moderator'),
    signedInPerson(cloud, 'moderator'),
  ]);
}, 60_000);

const text = 'Séance décevante, la praticienne était en retard et peu à l’écoute.';

/** A published review of `author`, as part A stores it once a moderator accepted it. */
async function publishedReview(): Promise<string> {
  const hex = randomBytes(16).toString('hex');
  const id = `rev_${hex}`;
  const now = new Date();
  const experienceAt = new Date(now.getTime() - 5 * 86_400_000);
  const publishedAt = new Date(now.getTime() - 86_400_000).toISOString();
  const practitionerId = randomUUID();
  await db.send(
    new PutCommand({
      TableName: table(),
      Item: retainedItem(
        reviewEntity,
        {
          pk: `REVIEW#${id}`,
          sk: 'REVIEW',
          id,
          appointmentId: `apt_${hex}`,
          practitionerId,
          authorId: author.accountId,
          authorName: 'Test P.',
          experienceAt: experienceAt.toISOString(),
          state: 'published',
          rating: 2,
          text,
          createdAt: publishedAt,
          submittedAt: publishedAt,
          published: { rating: 2, text, publishedAt },
          version: 2,
          listingPk: `PRACTITIONER#${practitionerId}`,
          listingSk: `${publishedAt}#${id}`,
          partyPk: `AUTHOR#${author.accountId}`,
          partySk: `${publishedAt}#${id}`,
        },
        { clockStartedAt: experienceAt, subjectKey: subjectKeyForAccount(author.accountId), now },
      ),
    }),
  );
  return id;
}

const reviewItem = async (id: string) =>
  (
    await db.send(
      new GetCommand({ TableName: table(), Key: { pk: `REVIEW#${id}`, sk: 'REVIEW' }, ConsistentRead: true }),
    )
  ).Item;

async function report(reviewId: string, who: Person = reporter) {
  return callAs(cloud, IP, who, 'POST', `/reviews/${reviewId}/reports`, {
    reason: 'abusive',
    explanation: 'Cet avis met en cause la praticienne sans fondement.',
  });
}

async function claim(who: Person, kind: 'report' | 'appeal', id: string) {
  const claimed = await callAs(cloud, IP, who, 'POST', `/moderation/queue/${kind}/${id}/claim`);
  expect(claimed.status, claimed.body).toBe(200);
}

const statement = 'Le texte porte des accusations non étayées contre la praticienne.';
const mailTo = (person: Person, subject: string) =>
  waitForMail(cloud.urls.mailStore, (m) => m.destination.to.includes(person.email) && m.subject === subject);

describe('reports of reviews', () => {
  it('report → acknowledgement → removal with reasons → appeal → reversal by another moderator → transparency', async () => {
    const reviewId = await publishedReview();
    const filed = await report(reviewId);
    expect(filed.status, filed.body).toBe(201);
    const reportId = (JSON.parse(filed.body) as { id: string }).id;
    expect((await report(reviewId)).status).toBe(409);
    expect((await report(reviewId, author)).status).toBe(403);
    expect((await report(`rev_${randomBytes(16).toString('hex')}`)).status).toBe(404);
    const ack = await mailTo(reporter, 'Nous avons bien reçu votre signalement');
    expect(ack.body.text).toContain(reportId);

    // No decision without a live claim of one's own; then two at once: exactly one is recorded.
    const decide = (who: Person, outcome: string, words: string) =>
      callAs(cloud, IP, who, 'POST', `/moderation/reports/${reportId}/decision`, {
        outcome,
        statement: words,
        ground: 'abusive',
      });
    expect((await decide(moderator, 'remove', statement)).status).toBe(409);
    await claim(moderator, 'report', reportId);
    expect((await decide(otherModerator, 'remove', statement)).status).toBe(409);
    const both = await Promise.all([
      decide(moderator, 'remove', statement),
      decide(moderator, 'remove', `${statement} (second)`),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = both.findIndex((r) => r.status === 200);
    const stored = (
      await db.send(new GetCommand({ TableName: table(), Key: { pk: `REPORT#${reportId}`, sk: 'REPORT' } }))
    ).Item;
    expect(stored).toMatchObject({
      state: 'decided',
      decision: { outcome: 'remove', moderatorId: moderator.accountId },
    });
    expect(stored?.decision.statement).toBe(winner === 0 ? statement : `${statement} (second)`);
    expect(stored?.queuePk).toBeUndefined();
    expect(stored?.reported).toEqual({ rating: 2, text, restricted: false });
    const removed = await reviewItem(reviewId);
    expect(removed).toMatchObject({ state: 'removed', version: 3 });
    expect(removed?.listingPk).toBeUndefined();

    // The statement of reasons to the author, the outcome to the reporter.
    const reasons = await mailTo(author, 'Votre avis a été retiré');
    expect(reasons.body.text).toContain(stored?.decision.statement);
    expect(reasons.body.text).toContain('sans moyen automatisé');
    await mailTo(reporter, 'Décision sur votre signalement');
    const mine = JSON.parse((await callAs(cloud, IP, reporter, 'GET', '/me/reports')).body) as {
      items: { id: string; outcome?: string }[];
    };
    expect(mine.items.find((r) => r.id === reportId)?.outcome).toBe('remove');

    // The author appeals once; the moderator who decided may not decide the appeal.
    const appealPath = `/moderation/decisions/${reportId}/appeals`;
    const explanation = { explanation: 'Mon avis décrit fidèlement ma séance.' };
    expect((await callAs(cloud, IP, otherModerator, 'POST', appealPath, explanation)).status).toBe(404);
    const appealed = await callAs(cloud, IP, author, 'POST', appealPath, explanation);
    expect(appealed.status, appealed.body).toBe(201);
    expect((await callAs(cloud, IP, author, 'POST', appealPath, explanation)).status).toBe(409);
    const appealId = (JSON.parse(appealed.body) as { id: string }).id;
    const decideAppeal = (who: Person) =>
      callAs(cloud, IP, who, 'POST', `/moderation/appeals/${appealId}/decision`, {
        outcome: 'reverse',
        statement: 'Le texte relate une expérience vécue, sans propos injurieux.',
      });
    await claim(otherModerator, 'appeal', appealId);
    expect((await decideAppeal(moderator)).status).toBe(403);
    const reversed = await decideAppeal(otherModerator);
    expect(reversed.status, reversed.body).toBe(200);
    const restored = await reviewItem(reviewId);
    expect(restored).toMatchObject({ state: 'published', version: 4, listingSk: expect.stringContaining(reviewId) });
    expect((await mailTo(author, 'Votre recours est accepté')).body.text).toContain(appealId);

    // The transparency report over today (UTC) counts it, and names nobody.
    const today = new Date().toISOString().slice(0, 10);
    const answer = await callAs(
      cloud,
      IP,
      moderator,
      'GET',
      `/moderation/transparency-report?from=${today}&to=${today}`,
    );
    expect(answer.status, answer.body).toBe(200);
    const transparency = JSON.parse(answer.body);
    expect(transparency.reports.byReason.abusive).toBeGreaterThanOrEqual(1);
    expect(transparency.decisions.byOutcome.remove).toBeGreaterThanOrEqual(1);
    expect(transparency.appeals.filed).toBeGreaterThanOrEqual(1);
    expect(transparency.appeals.reversed).toBeGreaterThanOrEqual(1);
    expect(transparency.timeToDecisionHours.p95).toBeGreaterThanOrEqual(0);
    expect(answer.body).not.toContain(reportId);
    expect(answer.body).not.toContain(reporter.accountId);
    expect(
      (await callAs(cloud, IP, reporter, 'GET', `/moderation/transparency-report?from=${today}&to=${today}`)).status,
    ).toBe(403);

    // `npm run transparency-report` reads the same records through the same use case.
    const cli = await promisify(execFile)(
      process.execPath,
      ['local/transparency-report-cli.ts', '--from', today, '--to', today],
      { cwd: root, env: { ...process.env, ...cloud.env } },
    );
    const printed = JSON.parse(cli.stdout);
    expect(Object.keys(printed).sort()).toEqual(Object.keys(transparency).sort());
    expect(printed.reports.byReason.abusive).toBeGreaterThanOrEqual(transparency.reports.byReason.abusive);
    expect(printed.appeals.reversed).toBeGreaterThanOrEqual(1);
    expect(cli.stdout).not.toContain(reportId);
    const refused = await promisify(execFile)(
      process.execPath,
      ['local/transparency-report-cli.ts', '--from', today, '--to', '2020-01-01'],
      { cwd: root, env: { ...process.env, ...cloud.env } },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2 });
  });

  it('a reporter found unfounded 3 times within 12 months is barred, then refused', async () => {
    const barPath = `/moderation/reporters/${reporter.accountId}/bar`;
    const bar = {
      until: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      reason: 'Signalements abusifs répétés.',
    };
    const reportIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      if (i === 2) expect((await callAs(cloud, IP, moderator, 'POST', barPath, bar)).status).toBe(422);
      const filed = await report(await publishedReview());
      expect(filed.status, filed.body).toBe(201);
      const reportId = (JSON.parse(filed.body) as { id: string }).id;
      reportIds.push(reportId);
      await claim(moderator, 'report', reportId);
      const kept = await callAs(cloud, IP, moderator, 'POST', `/moderation/reports/${reportId}/decision`, {
        outcome: 'keep',
        statement: 'L’avis relate une expérience personnelle sans propos illicite.',
      });
      expect(kept.status, kept.body).toBe(200);
    }
    const barred = await callAs(cloud, IP, moderator, 'POST', barPath, {
      ...bar,
      until: new Date(Date.now() + 200 * 86_400_000).toISOString(),
    });
    expect(barred.status).toBe(422);
    const answer = await callAs(cloud, IP, moderator, 'POST', barPath, bar);
    expect(answer.status, answer.body).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({
      moderatorId: moderator.accountId,
      reportIds: expect.arrayContaining(reportIds),
    });
    expect((await report(await publishedReview())).status).toBe(403);
  });
});
