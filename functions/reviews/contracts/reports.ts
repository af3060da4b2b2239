/**
 * Operations of the reviews context: reports of published reviews, their decisions, appeals,
 * reporter bars and the transparency report (ADR 0015; the DSA's articles 15, 16, 17, 20 and 23).
 */
import * as z from 'zod';
import { appealId, reportId, reviewId } from '#events/catalogue.ts';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { pageOf, pageQueryFields } from '#shared/http/pagination.ts';
import { APPEAL_OUTCOMES } from '../domain/appeal.ts';
import { APPEAL_WINDOW_MONTHS, REPORT_OUTCOMES, reportReasonCodes } from '../domain/moderation.ts';
import { BAR_LOOKBACK_MONTHS, BAR_MAX_MONTHS, BAR_THRESHOLD, reportStates } from '../domain/report.ts';
import { TRANSPARENCY_MAX_DAYS } from '../domain/transparency.ts';

const signedIn: Access = { kind: 'authenticated' };
const moderatorOnly: Access = { kind: 'role', roles: ['moderator'] };

// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const lines = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;

/** Lines of text, trimmed, CRLF and CR kept as LF, no control character but tabs and line breaks. */
const multiLine = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(lines, 'text without control characters other than tabs and line breaks')
    .transform((text) => text.replace(/\r\n?/g, '\n'));

export const ReportReasonCode = z
  .enum(reportReasonCodes)
  .meta({ id: 'ReportReason', description: 'A reason of the closed list (GET /reviews/policy gives their labels).' });
export const ReportOutcomeCode = z
  .enum(REPORT_OUTCOMES)
  .meta({ id: 'ReportOutcome', description: 'keep the review, remove it, or restrict it (rating kept, text hidden).' });

export const ReportInput = z
  .object({ reason: ReportReasonCode, explanation: multiLine(10, 2000) })
  .strict()
  .meta({ id: 'ReportInput', description: 'Why the review should not stay online as it is.' });

/** A report as its reporter sees it. */
export const MyReport = z
  .object({
    id: reportId,
    reviewId,
    reason: ReportReasonCode,
    explanation: z.string(),
    filedAt: z.iso.datetime(),
    state: z.enum(reportStates),
    outcome: ReportOutcomeCode.optional().meta({ description: 'Once decided.' }),
    decidedAt: z.iso.datetime().optional(),
    appealUntil: z.iso.datetime().optional().meta({ description: 'The decision may be appealed until then.' }),
    appealId: appealId.optional().meta({ description: 'The reporter’s appeal of the decision, if any.' }),
  })
  .meta({ id: 'MyReport' });

export const fileReport = defineOperation({
  operationId: 'fileReport',
  summary: 'Report a published review (any signed-in account but its author)',
  tags: ['reviews'],
  access: signedIn,
  rateLimit: { perAccount: { requests: 30, windowSeconds: 3600 } },
  pathParameters: z.object({ reviewId }).strict(),
  body: ReportInput,
  responses: {
    201: {
      description: 'The report waits for a moderator; an acknowledgement is mailed to the reporter.',
      schema: MyReport,
    },
    403: {
      description:
        'The caller wrote the review (they edit or withdraw it instead), or is barred from reporting until a date.',
    },
    404: { description: 'No publicly listed review with this id.' },
    409: { description: 'The caller has an open report of this review already.' },
    503: { description: 'The report is stored but could not be announced: its acknowledgement may not be mailed.' },
  },
});

export const listMyReports = defineOperation({
  operationId: 'listMyReports',
  summary: 'The caller’s reports, newest first, with their outcome',
  tags: ['reviews'],
  access: signedIn,
  query: z.object(pageQueryFields).strict(),
  responses: {
    200: {
      description: 'A page of reports; a page may hold fewer than `limit`: follow `nextCursor` until it is absent.',
      schema: pageOf(MyReport, 'MyReportPage'),
    },
  },
});

export const ReportDecisionInput = z
  .object({
    outcome: ReportOutcomeCode,
    statement: multiLine(20, 5000).meta({
      description: 'The statement of reasons: mailed to the review’s author when the review is removed or restricted.',
    }),
    ground: z
      .union([ReportReasonCode, z.literal('none')])
      .optional()
      .meta({ description: 'The reason of the closed list the decision rests on; `none` (the default) for none.' }),
  })
  .strict()
  .meta({ id: 'ReportDecisionInput' });

export const ReportDecisionResult = z
  .object({
    reportId,
    decisionId: z.string(),
    outcome: ReportOutcomeCode,
    decidedAt: z.iso.datetime(),
  })
  .meta({ id: 'ReportDecisionResult' });

export const decideReport = defineOperation({
  operationId: 'decideReport',
  summary: 'Moderator: decide a report (keep, remove or restrict the review) with a statement of reasons',
  tags: ['moderation'],
  access: moderatorOnly,
  pathParameters: z.object({ reportId }).strict(),
  body: ReportDecisionInput,
  responses: {
    200: {
      description: 'The decision is recorded (and its effect on the review, in the same transaction); mails follow.',
      schema: ReportDecisionResult,
    },
    404: { description: 'No such report.' },
    409: {
      description:
        'The caller holds no live claim on the report (claim it first), it is decided already, or the review changed meanwhile (try again).',
    },
    503: { description: 'The decision is recorded but could not be announced: its mails may not go.' },
  },
});

export const AppealInput = z
  .object({ explanation: multiLine(10, 2000) })
  .strict()
  .meta({ id: 'AppealInput' });

export const AppealView = z
  .object({
    id: appealId,
    reportId,
    decisionId: z.string(),
    appellant: z.enum(['reporter', 'author']),
    filedAt: z.iso.datetime(),
    state: z.enum(['open', 'decided']),
  })
  .meta({ id: 'Appeal' });

