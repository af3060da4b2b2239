/**
 * The reports part's use cases (ADR 0015): file a report, decide it, appeal the decision, decide
 * the appeal, bar a reporter, the transparency report, and the mails that follow each event.
 *
 * Events are published after the write (like functions/contact/use-cases.ts): when the bus fails
 * the caller gets a 503, the write is kept (the item is in the moderation queue all the same), and
 * the mails of that event may not go.
 */
import { AppealDecided, AppealFiled, ReportDecided, ReportFiled } from '#events/catalogue.ts';
import type { EventContract, EventData } from '#events/envelope.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { AuthorDirectory } from './adapters/author-directory.ts';
import type { ReportStore, ReviewChange } from './adapters/report-store.ts';
import {
  type Appeal,
  type AppealOutcome,
  appealDecisionMail,
  appealRefusal,
  appellantRole,
  mayDecideAppeal,
  fileAppeal as newAppeal,
} from './domain/appeal.ts';
import type { ReportOutcome, ReportReason } from './domain/moderation.ts';
import {
  appealDeadline,
  barRefusal,
  type DecisionGround,
  decisionEffect,
  filingRefusal,
  isBarred,
  fileReport as newReport,
  type Report,
  type ReviewEffect,
  reportAcknowledgementMail,
  reportOutcomeMail,
  reversalEffect,
  statementOfReasonsMail,
  unfoundedReports,
} from './domain/report.ts';
import type { Review } from './domain/review.ts';
import { monthsOf, transparencyReport } from './domain/transparency.ts';

export interface ReportDeps {
  readonly reports: ReportStore;
  /** The review as stored (strongly consistent), or undefined when gone. */
  readonly reviews: { find(reviewId: string, now: Date): Promise<Review | undefined> };
  readonly clock: Clock;
}

export interface AnnouncingDeps extends ReportDeps {
  readonly events: EventPublisher;
}

export interface ReportMailDeps extends ReportDeps {
  readonly directory: AuthorDirectory;
  readonly mailer: Mailer;
}

const notFound = (detail: string) => new HttpProblem(404, 'Not found', detail);
const conflict = (detail: string) => new HttpProblem(409, 'Conflict', detail);
const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);

async function announce<E extends EventContract>(
  events: EventPublisher,
  contract: E,
  data: EventData<E>,
  correlationId: string,
  what: string,
) {
  try {
    await events.publish(contract, data, { correlationId });
  } catch {
    throw new HttpProblem(503, 'Service unavailable', `${what} is recorded but could not be announced`, {
      headers: { 'Retry-After': '30' },
    });
  }
}

export function myReportView(report: Report) {
  const decision = report.decision;
  return {
    id: report.id,
    reviewId: report.reviewId,
    reason: report.reason,
    explanation: report.explanation,
    filedAt: report.filedAt.toISOString(),
    state: report.state,
    ...(decision
      ? {
          outcome: decision.outcome,
          decidedAt: decision.decidedAt.toISOString(),
          appealUntil: appealDeadline(decision.decidedAt).toISOString(),
        }
      : {}),
    ...(report.appeals?.reporter ? { appealId: report.appeals.reporter } : {}),
  };
}

export async function fileReport(
  deps: AnnouncingDeps,
  reporterId: string,
  reviewId: string,
  input: { reason: ReportReason; explanation: string },
  correlationId: string,
) {
  const now = deps.clock.now();
  const review = await deps.reviews.find(reviewId, now);
  const refusal = filingRefusal(review, reporterId);
  if (refusal === 'not-listed' || !review) throw notFound('No publicly listed review with this id');
  if (refusal === 'own-review') throw forbidden('The author of a review edits or withdraws it; they do not report it');
  const bar = await deps.reports.findBar(reporterId, now);
  if (isBarred(bar, now)) {
    throw forbidden(`Reporting is barred for this account until ${bar?.until.toISOString()}`);
  }
  const report = newReport(review, { reporterId, ...input }, newId('rpt'), now);
  if ((await deps.reports.file(report, now)) === 'open-report-exists') {
    throw conflict('You have an open report of this review already');
  }
  await announce(deps.events, ReportFiled, { reportId: report.id, reviewId }, correlationId, 'The report');
  return myReportView(report);
}

export async function listMyReports(
  deps: ReportDeps,
  reporterId: string,
  page: { limit: number; cursor?: string | undefined },
) {
  const result = await deps.reports.listByReporter(reporterId, page, deps.clock.now());
  return {
    items: result.items.map(myReportView),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  };
}

const changeOf = (review: Review | undefined, effect: ReviewEffect): ReviewChange | undefined =>
  review && effect !== 'none' ? { review, effect } : undefined;

