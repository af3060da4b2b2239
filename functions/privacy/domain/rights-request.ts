/**
 * Rights requests received outside the app (GDPR art. 12 and 15 to 21), pure: their deadline and
 * its extension, the identity check, the answer, and when the DPO is to be warned.
 *
 * The deadline is one month from the receipt (art. 12(3)), counted as Regulation 1182/71 counts a
 * period in months: the same date of the next month, or its last day when it has no such date
 * (received 31 January → 28 or 29 February). It may be extended once by one or two months "where
 * necessary, taking into account the complexity and number of the requests", the subject being
 * told with the reason within the first month.
 */

export const rightsRequestTypes = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'portability',
  'objection',
  'consent-withdrawal',
] as const;
export type RightsRequestType = (typeof rightsRequestTypes)[number];

export const channels = ['post', 'email'] as const;
export type Channel = (typeof channels)[number];

export const identityMethods = ['email-of-the-account', 'signed-identity-proof', 'other'] as const;
export type IdentityMethod = (typeof identityMethods)[number];

export const answerOutcomes = ['granted', 'partially-granted', 'refused', 'no-data', 'identity-not-verified'] as const;
export type AnswerOutcome = (typeof answerOutcomes)[number];

/** Days before the deadline the DPO is warned (and again the day after it, if still open). */
export const WARNING_DAYS_BEFORE = 7;

export interface RightsRequest {
  readonly id: string;
  readonly type: RightsRequestType;
  readonly channel: Channel;
  /** The day the request was received (Paris date). */
  readonly receivedOn: string;
  readonly subject: { readonly email?: string; readonly accountId?: string };
  readonly recordedBy: string;
  readonly identity?: {
    readonly verified: boolean;
    readonly method: IdentityMethod;
    readonly checkedOn: string;
    readonly checkedBy: string;
  };
  readonly extension?: {
    readonly months: 1 | 2;
    readonly reason: string;
    readonly decidedOn: string;
    readonly by: string;
  };
  readonly answer?: { readonly answeredOn: string; readonly outcome: AnswerOutcome; readonly by: string };
  /** The deadlines the DPO was warned about, before and after (so each warning goes once). */
  readonly warned?: { readonly near?: string; readonly overdue?: string };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `day` (YYYY-MM-DD) plus `months` calendar months, clamped to the last day of the month. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${pad(month)}-${pad(Math.min(d, last))}`;
}

export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** The day the answer is due: one month from the receipt, plus the extension's months. */
export function deadlineOf(request: Pick<RightsRequest, 'receivedOn' | 'extension'>): string {
  return addMonths(request.receivedOn, 1 + (request.extension?.months ?? 0));
}

export type RefusalReason =
  | 'closed'
  | 'already-extended'
  | 'too-late-to-extend'
  | 'identity-not-checked'
  | 'before-receipt';

export class RightsRequestRefused extends Error {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** An extension is decided once, within the first month (the subject must be told within it). */
export function extend(
  request: RightsRequest,
  months: 1 | 2,
  reason: string,
  today: string,
  by: string,
): RightsRequest {
  if (request.answer) throw new RightsRequestRefused('closed', 'The request is answered already');
  if (request.extension) throw new RightsRequestRefused('already-extended', 'The deadline was extended already');
  if (today > addMonths(request.receivedOn, 1)) {
    throw new RightsRequestRefused('too-late-to-extend', 'An extension is decided within a month of the receipt');
  }
  return { ...request, extension: { months, reason, decidedOn: today, by } };
}

export function checkIdentity(
  request: RightsRequest,
  verified: boolean,
  method: IdentityMethod,
  today: string,
  by: string,
): RightsRequest {
  if (request.answer) throw new RightsRequestRefused('closed', 'The request is answered already');
  return { ...request, identity: { verified, method, checkedOn: today, checkedBy: by } };
}

/** Answering closes the request; its 5-year clock starts. Only a checked identity may be answered on the merits. */
export function answer(request: RightsRequest, answeredOn: string, outcome: AnswerOutcome, by: string): RightsRequest {
  if (request.answer) throw new RightsRequestRefused('closed', 'The request is answered already');
  if (answeredOn < request.receivedOn)
    throw new RightsRequestRefused('before-receipt', 'An answer cannot precede the receipt');
  if (outcome !== 'identity-not-verified' && !request.identity?.verified) {
    throw new RightsRequestRefused('identity-not-checked', "The subject's identity is not verified");
  }
  return { ...request, answer: { answeredOn, outcome, by } };
}

export type Warning = 'near' | 'overdue';

/**
 * The warning due today for an open request, if any: from 7 days before its deadline (once per
 * deadline), and from the day after it (once per deadline). An extension moves both.
 */
export function warningDue(request: RightsRequest, today: string): Warning | undefined {
  if (request.answer) return undefined;
  const deadline = deadlineOf(request);
  if (today > deadline) return request.warned?.overdue === deadline ? undefined : 'overdue';
  if (today >= addDays(deadline, -WARNING_DAYS_BEFORE)) return request.warned?.near === deadline ? undefined : 'near';
  return undefined;
}
