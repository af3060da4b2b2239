/**
 * Reports of published reviews (ADR 0015; the DSA's notices, art. 16 and 17), pure: who may report,
 * what a report snapshots, what a decision does to the review, the reporter bar (art. 23), and the
 * French mails (the acknowledgement, the statement of reasons, the outcome). No AWS here.
 */
import type { Mail } from '#shared/mail/mail.ts';
import { APPEAL_WINDOW_MONTHS, REPORT_REASONS, type ReportOutcome, type ReportReason } from './moderation.ts';
import type { Review } from './review.ts';

export const reportStates = ['open', 'decided'] as const;
export type ReportState = (typeof reportStates)[number];

/** The ground a decision rests on: a reason of the closed list, or none (e.g. a report found unfounded). */
export type DecisionGround = ReportReason | 'none';

export interface ReportDecision {
  /** `dec_` id: what ReportDecided, AppealFiled and AppealDecided name. */
  readonly id: string;
  readonly outcome: ReportOutcome;
  readonly ground: DecisionGround;
  /** The statement of reasons (DSA art. 17), sent to the review's author when it is removed or restricted. */
  readonly statement: string;
  readonly moderatorId: string;
  readonly decidedAt: Date;
}

export type AppellantRole = 'reporter' | 'author';

export interface Report {
  readonly id: string;
  readonly reviewId: string;
  readonly practitionerId: string;
  readonly reviewAuthorId: string;
  readonly reporterId: string;
  readonly reason: ReportReason;
  readonly explanation: string;
  /** What was reported, as the public saw it then: the decision stays explainable after the review is gone. */
  readonly reported: { readonly rating: number; readonly text: string; readonly restricted: boolean };
  readonly filedAt: Date;
  readonly state: ReportState;
  readonly decision?: ReportDecision;
  /** The appeal of each party, at most one each. */
  readonly appeals?: Partial<Record<AppellantRole, string>>;
  /** Whether an appeal reversed the decision. */
  readonly reversed?: boolean;
  readonly ackMailedAt?: Date;
  readonly decisionMailedAt?: Date;
}

/** Why a report is refused before anything is written (the use case maps each to its answer). */
export type FilingRefusal = 'not-listed' | 'own-review';

/**
 * Whether `reporterId` may report `review`: it must be publicly listed (published, restricted or
 * not) and not their own (an author edits or withdraws their review instead). The reviewed
 * practitioner may report it.
 */
export function filingRefusal(review: Review | undefined, reporterId: string): FilingRefusal | undefined {
  if (review?.state !== 'published' || !review.published) return 'not-listed';
  if (review.authorId === reporterId) return 'own-review';
  return undefined;
}

export function fileReport(
  review: Review,
  input: { reporterId: string; reason: ReportReason; explanation: string },
  id: string,
  now: Date,
): Report {
  const published = review.published;
  if (!published) throw new Error('Only a published review is reported');
  return {
    id,
    reviewId: review.id,
    practitionerId: review.practitionerId,
    reviewAuthorId: review.authorId,
    reporterId: input.reporterId,
    reason: input.reason,
    explanation: input.explanation,
    reported: { rating: published.rating, text: published.text, restricted: review.restricted === true },
    filedAt: now,
    state: 'open',
  };
}

/** What a decision (or its reversal) does to the review item. */
export type ReviewEffect = 'remove' | 'restrict' | 'restore' | 'none';

/**
 * The effect of a report's outcome on the review as it now is: nothing on a review gone or no
 * longer published (removed by another decision, withdrawn), nothing to restrict twice.
 */
export function decisionEffect(outcome: ReportOutcome, review: Review | undefined): ReviewEffect {
  if (review?.state !== 'published' || outcome === 'keep') return 'none';
  if (outcome === 'restrict' && review.restricted) return 'none';
  return outcome;
}

/**
 * The effect of reversing a decision on appeal (kept simple, ADR 0015): a removal or a restriction
 * reversed restores the review as published and listed, text shown; a "keep" reversed removes it.
 */
export function reversalEffect(outcome: ReportOutcome, review: Review | undefined): ReviewEffect {
  if (!review?.published) return 'none';
  if (outcome === 'keep') return review.state === 'published' ? 'remove' : 'none';
  if (review.state === 'removed' || (review.state === 'published' && review.restricted)) return 'restore';
  return 'none';
}

/** The date until which a decision taken at `decidedAt` may be appealed. */
export function appealDeadline(decidedAt: Date): Date {
  const deadline = new Date(decidedAt);
  deadline.setUTCMonth(deadline.getUTCMonth() + APPEAL_WINDOW_MONTHS);
  return deadline;
}

// The reporter bar (DSA art. 23): repeated manifestly unfounded reports.

/** Reports found unfounded (decided `keep`) within this many months, at least BAR_THRESHOLD of them… */
export const BAR_LOOKBACK_MONTHS = 12;
export const BAR_THRESHOLD = 3;
/** …allow a bar of at most this many months. */
export const BAR_MAX_MONTHS = 6;

const monthsFrom = (date: Date, months: number) => {
  const shifted = new Date(date);
  shifted.setUTCMonth(shifted.getUTCMonth() + months);
  return shifted;
};