export async function decideReport(
  deps: AnnouncingDeps,
  moderatorId: string,
  reportId: string,
  input: { outcome: ReportOutcome; statement: string; ground?: DecisionGround | undefined },
  correlationId: string,
) {
  const now = deps.clock.now();
  const report = await deps.reports.find(reportId, now);
  if (!report) throw notFound('No such report');
  if (report.state !== 'open') throw conflict('The report is decided already');
  const review = await deps.reviews.find(report.reviewId, now);
  const decision = {
    id: newId('dec'),
    outcome: input.outcome,
    ground: input.ground ?? 'none',
    statement: input.statement,
    moderatorId,
    decidedAt: now,
  };
  const outcome = await deps.reports.decide(
    report,
    decision,
    changeOf(review, decisionEffect(input.outcome, review)),
    now,
  );
  if (outcome === 'no-claim') {
    throw conflict('You hold no live claim on this report (claim it first), or it is decided already');
  }
  if (outcome === 'stale') throw conflict('The review changed meanwhile: decide again');
  await announce(
    deps.events,
    ReportDecided,
    { reportId, reviewId: report.reviewId, decisionId: decision.id },
    correlationId,
    'The decision',
  );
  return { reportId, decisionId: decision.id, outcome: decision.outcome, decidedAt: now.toISOString() };
}

function appealView(appeal: Appeal) {
  return {
    id: appeal.id,
    reportId: appeal.reportId,
    decisionId: appeal.decisionId,
    appellant: appeal.appellantRole,
    filedAt: appeal.filedAt.toISOString(),
    state: appeal.state,
  };
}

export async function fileAppeal(
  deps: AnnouncingDeps,
  callerId: string,
  reportId: string,
  input: { explanation: string },
  correlationId: string,
) {
  const now = deps.clock.now();
  const report = await deps.reports.find(reportId, now);
  const refusal = appealRefusal(report, callerId, now);
  const role = report ? appellantRole(report, callerId) : undefined;
  if (!report || !role || refusal === 'not-a-party') {
    throw notFound('No decision of a report you filed or of your review with this id');
  }
  if (refusal === 'not-decided') throw conflict('The report is not decided yet');
  if (refusal === 'too-late') throw forbidden('The period to appeal this decision is over');
  if (refusal === 'already-appealed') throw conflict('You appealed this decision already');
  const appeal = newAppeal(report, role, input.explanation, newId('apl'), now);
  if ((await deps.reports.fileAppeal(appeal, now)) === 'already-appealed') {
    throw conflict('You appealed this decision already');
  }
  await announce(
    deps.events,
    AppealFiled,
    { appealId: appeal.id, decisionId: appeal.decisionId, reviewId: appeal.reviewId },
    correlationId,
    'The appeal',
  );
  return appealView(appeal);
}

export async function decideAppeal(
  deps: AnnouncingDeps,
  moderatorId: string,
  appealId: string,
  input: { outcome: AppealOutcome; statement: string },
  correlationId: string,
) {
  const now = deps.clock.now();
  const appeal = await deps.reports.findAppeal(appealId, now);
  if (!appeal) throw notFound('No such appeal');
  const report = await deps.reports.find(appeal.reportId, now);
  if (!report?.decision) throw notFound('The decision appealed is gone');
  if (!mayDecideAppeal(report, moderatorId)) {
    throw forbidden('You decided the report appealed: another moderator decides the appeal');
  }
  if (appeal.state !== 'open') throw conflict('The appeal is decided already');
  const review = await deps.reviews.find(report.reviewId, now);
  const effect = input.outcome === 'reverse' ? reversalEffect(report.decision.outcome, review) : 'none';
  const decision = { outcome: input.outcome, statement: input.statement, moderatorId, decidedAt: now };
  const outcome = await deps.reports.decideAppeal(appeal, decision, changeOf(review, effect), now);
  if (outcome === 'no-claim') {
    throw conflict('You hold no live claim on this appeal (claim it first), or it is decided already');
  }
  if (outcome === 'stale') throw conflict('The review changed meanwhile: decide again');
  await announce(
    deps.events,
    AppealDecided,
    { appealId, decisionId: appeal.decisionId, reviewId: appeal.reviewId },
    correlationId,
    'The decision',
  );
  return { appealId, reportId: appeal.reportId, outcome: input.outcome, decidedAt: now.toISOString() };
}

