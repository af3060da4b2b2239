/**
 * Reports, their decisions, appeals and reporter bars in the reviews table (ADR 0015):
 * - `REPORT#<rpt>` / `REPORT`: the report, kept 5 years from it, its subject the reporter; queued
 *   (`queuePk`/`queueSk`) while open; found by its reporter through `byParty`
 *   (`partyPk = REPORTER#<account>`, `partySk = <filedAt>#<rpt>`: GET /me/reports, the bar) and by
 *   month of filing through `byListing` (`listingPk = REPORTS#<YYYY-MM>`, `listingSk = <filedAt>#<rpt>`:
 *   the transparency report, a bounded query per month);
 * - `REPORTLOCK#<rev>#<reporter>` / `LOCK`: one open report per reporter and review, written with
 *   the report on a not-exists condition, deleted with its decision;
 * - `APPEAL#<apl>` / `APPEAL`: an appeal, kept as long as its report; queued while open;
 * - `BAR#<account>` / `BAR`: a reporter bar, with the moderator, the reason and the reports it rests on.
 * A decision is one transaction: the report (on the caller's live claim and its open state), the
 * lock, and the review (on its version) when it changes. Review items are changed here in the
 * layout of adapters/review-store.ts; their events come from that table's stream (the outbox).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { queryAll, withoutDue } from '#shared/dynamo/reads.ts';
import { type TransactItem, transact } from '#shared/dynamo/transactions.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import type { Appeal, AppealDecision } from '../domain/appeal.ts';
import { holdsLiveClaim, queueKeys, type ReportOutcome, type ReportReason } from '../domain/moderation.ts';
import type {
  AppellantRole,
  DecisionGround,
  Report,
  ReportDecision,
  ReporterBar,
  ReportState,
  ReviewEffect,
} from '../domain/report.ts';
import type { Review } from '../domain/review.ts';
import type { TransparencyRecord } from '../domain/transparency.ts';
import { appealEntity, openReportLockEntity, reportEntity, reporterBarEntity } from '../entities.ts';
import { decisionCondition, QUEUE_REMOVALS } from './moderation-queue.ts';

export const PARTY_INDEX = 'byParty';
export const LISTING_INDEX = 'byListing';

export type DecideOutcome = 'decided' | 'no-claim' | 'stale';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/** What a decision does to the review item, on the version read. */
export interface ReviewChange {
  readonly review: Review;
  readonly effect: Exclude<ReviewEffect, 'none'>;
}

export interface ReportStore {
  findBar(accountId: string, now: Date): Promise<ReporterBar | undefined>;
  /** Writes the report and its lock; 'open-report-exists' when the reporter has an open report of the review. */
  file(report: Report, now: Date): Promise<'filed' | 'open-report-exists'>;
  find(reportId: string, now: Date): Promise<Report | undefined>;
  /** The decision, on the caller's live claim and the open state, the lock deleted, the review changed. */
  decide(report: Report, decision: ReportDecision, change: ReviewChange | undefined, now: Date): Promise<DecideOutcome>;
  listByReporter(
    reporterId: string,
    page: { limit: number; cursor?: string | undefined },
    now: Date,
  ): Promise<Page<Report>>;
  allByReporter(reporterId: string, now: Date): Promise<Report[]>;
  saveBar(bar: ReporterBar, now: Date): Promise<void>;
  /** The appeal and its mark on the report (one per party); 'already-appealed' when the party has one. */
  fileAppeal(appeal: Appeal, now: Date): Promise<'filed' | 'already-appealed'>;
  findAppeal(appealId: string, now: Date): Promise<Appeal | undefined>;
  decideAppeal(
    appeal: Appeal,
    decision: AppealDecision,
    change: ReviewChange | undefined,
    now: Date,
  ): Promise<DecideOutcome>;
  /** The report records filed between two instants (inclusive, exclusive), month bucket by month bucket. */
  filedBetween(from: Date, to: Date, months: readonly string[], now: Date): Promise<TransparencyRecord[]>;
  /** Records a mail once; false when it was recorded already. */
  markReportMailed(reportId: string, mail: 'ackMailedAt' | 'decisionMailedAt', at: Date): Promise<boolean>;
  markAppealMailed(appealId: string, at: Date): Promise<boolean>;
}

