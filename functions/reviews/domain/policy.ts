/**
 * The review policy shown to everyone (GET /reviews/policy): what Code de la consommation L111-7-2
 * and D111-17 to D111-19 ask a site publishing consumer reviews to say. Built from the constants
 * the code runs on (moderation lists, the review window, the retention catalogue, the appeal
 * window), never written by hand: change a rule and the policy follows. Pure.
 */
import { type Period, retentionCatalogue } from '#shared/retention/catalogue.ts';
import {
  APPEAL_WINDOW_MONTHS,
  REFUSAL_REASONS,
  REPORT_OUTCOMES,
  REPORT_REASONS,
  type ReportOutcome,
} from './moderation.ts';
import { REVIEW_WINDOW_DAYS } from './review.ts';

/**
 * How the public list of a practitioner's reviews is ordered (GET /practitioners/{id}/reviews reads
 * the listing index, newest publication first): one order today; a new one is added here and to
 * the route's query together.
 */
export const REVIEW_SORTS = {
  newest: 'Les plus récents d’abord (date de publication) ; aucun avis n’est mis en avant ni classé autrement.',
} as const;
export type ReviewSort = keyof typeof REVIEW_SORTS;
export const DEFAULT_REVIEW_SORT: ReviewSort = 'newest';

const outcomeLabels: Record<ReportOutcome, string> = {
  keep: 'l’avis est maintenu',
  remove: 'l’avis est retiré',
  restrict: 'l’avis reste publié avec sa note, son texte est masqué',
};

/** What the policy is built from: the code's constants (a test may pass others). */
export interface PolicySources {
  readonly refusalReasons: Readonly<Record<string, string>>;
  readonly reportReasons: Readonly<Record<string, string>>;
  readonly reportOutcomes: readonly ReportOutcome[];
  readonly reviewWindowDays: number;
  readonly publication: Period;
  readonly appealWindowMonths: number;
  readonly sorts: Readonly<Record<string, string>>;
  readonly defaultSort: string;
}

export const policySources: PolicySources = {
  refusalReasons: REFUSAL_REASONS,
  reportReasons: REPORT_REASONS,
  reportOutcomes: [...REPORT_OUTCOMES],
  reviewWindowDays: REVIEW_WINDOW_DAYS,
  publication: retentionCatalogue.review.keep,
  appealWindowMonths: APPEAL_WINDOW_MONTHS,
  sorts: REVIEW_SORTS,
  defaultSort: DEFAULT_REVIEW_SORT,
};

/** A period in French words: "5 ans", "1 an et 6 mois", "90 jours". */
export function periodInFrench(period: Period): string {
  const parts: string[] = [];
  if (period.years) parts.push(`${period.years} ${period.years > 1 ? 'ans' : 'an'}`);
  if (period.months) parts.push(`${period.months} mois`);
  if (period.days) parts.push(`${period.days} ${period.days > 1 ? 'jours' : 'jour'}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} et ${parts.at(-1)}` : (parts[0] ?? '0 jour');
}

const listOf = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).map(([code, label]) => ({ code, label }));

export function reviewPolicy(sources: PolicySources = policySources) {
  const publication = periodInFrench(sources.publication);
  const window = periodInFrench({ days: sources.reviewWindowDays });
  const appeal = periodInFrench({ months: sources.appealWindowMonths });
  return {
    control: {
      checked: true,
      method: 'human-pre-moderation' as const,
      description:
        'Oui, les avis font l’objet d’un contrôle. Chaque avis, et chaque modification d’un avis, est lu par un ' +
        'modérateur avant sa publication ; la réponse d’un praticien aussi. Aucune décision de modération n’est ' +
        'automatisée. Un avis refusé n’est pas publié et son auteur est informé du motif du refus.',
    },
    verification: {
      verified: true,
      windowDays: sources.reviewWindowDays,
      description:
        'Seul le client d’un rendez-vous pris sur la plateforme et marqué comme honoré par le praticien peut ' +
        `déposer un avis sur ce rendez-vous, un seul, dans un délai de ${window} à compter du rendez-vous. ` +
        'Le praticien ne peut pas évaluer ses propres prestations.',
    },
    compensation: {
      offered: false,
      description: 'Aucune contrepartie n’est accordée en échange du dépôt d’un avis.',
    },
    dates:
      'Chaque avis indique la date de l’expérience (le rendez-vous), sa date de publication et, le cas échéant, ' +
      'la date de sa dernière modification acceptée.',
    ranking: {
      default: sources.defaultSort,
      options: listOf(sources.sorts),
      description:
        'Les avis publiés sont classés du plus récent au plus ancien, selon leur date de publication. Aucun avis ' +
        'n’est mis en avant contre rémunération.',
    },
    publication: {
      period: sources.publication,
      description:
        `Un avis reste publié au plus ${publication} à compter de la date de l’expérience, puis il est supprimé ; ` +
        'son auteur peut le retirer à tout moment.',
    },
    refusalReasons: listOf(sources.refusalReasons),
    reports: {
      reasons: listOf(sources.reportReasons),
      outcomes: sources.reportOutcomes.map((code) => ({ code, label: outcomeLabels[code] })),
      description:
        'Toute personne connectée peut signaler un avis publié en choisissant un motif et en l’expliquant. Le ' +
        'signalement est examiné par un modérateur, qui décide de maintenir, de retirer ou de restreindre l’avis ' +
        'et motive sa décision ; l’auteur de l’avis et l’auteur du signalement en sont informés.',
    },
    contest: {
      appealWindowMonths: sources.appealWindowMonths,
      description:
        'L’auteur d’un avis et l’auteur d’un signalement peuvent contester une décision prise sur un signalement ' +
        `dans un délai de ${appeal} à compter de cette décision. Le recours est examiné par un autre modérateur, ` +
        'qui confirme ou infirme la décision.',
    },
  };
}

export type ReviewPolicy = ReturnType<typeof reviewPolicy>;