export const fileAppeal = defineOperation({
  operationId: 'fileAppeal',
  summary: `Appeal a report's decision (its reporter or the review's author, within ${APPEAL_WINDOW_MONTHS} months of it)`,
  tags: ['reviews'],
  access: signedIn,
  rateLimit: { perAccount: { requests: 10, windowSeconds: 3600 } },
  pathParameters: z.object({ reportId }).strict(),
  body: AppealInput,
  responses: {
    201: { description: 'The appeal waits for a moderator other than the one who decided.', schema: AppealView },
    403: { description: `More than ${APPEAL_WINDOW_MONTHS} months after the decision.` },
    404: { description: 'No decision of a report the caller filed or whose review they wrote.' },
    409: { description: 'The report is not decided yet, or the caller appealed its decision already.' },
    503: { description: 'The appeal is stored but could not be announced.' },
  },
});

export const AppealDecisionInput = z
  .object({
    outcome: z.enum(APPEAL_OUTCOMES),
    statement: multiLine(20, 5000).meta({ description: 'The reasons, mailed to the appellant.' }),
  })
  .strict()
  .meta({ id: 'AppealDecisionInput' });

export const AppealDecisionResult = z
  .object({
    appealId,
    reportId,
    outcome: z.enum(APPEAL_OUTCOMES),
    decidedAt: z.iso.datetime(),
  })
  .meta({ id: 'AppealDecisionResult' });

export const decideAppeal = defineOperation({
  operationId: 'decideAppeal',
  summary: 'Moderator: decide an appeal (uphold or reverse the decision), not the moderator who decided it',
  tags: ['moderation'],
  access: moderatorOnly,
  pathParameters: z.object({ appealId }).strict(),
  body: AppealDecisionInput,
  responses: {
    200: {
      description:
        'Recorded; a reversal restores a removed or restricted review (or removes a kept one) in the same transaction.',
      schema: AppealDecisionResult,
    },
    403: { description: 'The caller decided the report appealed: another moderator decides the appeal.' },
    404: { description: 'No such appeal.' },
    409: { description: 'The caller holds no live claim on the appeal, it is decided already, or the review changed.' },
    503: { description: 'The decision is recorded but could not be announced: its mail may not go.' },
  },
});

export const BarInput = z
  .object({
    until: z.iso.datetime().meta({ description: `At most ${BAR_MAX_MONTHS} months from now.` }),
    reason: multiLine(10, 1000),
  })
  .strict()
  .meta({ id: 'ReporterBarInput' });

export const ReporterBarView = z
  .object({
    accountId: z.string(),
    until: z.iso.datetime(),
    reason: z.string(),
    moderatorId: z.string(),
    barredAt: z.iso.datetime(),
    reportIds: z.array(reportId).meta({ description: 'The unfounded reports the bar rests on.' }),
  })
  .meta({ id: 'ReporterBar' });

export const barReporter = defineOperation({
  operationId: 'barReporter',
  summary: `Moderator: bar a reporter (at least ${BAR_THRESHOLD} reports found unfounded within ${BAR_LOOKBACK_MONTHS} months) for up to ${BAR_MAX_MONTHS} months`,
  tags: ['moderation'],
  access: moderatorOnly,
  pathParameters: z.object({ accountId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict(),
  body: BarInput,
  responses: {
    201: {
      description: 'The bar is recorded (who, why, on which reports); it replaces any earlier one.',
      schema: ReporterBarView,
    },
    422: {
      description: `Fewer than ${BAR_THRESHOLD} reports of this account found unfounded within ${BAR_LOOKBACK_MONTHS} months, or \`until\` is not within the next ${BAR_MAX_MONTHS} months.`,
    },
  },
});

const counts = <T extends readonly [string, ...string[]]>(keys: T) => z.record(z.enum(keys), z.number().int().min(0));

export const TransparencyReportView = z
  .object({
    period: z.object({ from: z.iso.date(), to: z.iso.date() }),
    reports: z.object({ total: z.number().int(), byReason: counts(reportReasonCodes) }),
    decisions: z.object({
      total: z.number().int(),
      byOutcome: counts(REPORT_OUTCOMES),
      pending: z.number().int().meta({ description: 'Reports of the period not decided yet.' }),
    }),
    timeToDecisionHours: z
      .object({
        median: z.number(),
        p95: z.number().meta({ description: 'Nearest-rank 95th percentile.' }),
      })
      .nullable()
      .meta({ description: 'From the report to its decision; null when none was decided.' }),
    appeals: z.object({ filed: z.number().int(), reversed: z.number().int() }),
    automatedDecisions: z.literal(0),
  })
  .meta({
    id: 'TransparencyReport',
    description: 'Reports filed in the period (UTC dates, inclusive) and what became of them: counts only.',
  });

const day = 86_400_000;

export const TransparencyQuery = z
  .object({ from: z.iso.date(), to: z.iso.date() })
  .strict()
  .refine((q) => q.from <= q.to, { message: '`to` is on or after `from`', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / day < TRANSPARENCY_MAX_DAYS, {
    message: `at most ${TRANSPARENCY_MAX_DAYS} days`,
    path: ['to'],
  });

export const getTransparencyReport = defineOperation({
  operationId: 'getTransparencyReport',
  summary: 'Moderator, DPO: the transparency report on reports and their moderation over a period',
  tags: ['moderation'],
  access: { kind: 'role', roles: ['moderator', 'dpo'] },
  query: TransparencyQuery,
  responses: {
    200: {
      description: `Counts by reason and outcome, time to decision, appeals and reversals (at most ${TRANSPARENCY_MAX_DAYS} days).`,
      schema: TransparencyReportView,
    },
  },
});
