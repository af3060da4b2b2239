/**
 * The moderation queue's rules (ADR 0015), pure: which items wait for a moderator, their keys, the
 * claim of an item (10 minutes, taken over once expired), the stale alert, the closed lists of
 * refusal and report reasons and the outcomes of a report. No AWS here (adapters/moderation-queue.ts
 * writes them).
 */
import type { Mail } from '#shared/mail/mail.ts';

/** What a moderator decides: a pending review, a pending reply, an open report, an open appeal. */
export const queueKinds = ['review', 'reply', 'report', 'appeal'] as const;
export type QueueKind = (typeof queueKinds)[number];

/** How long a claim holds an item for its moderator. */
export const CLAIM_MINUTES = 10;
/** An item waiting longer than this is stale: the moderators are alerted (alertStaleModeration). */
export const STALE_AFTER_HOURS = 48;

export const QUEUE_PK = 'QUEUE';

export interface QueueKeys {
  readonly queuePk: typeof QUEUE_PK;
  readonly queueSk: string;
}

/** The `byQueue` index keys of an item waiting since `since`: oldest first, kind and id readable. */
export function queueKeys(kind: QueueKind, id: string, since: Date): QueueKeys {
  return { queuePk: QUEUE_PK, queueSk: `${since.toISOString()}#${kind}#${id}` };
}

export interface QueuePosition {
  readonly kind: QueueKind;
  readonly id: string;
  readonly since: Date;
}

/** Reads a `queueSk` back (undefined when it is not one of ours). */
export function parseQueueSk(queueSk: string): QueuePosition | undefined {
  const [since, kind, id, ...rest] = queueSk.split('#');
  if (rest.length > 0 || !since || !id || !isQueueKind(kind)) return undefined;
  const at = new Date(since);
  if (Number.isNaN(at.getTime())) return undefined;
  return { kind, id, since: at };
}

export function isQueueKind(value: unknown): value is QueueKind {
  return typeof value === 'string' && (queueKinds as readonly string[]).includes(value);
}

/**
 * The item a queue entry designates. A reply is queued under its review's id (one reply per
 * review): its item is the review's `REPLY`.
 */
export function itemKey(kind: QueueKind, id: string): { pk: string; sk: string } {
  switch (kind) {
    case 'review':
      return { pk: `REVIEW#${id}`, sk: 'REVIEW' };
    case 'reply':
      return { pk: `REVIEW#${id}`, sk: 'REPLY' };
    case 'report':
      return { pk: `REPORT#${id}`, sk: 'REPORT' };
    case 'appeal':
      return { pk: `APPEAL#${id}`, sk: 'APPEAL' };
  }
}

/** The claim state of a queued item (`claimExpiresAt` in epoch milliseconds). */
export interface ClaimState {
  readonly claimedBy?: string | undefined;
  readonly claimExpiresAt?: number | undefined;
}

/** When a claim taken at `now` ends. */
export function claimExpiry(now: Date): Date {
  return new Date(now.getTime() + CLAIM_MINUTES * 60_000);
}

/** Whether `moderatorId` may claim the item now: unclaimed, claim expired, or already theirs (renewal). */
export function mayClaim(state: ClaimState, moderatorId: string, now: Date): boolean {
  if (!state.claimedBy || state.claimExpiresAt === undefined) return true;
  if (state.claimedBy === moderatorId) return true;
  return state.claimExpiresAt <= now.getTime();
}

/** Whether `moderatorId` holds a live claim on the item (what every decision requires). */
export function holdsLiveClaim(state: ClaimState, moderatorId: string, now: Date): boolean {
  return state.claimedBy === moderatorId && state.claimExpiresAt !== undefined && state.claimExpiresAt > now.getTime();
}

/** Whether an item waiting since `since` is stale at `now`. */
export function isStale(since: Date, now: Date): boolean {
  return now.getTime() - since.getTime() > STALE_AFTER_HOURS * 3_600_000;
}

/** An item already in a stale alert is not mailed again within this many hours. */
export const STALE_REALERT_HOURS = 24;