export async function barReporter(
  deps: ReportDeps,
  moderatorId: string,
  accountId: string,
  input: { until: string; reason: string },
) {
  const now = deps.clock.now();
  const until = new Date(input.until);
  const reports = await deps.reports.allByReporter(accountId, now);
  const refusal = barRefusal(reports, until, now);
  if (refusal) {
    const detail = {
      'too-few-unfounded': 'This account has fewer than 3 reports found unfounded within 12 months',
      'until-in-past': '`until` is not in the future',
      'until-too-far': '`until` is more than 6 months away',
    }[refusal];
    throw new HttpProblem(422, 'Unprocessable entity', detail);
  }
  const bar = {
    accountId,
    until,
    reason: input.reason,
    moderatorId,
    barredAt: now,
    reportIds: unfoundedReports(reports, now).map((r) => r.id),
  };
  await deps.reports.saveBar(bar, now);
  return {
    ...bar,
    until: until.toISOString(),
    barredAt: now.toISOString(),
    reportIds: [...bar.reportIds],
  };
}

/** The transparency report over the reports filed from `from` to `to` (UTC dates, inclusive). */
export async function transparencyReportOf(deps: ReportDeps, period: { from: string; to: string }) {
  const start = new Date(`${period.from}T00:00:00.000Z`);
  const end = new Date(Date.parse(`${period.to}T00:00:00.000Z`) + 86_400_000);
  const records = await deps.reports.filedBetween(start, end, monthsOf(period.from, period.to), deps.clock.now());
  return transparencyReport(records, period);
}

// The mails of the events: each once (a mark on the item), French, to addresses read from Cognito.

export type MailOutcome = 'sent' | 'already-sent' | 'gone' | 'no-address';

/** ReportFiled: the acknowledgement of receipt to the reporter (DSA art. 16(4)). */
export async function acknowledgeReport(deps: ReportMailDeps, reportId: string): Promise<MailOutcome> {
  const report = await deps.reports.find(reportId, deps.clock.now());
  if (!report) return 'gone';
  if (report.ackMailedAt) return 'already-sent';
  const reporter = await deps.directory.identityOf(report.reporterId);
  if (!reporter?.email) return 'no-address';
  await deps.mailer.send(reportAcknowledgementMail(report, reporter.email, reporter.firstName));
  return (await deps.reports.markReportMailed(report.id, 'ackMailedAt', deps.clock.now())) ? 'sent' : 'already-sent';
}

/**
 * ReportDecided: the statement of reasons to the review's author when it was removed or restricted
 * (DSA art. 17), the outcome to the reporter; marked once both went.
 */
export async function mailReportDecision(
  deps: ReportMailDeps,
  reportId: string,
): Promise<{ author: MailOutcome | 'none'; reporter: MailOutcome }> {
  const now = deps.clock.now();
  const report = await deps.reports.find(reportId, now);
  if (!report?.decision) return { author: 'gone', reporter: 'gone' };
  if (report.decisionMailedAt) return { author: 'already-sent', reporter: 'already-sent' };
  let author: MailOutcome | 'none' = 'none';
  if (report.decision.outcome !== 'keep') {
    const identity = await deps.directory.identityOf(report.reviewAuthorId);
    const review = await deps.reviews.find(report.reviewId, now);
    const mail = identity?.email
      ? statementOfReasonsMail(report, review?.experienceAt, identity.email, identity.firstName)
      : undefined;
    if (mail) await deps.mailer.send(mail);
    author = mail ? 'sent' : 'no-address';
  }
  const identity = await deps.directory.identityOf(report.reporterId);
  const mail = identity?.email ? reportOutcomeMail(report, identity.email, identity.firstName) : undefined;
  if (mail) await deps.mailer.send(mail);
  const reporter: MailOutcome = mail ? 'sent' : 'no-address';
  await deps.reports.markReportMailed(report.id, 'decisionMailedAt', deps.clock.now());
  return { author, reporter };
}

/** AppealDecided: the decision and its reasons to the appellant. */
export async function mailAppealDecision(deps: ReportMailDeps, appealId: string): Promise<MailOutcome> {
  const now = deps.clock.now();
  const appeal = await deps.reports.findAppeal(appealId, now);
  if (!appeal?.decision) return 'gone';
  if (appeal.mailedAt) return 'already-sent';
  const report = await deps.reports.find(appeal.reportId, now);
  if (!report) return 'gone';
  const identity = await deps.directory.identityOf(appeal.appellantId);
  const mail = identity?.email ? appealDecisionMail(appeal, report, identity.email, identity.firstName) : undefined;
  if (!mail) return 'no-address';
  await deps.mailer.send(mail);
  return (await deps.reports.markAppealMailed(appeal.id, deps.clock.now())) ? 'sent' : 'already-sent';
}