/** The reports of one reporter found unfounded within BAR_LOOKBACK_MONTHS before `now`. */
export function unfoundedReports(reports: readonly Report[], now: Date): Report[] {
  const since = monthsFrom(now, -BAR_LOOKBACK_MONTHS).getTime();
  return reports.filter(
    (r) => r.decision?.outcome === 'keep' && !r.reversed && r.decision.decidedAt.getTime() >= since,
  );
}

export type BarRefusal = 'too-few-unfounded' | 'until-in-past' | 'until-too-far';

/** Whether a bar until `until` may be pronounced now on those reports. */
export function barRefusal(reports: readonly Report[], until: Date, now: Date): BarRefusal | undefined {
  if (until.getTime() <= now.getTime()) return 'until-in-past';
  if (until.getTime() > monthsFrom(now, BAR_MAX_MONTHS).getTime()) return 'until-too-far';
  if (unfoundedReports(reports, now).length < BAR_THRESHOLD) return 'too-few-unfounded';
  return undefined;
}

export interface ReporterBar {
  readonly accountId: string;
  readonly until: Date;
  readonly reason: string;
  readonly moderatorId: string;
  readonly barredAt: Date;
  /** The unfounded reports the bar rests on (the audit). */
  readonly reportIds: readonly string[];
}

export function isBarred(bar: ReporterBar | undefined, now: Date): boolean {
  return bar !== undefined && bar.until.getTime() > now.getTime();
}

// Mails (French).

const parisDay = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const parisTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });
const hello = (firstName: string | undefined) => `Bonjour${firstName ? ` ${firstName}` : ''},`;
const signature = ['', '—', 'Mon Pro du Bien-Être', 'https://www.monprodubienetre.fr/'];

export const OUTCOME_LABELS: Record<ReportOutcome, string> = {
  keep: 'l’avis est maintenu en ligne',
  remove: 'l’avis est retiré',
  restrict: 'l’avis reste publié avec sa note, son texte est masqué',
};

/** The acknowledgement of receipt of a report (DSA art. 16(4)). */
export function reportAcknowledgementMail(report: Report, to: string, firstName: string | undefined): Mail {
  return {
    to: [to],
    subject: 'Nous avons bien reçu votre signalement',
    text: [
      hello(firstName),
      '',
      `Nous avons bien reçu, le ${parisTime.format(report.filedAt)}, votre signalement d’un avis publié sur notre site (référence ${report.id}).`,
      '',
      `Motif indiqué : ${REPORT_REASONS[report.reason]}`,
      '',
      'Un membre de notre équipe de modération va l’examiner ; aucune décision n’est prise de manière automatisée.',
      'Vous serez informé(e) par email de la décision prise.',
      ...signature,
    ].join('\n'),
  };
}

const appealLine = (decidedAt: Date) =>
  `Vous pouvez contester cette décision auprès de notre équipe jusqu’au ${parisDay.format(appealDeadline(decidedAt))} depuis votre espace personnel ; votre recours sera examiné par un autre modérateur. Vous pouvez aussi recourir à un organisme de règlement extrajudiciaire des litiges ou saisir le juge.`;

/**
 * The statement of reasons to the review's author when their review is removed or restricted
 * (DSA art. 17): the decision, its facts and ground, that no automated means decided, the redress.
 */
export function statementOfReasonsMail(
  report: Report,
  experienceAt: Date | undefined,
  to: string,
  firstName: string | undefined,
): Mail | undefined {
  const decision = report.decision;
  if (!decision || decision.outcome === 'keep') return undefined;
  const about = experienceAt ? ` sur votre rendez-vous du ${parisDay.format(experienceAt)}` : '';
  return {
    to: [to],
    subject: decision.outcome === 'remove' ? 'Votre avis a été retiré' : 'Le texte de votre avis a été masqué',
    text: [
      hello(firstName),
      '',
      `À la suite d’un signalement, notre équipe de modération a examiné votre avis${about}.`,
      '',
      `Décision du ${parisTime.format(decision.decidedAt)} : ${OUTCOME_LABELS[decision.outcome]}.`,
      decision.ground === 'none' ? '' : `Fondement : ${REPORT_REASONS[decision.ground]}`,
      '',
      'Exposé des motifs :',
      decision.statement,
      '',
      'Cette décision a été prise par une personne, sans moyen automatisé.',
      appealLine(decision.decidedAt),
      '',
      `Référence : ${report.id}`,
      ...signature,
    ]
      .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
      .join('\n'),
  };
}

/** The outcome of their report, to the reporter (DSA art. 16(5)). */
export function reportOutcomeMail(report: Report, to: string, firstName: string | undefined): Mail | undefined {
  const decision = report.decision;
  if (!decision) return undefined;
  return {
    to: [to],
    subject: 'Décision sur votre signalement',
    text: [
      hello(firstName),
      '',
      `Votre signalement du ${parisDay.format(report.filedAt)} (référence ${report.id}) a été examiné par notre équipe de modération.`,
      '',
      `Décision : ${OUTCOME_LABELS[decision.outcome]}.`,
      '',
      'Cette décision a été prise par une personne, sans moyen automatisé.',
      appealLine(decision.decidedAt),
      ...signature,
    ].join('\n'),
  };
}