/** Whether a stale item is due for an alert: never alerted, or last alerted 24 hours ago or more. */
export function staleAlertDue(entry: { readonly staleAlertedAt?: Date | undefined }, now: Date): boolean {
  if (!entry.staleAlertedAt) return true;
  return now.getTime() - entry.staleAlertedAt.getTime() >= STALE_REALERT_HOURS * 3_600_000;
}

const kindLabels: Record<QueueKind, string> = {
  review: 'avis',
  reply: 'réponse',
  report: 'signalement',
  appeal: 'recours',
};

/**
 * The moderators' alert: the waiting items (kind, id, hours waited), oldest first. Identifiers
 * only: no text, no name, no address.
 */
export function staleModerationMail(entries: readonly QueuePosition[], now: Date, inbox: string): Mail {
  const hours = (since: Date) => Math.floor((now.getTime() - since.getTime()) / 3_600_000);
  const sorted = [...entries].sort((a, b) => a.since.getTime() - b.since.getTime());
  const lines = [
    `${sorted.length} élément(s) attendent une décision de modération depuis plus de ${STALE_AFTER_HOURS} heures :`,
    '',
    ...sorted.map((entry) => `- ${kindLabels[entry.kind]} ${entry.id} : en attente depuis ${hours(entry.since)} h`),
    '',
    'Réclamez-les dans la file de modération (GET /moderation/queue) avant de les décider.',
  ];
  return {
    to: [inbox],
    subject: `[Modération] ${sorted.length} élément(s) en attente depuis plus de ${STALE_AFTER_HOURS} h`,
    text: lines.join('\n'),
  };
}

/**
 * Why a review or a reply may be refused (Code de la consommation D111-19: the author is told the
 * reason). A closed list: a refusal carries one of these codes; the label is what the author reads.
 */
export const REFUSAL_REASONS = {
  'not-about-experience': 'Le texte ne porte pas sur la prestation réalisée lors du rendez-vous.',
  abusive: 'Le texte contient des propos injurieux, diffamatoires, discriminatoires ou haineux.',
  'personal-data':
    "Le texte contient des données personnelles (coordonnées, nom complet d'un tiers, informations de santé).",
  'conflict-of-interest': "L'avis émane d'une personne en conflit d'intérêts avec le praticien.",
  advertising: 'Le texte contient de la publicité, une promotion ou des liens vers un site extérieur.',
  'health-claim': 'Le texte contient une allégation de santé (promesse de guérison, diagnostic, traitement médical).',
  unintelligible: 'Le texte est incompréhensible.',
  unlawful: 'Le texte est manifestement illicite.',
} as const;
export type RefusalReason = keyof typeof REFUSAL_REASONS;
export const refusalReasonCodes = Object.keys(REFUSAL_REASONS) as [RefusalReason, ...RefusalReason[]];

/** Why a published review may be reported (a closed list, as the DSA's notices ask a reason). */
export const REPORT_REASONS = {
  'fake-review': "L'avis ne correspond pas à un rendez-vous réel ou est mensonger.",
  abusive: "L'avis contient des propos injurieux, diffamatoires, discriminatoires ou haineux.",
  'personal-data': "L'avis divulgue des données personnelles.",
  'conflict-of-interest': "L'avis émane d'une personne en conflit d'intérêts (proche, concurrent).",
  advertising: "L'avis contient de la publicité ou des liens promotionnels.",
  unlawful: "L'avis est manifestement illicite.",
  other: 'Autre motif, précisé dans le signalement.',
} as const;
export type ReportReason = keyof typeof REPORT_REASONS;
export const reportReasonCodes = Object.keys(REPORT_REASONS) as [ReportReason, ...ReportReason[]];

/** A report's decision may be appealed (by its reporter or the review's author) this many months after it. */
export const APPEAL_WINDOW_MONTHS = 6;

/** What a decision on a report does to the review: keep it, remove it, or restrict it (text hidden). */
export const REPORT_OUTCOMES = ['keep', 'remove', 'restrict'] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];