interface DecisionAttr {
  id: string;
  outcome: ReportOutcome;
  ground: DecisionGround;
  statement: string;
  moderatorId: string;
  decidedAt: string;
}

interface ReportItem {
  pk: string;
  sk: 'REPORT';
  id: string;
  reviewId: string;
  practitionerId: string;
  reviewAuthorId: string;
  reporterId: string;
  reason: ReportReason;
  explanation: string;
  reported: { rating: number; text: string; restricted: boolean };
  filedAt: string;
  state: ReportState;
  decision?: DecisionAttr;
  appealByReporter?: string;
  appealByAuthor?: string;
  appealsFiled?: number;
  reversed?: boolean;
  ackMailedAt?: string;
  decisionMailedAt?: string;
  partyPk: string;
  partySk: string;
  listingPk: string;
  listingSk: string;
  queuePk?: string;
  queueSk?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

interface AppealItem {
  pk: string;
  sk: 'APPEAL';
  id: string;
  reportId: string;
  reviewId: string;
  decisionId: string;
  appellantId: string;
  appellantRole: AppellantRole;
  explanation: string;
  filedAt: string;
  reportFiledAt: string;
  state: 'open' | 'decided';
  decision?: { outcome: AppealDecision['outcome']; statement: string; moderatorId: string; decidedAt: string };
  mailedAt?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

interface BarItem {
  pk: string;
  sk: 'BAR';
  accountId: string;
  until: string;
  reason: string;
  moderatorId: string;
  barredAt: string;
  reportIds: string[];
  expiresAt?: number;
  heldExpiresAt?: number;
}

export const reportKey = (id: string) => ({ pk: `REPORT#${id}`, sk: 'REPORT' as const });
export const lockKey = (reviewId: string, reporterId: string) => ({
  pk: `REPORTLOCK#${reviewId}#${reporterId}`,
  sk: 'LOCK' as const,
});
export const appealKey = (id: string) => ({ pk: `APPEAL#${id}`, sk: 'APPEAL' as const });
export const barKey = (accountId: string) => ({ pk: `BAR#${accountId}`, sk: 'BAR' as const });
const reviewKey = (id: string) => ({ pk: `REVIEW#${id}`, sk: 'REVIEW' as const });
const reporterPk = (accountId: string) => `REPORTER#${accountId}`;
/** The month bucket of a report (UTC), for the transparency report. */
export const reportsMonthPk = (month: string) => `REPORTS#${month}`;

const iso = (d: Date) => d.toISOString();
const appealAttr = (role: AppellantRole) => (role === 'reporter' ? 'appealByReporter' : 'appealByAuthor');

function toReport(item: ReportItem): Report {
  const appeals: Partial<Record<AppellantRole, string>> = {
    ...(item.appealByReporter ? { reporter: item.appealByReporter } : {}),
    ...(item.appealByAuthor ? { author: item.appealByAuthor } : {}),
  };
  return {
    id: item.id,
    reviewId: item.reviewId,
    practitionerId: item.practitionerId,
    reviewAuthorId: item.reviewAuthorId,
    reporterId: item.reporterId,
    reason: item.reason,
    explanation: item.explanation,
    reported: item.reported,
    filedAt: new Date(item.filedAt),
    state: item.state,
    ...(item.decision ? { decision: { ...item.decision, decidedAt: new Date(item.decision.decidedAt) } } : {}),
    ...(Object.keys(appeals).length > 0 ? { appeals } : {}),
    ...(item.reversed ? { reversed: true } : {}),
    ...(item.ackMailedAt ? { ackMailedAt: new Date(item.ackMailedAt) } : {}),
    ...(item.decisionMailedAt ? { decisionMailedAt: new Date(item.decisionMailedAt) } : {}),
  };
}

function toAppeal(item: AppealItem): Appeal {
  return {
    id: item.id,
    reportId: item.reportId,
    reviewId: item.reviewId,
    decisionId: item.decisionId,
    appellantId: item.appellantId,
    appellantRole: item.appellantRole,
    explanation: item.explanation,
    filedAt: new Date(item.filedAt),
    reportFiledAt: new Date(item.reportFiledAt),
    state: item.state,
    ...(item.decision ? { decision: { ...item.decision, decidedAt: new Date(item.decision.decidedAt) } } : {}),
    ...(item.mailedAt ? { mailedAt: new Date(item.mailedAt) } : {}),
  };
}

const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

export function dynamoReportStore(deps: { client: DynamoDBDocumentClient; tableName: string }): ReportStore {
  const { client, tableName } = deps;

  /** The review's update for a decision's effect, on the version read (every change: version + 1). */
  function reviewUpdate(change: ReviewChange): TransactItem {
    const { review, effect } = change;
    const values: Record<string, unknown> = { ':previous': review.version, ':version': review.version + 1 };
    let expression: string;
    if (effect === 'remove') {
      // Removed for good: out of the listing, and any pending revision leaves the queue with it.
      expression = `SET #state = :removed, version = :version REMOVE listingPk, listingSk, revisionPending, ${QUEUE_REMOVALS}`;
      values[':removed'] = 'removed';
    } else if (effect === 'restrict') {
      expression = 'SET restricted = :true, version = :version';
      values[':true'] = true;
    } else {
      const publishedAt = review.published?.publishedAt;
      if (!publishedAt) throw new Error('Only a review once published is restored');
      expression =
        'SET #state = :published, version = :version, listingPk = :listingPk, listingSk = :listingSk REMOVE restricted';
      values[':published'] = 'published';
      values[':listingPk'] = `PRACTITIONER#${review.practitionerId}`;
      values[':listingSk'] = `${iso(publishedAt)}#${review.id}`;
    }
    return {
      Update: {
        TableName: tableName,
        Key: reviewKey(review.id),
        UpdateExpression: expression,
        ConditionExpression: 'version = :previous',
        ...(expression.includes('#state') ? { ExpressionAttributeNames: { '#state': 'state' } } : {}),
        ExpressionAttributeValues: values,
      },
    };
  }

  /** Why a decision's write failed: the caller holds no live claim on the item, or the review changed. */
  async function whyNotDecided(key: { pk: string; sk: string }, moderatorId: string, now: Date) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    const item = Item as { claimedBy?: string; claimExpiresAt?: number; queuePk?: string } | undefined;
    return item?.queuePk && holdsLiveClaim(item, moderatorId, now) ? 'stale' : 'no-claim';
  }

