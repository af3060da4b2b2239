/**
 * Appeals of a report's decision (ADR 0015; the DSA's internal complaint handling, art. 20), pure:
 * who may appeal and until when, who may decide, and the appellant's mail (French). No AWS here.
 */
import type { Mail } from '#shared/mail/mail.ts';
import { type AppellantRole, appealDeadline, OUTCOME_LABELS, type Report } from './report.ts';

export const APPEAL_OUTCOMES = ['uphold', 'reverse'] as const;
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];

export interface AppealDecision {
  readonly outcome: AppealOutcome;
  readonly statement: string;
  readonly moderatorId: string;
  readonly decidedAt: Date;
}

export interface Appeal {
  readonly id: string;
  readonly reportId: string;
  readonly reviewId: string;
  /** The decision appealed (the report's). */
  readonly decisionId: string;
  readonly appellantId: string;
  readonly appellantRole: AppellantRole;
  readonly explanation: string;
  readonly filedAt: Date;
  /** The report's date: the appeal is kept as long as the report (5 years from it). */
  readonly reportFiledAt: Date;
  readonly state: 'open' | 'decided';
  readonly decision?: AppealDecision;
  readonly mailedAt?: Date;
}

export type AppealRefusal = 'not-a-party' | 'not-decided' | 'too-late' | 'already-appealed';

/** Which party the caller is to the report's decision, if any. */
export function appellantRole(report: Report, callerId: string): AppellantRole | undefined {
  if (callerId === report.reporterId) return 'reporter';
  if (callerId === report.reviewAuthorId) return 'author';
  return undefined;
}

/**
 * Whether the caller may appeal the report's decision now: its reporter or the review's author,
 * once decided, within APPEAL_WINDOW_MONTHS of the decision, once per party.
 */
export function appealRefusal(report: Report | undefined, callerId: string, now: Date): AppealRefusal | undefined {
  if (!report) return 'not-a-party';
  const role = appellantRole(report, callerId);
  if (!role) return 'not-a-party';
  if (!report.decision) return 'not-decided';
  if (now.getTime() > appealDeadline(report.decision.decidedAt).getTime()) return 'too-late';
  if (report.appeals?.[role]) return 'already-appealed';
  return undefined;
}

export function fileAppeal(report: Report, role: AppellantRole, explanation: string, id: string, now: Date): Appeal {
  if (!report.decision) throw new Error('Only a decision is appealed');
  return {
    id,
    reportId: report.id,
    reviewId: report.reviewId,
    decisionId: report.decision.id,
    appellantId: role === 'reporter' ? report.reporterId : report.reviewAuthorId,
    appellantRole: role,
    explanation,
    filedAt: now,
    reportFiledAt: report.filedAt,
    state: 'open',
  };
}

/** An appeal is decided by a moderator other than the one who decided the report (DSA art. 20(6)). */
export function mayDecideAppeal(report: Report, moderatorId: string): boolean {
  return report.decision !== undefined && report.decision.moderatorId !== moderatorId;
}

const hello = (firstName: string | undefined) => `Bonjour${firstName ? ` ${firstName}` : ''},`;
const parisDay = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

/** The appeal's decision, to the appellant, with its reasons. */
export function appealDecisionMail(
  appeal: Appeal,
  report: Report,
  to: string,
  firstName: string | undefined,
): Mail | undefined {
  const decision = appeal.decision;
  const first = report.decision;
  if (!decision || !first) return undefined;
  const reversed = decision.outcome === 'reverse';
  return {
    to: [to],
    subject: reversed ? 'Votre recours est accepté' : 'Votre recours n’est pas accepté',
    text: [
      hello(firstName),
      '',
      `Votre recours du ${parisDay.format(appeal.filedAt)} (référence ${appeal.id}) contre la décision prise sur le signalement ${report.id} (${OUTCOME_LABELS[first.outcome]}) a été examiné par un autre membre de notre équipe de modération.`,
      '',
      reversed
        ? 'La décision initiale est annulée : '.concat(
            first.outcome === 'keep' ? 'l’avis est retiré.' : 'l’avis est de nouveau publié avec son texte.',
          )
        : 'La décision initiale est maintenue.',
      '',
      'Motifs :',
      decision.statement,
      '',
      'Cette décision a été prise par une personne, sans moyen automatisé. Vous pouvez recourir à un organisme de règlement extrajudiciaire des litiges ou saisir le juge.',
      '',
      '—',
      'Mon Pro du Bien-Être',
      'https://www.monprodubienetre.fr/',
    ].join('\n'),
  };
}