  return {
    async findBar(accountId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: barKey(accountId), ConsistentRead: true }),
      );
      const item = Item as BarItem | undefined;
      if (!item || isDue(item, now)) return undefined;
      return {
        accountId: item.accountId,
        until: new Date(item.until),
        reason: item.reason,
        moderatorId: item.moderatorId,
        barredAt: new Date(item.barredAt),
        reportIds: item.reportIds,
      };
    },

    async file(report, now) {
      const subjectKey = subjectKeyForAccount(report.reporterId);
      const retention = { clockStartedAt: report.filedAt, subjectKey, now };
      const sortKey = `${iso(report.filedAt)}#${report.id}`;
      const item = retainedItem(
        reportEntity,
        {
          ...reportKey(report.id),
          id: report.id,
          reviewId: report.reviewId,
          practitionerId: report.practitionerId,
          reviewAuthorId: report.reviewAuthorId,
          reporterId: report.reporterId,
          reason: report.reason,
          explanation: report.explanation,
          reported: report.reported,
          filedAt: iso(report.filedAt),
          state: report.state,
          partyPk: reporterPk(report.reporterId),
          partySk: sortKey,
          listingPk: reportsMonthPk(iso(report.filedAt).slice(0, 7)),
          listingSk: sortKey,
          ...queueKeys('report', report.id, report.filedAt),
        } satisfies ReportItem,
        retention,
      );
      const lock = retainedItem(
        openReportLockEntity,
        { ...lockKey(report.reviewId, report.reporterId), reportId: report.id },
        retention,
      );
      const result = await transact(client, [
        { Put: { TableName: tableName, Item: lock, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
      if (result.committed) return 'filed';
      if (result.reasons[0] === 'ConditionalCheckFailed') return 'open-report-exists';
      throw new Error(`Report not filed: ${result.reasons.join(', ')}`);
    },

    async find(reportId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: reportKey(reportId), ConsistentRead: true }),
      );
      const item = Item as ReportItem | undefined;
      return item && !isDue(item, now) ? toReport(item) : undefined;
    },

    async decide(report, decision, change, now) {
      const claim = decisionCondition(decision.moderatorId, now);
      const result = await transact(client, [
        {
          Update: {
            TableName: tableName,
            Key: reportKey(report.id),
            UpdateExpression: `SET #state = :decided, decision = :decision REMOVE ${QUEUE_REMOVALS}`,
            ConditionExpression: `${claim.ConditionExpression} AND #state = :open`,
            ExpressionAttributeNames: { ...claim.ExpressionAttributeNames, '#state': 'state' },
            ExpressionAttributeValues: {
              ...claim.ExpressionAttributeValues,
              ':decided': 'decided',
              ':open': 'open',
              ':decision': {
                id: decision.id,
                outcome: decision.outcome,
                ground: decision.ground,
                statement: decision.statement,
                moderatorId: decision.moderatorId,
                decidedAt: iso(decision.decidedAt),
              } satisfies DecisionAttr,
            },
          },
        },
        { Delete: { TableName: tableName, Key: lockKey(report.reviewId, report.reporterId) } },
        ...(change ? [reviewUpdate(change)] : []),
      ]);
      if (result.committed) return 'decided';
      return whyNotDecided(reportKey(report.id), decision.moderatorId, now);
    },

    async listByReporter(reporterId, page, now) {
      const pk = reporterPk(reporterId);
      const start = page.cursor
        ? decodeCursor(page.cursor, ['partyPk', 'partySk', 'pk', 'sk'], { partyPk: pk })
        : undefined;
      const result = await client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: tableName,
              IndexName: PARTY_INDEX,
              KeyConditionExpression: 'partyPk = :partyPk',
              ExpressionAttributeValues: { ':partyPk': pk },
              ScanIndexForward: false,
              Limit: page.limit,
              ...(start ? { ExclusiveStartKey: start } : {}),
            },
            now,
          ),
        ),
      );
      return {
        items: ((result.Items ?? []) as ReportItem[]).map(toReport),
        ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(result.LastEvaluatedKey) } : {}),
      };
    },

    async allByReporter(reporterId, now) {
      const items = await queryAll<ReportItem>(
        client,
        withoutDue(
          {
            TableName: tableName,
            IndexName: PARTY_INDEX,
            KeyConditionExpression: 'partyPk = :partyPk',
            ExpressionAttributeValues: { ':partyPk': reporterPk(reporterId) },
          },
          now,
        ),
      );
      return items.map(toReport);
    },

    async saveBar(bar, now) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: retainedItem(
            reporterBarEntity,
            {
              ...barKey(bar.accountId),
              accountId: bar.accountId,
              until: iso(bar.until),
              reason: bar.reason,
              moderatorId: bar.moderatorId,
              barredAt: iso(bar.barredAt),
              reportIds: [...bar.reportIds],
            } satisfies BarItem,
            { clockStartedAt: bar.barredAt, subjectKey: subjectKeyForAccount(bar.accountId), now },
          ),
        }),
      );
    },

    async fileAppeal(appeal, now) {
      const item = retainedItem(
        appealEntity,
        {
          ...appealKey(appeal.id),
          id: appeal.id,
          reportId: appeal.reportId,
          reviewId: appeal.reviewId,
          decisionId: appeal.decisionId,
          appellantId: appeal.appellantId,
          appellantRole: appeal.appellantRole,
          explanation: appeal.explanation,
          filedAt: iso(appeal.filedAt),
          reportFiledAt: iso(appeal.reportFiledAt),
          state: appeal.state,
          ...queueKeys('appeal', appeal.id, appeal.filedAt),
        } satisfies AppealItem,
        // Kept as long as the report it appeals: the report's clock.
        { clockStartedAt: appeal.reportFiledAt, subjectKey: subjectKeyForAccount(appeal.appellantId), now },
      );
      const attr = appealAttr(appeal.appellantRole);
      const result = await transact(client, [
        {
          Update: {
            TableName: tableName,
            Key: reportKey(appeal.reportId),
            UpdateExpression: `SET ${attr} = :appeal, appealsFiled = if_not_exists(appealsFiled, :zero) + :one`,
            ConditionExpression: `attribute_not_exists(${attr}) AND #state = :decided`,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':appeal': appeal.id, ':zero': 0, ':one': 1, ':decided': 'decided' },
          },
        },
        { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
      if (result.committed) return 'filed';
      if (result.reasons[0] === 'ConditionalCheckFailed') return 'already-appealed';
      throw new Error(`Appeal not filed: ${result.reasons.join(', ')}`);
    },

    async findAppeal(appealId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: appealKey(appealId), ConsistentRead: true }),
      );
      const item = Item as AppealItem | undefined;
      return item && !isDue(item, now) ? toAppeal(item) : undefined;
    },

    async decideAppeal(appeal, decision, change, now) {
      const claim = decisionCondition(decision.moderatorId, now);
      const reversed = decision.outcome === 'reverse';
      const result = await transact(client, [
        {
          Update: {
            TableName: tableName,
            Key: appealKey(appeal.id),
            UpdateExpression: `SET #state = :decided, decision = :decision REMOVE ${QUEUE_REMOVALS}`,
            ConditionExpression: `${claim.ConditionExpression} AND #state = :open`,
            ExpressionAttributeNames: { ...claim.ExpressionAttributeNames, '#state': 'state' },
            ExpressionAttributeValues: {
              ...claim.ExpressionAttributeValues,
              ':decided': 'decided',
              ':open': 'open',
              ':decision': {
                outcome: decision.outcome,
                statement: decision.statement,
                moderatorId: decision.moderatorId,
                decidedAt: iso(decision.decidedAt),
              },
            },
          },
        },
        ...(reversed
          ? [
              {
                Update: {
                  TableName: tableName,
                  Key: reportKey(appeal.reportId),
                  UpdateExpression: 'SET reversed = :true',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':true': true },
                },
              },
            ]
          : []),
        ...(change ? [reviewUpdate(change)] : []),
      ]);
      if (result.committed) return 'decided';
      return whyNotDecided(appealKey(appeal.id), decision.moderatorId, now);
    },

    async filedBetween(from, to, months, now) {
      const records: TransparencyRecord[] = [];
      for (const month of months) {
        const items = await queryAll<ReportItem>(
          client,
          withoutDue(
            {
              TableName: tableName,
              IndexName: LISTING_INDEX,
              KeyConditionExpression: 'listingPk = :month AND listingSk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':month': reportsMonthPk(month), ':from': iso(from), ':to': iso(to) },
              // Only what the report counts: no person, no text.
              ProjectionExpression: '#reason, #filedAt, #decision.#outcome, #decision.#decidedAt, #appeals, #reversed',
              ExpressionAttributeNames: {
                '#reason': 'reason',
                '#filedAt': 'filedAt',
                '#decision': 'decision',
                '#outcome': 'outcome',
                '#decidedAt': 'decidedAt',
                '#appeals': 'appealsFiled',
                '#reversed': 'reversed',
              },
            },
            now,
          ),
        );
        for (const item of items) {
          // BETWEEN is inclusive; `to` is the first instant after the period.
          if (item.filedAt >= iso(to)) continue;
          records.push({
            reason: item.reason,
            filedAt: new Date(item.filedAt),
            ...(item.decision
              ? { decision: { outcome: item.decision.outcome, decidedAt: new Date(item.decision.decidedAt) } }
              : {}),
            appealsFiled: item.appealsFiled ?? 0,
            reversed: item.reversed === true,
          });
        }
      }
      return records;
    },

    async markReportMailed(reportId, mail, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: reportKey(reportId),
            UpdateExpression: 'SET #mail = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#mail)',
            ExpressionAttributeNames: { '#mail': mail },
            ExpressionAttributeValues: { ':at': iso(at) },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async markAppealMailed(appealId, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: appealKey(appealId),
            UpdateExpression: 'SET mailedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mailedAt)',
            ExpressionAttributeValues: { ':at': iso(at) },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
