/**
 * Erasure of a data subject, pure. Every item of the subject goes, except those an active legal
 * hold covers: the hold prevails (GDPR art. 17(3)(b) and (e): a legal obligation, legal claims).
 * Each erased key is logged by identifier only, so that erasures can be replayed after a
 * point-in-time restore brings erased items back.
 */
import { utcDay } from '#shared/retention/expiry.ts';
import type { SubjectKey } from '#shared/retention/subject.ts';
import { keyOf, type SubjectItem } from './data-subject.ts';

export interface ErasurePlan {
  readonly erase: readonly SubjectItem[];
  /** Items of a subject under an active hold: kept, counted, reported. */
  readonly keep: readonly SubjectItem[];
}

/** Splits the items found (the subject's, and those their roots own) by the active holds; once per key. */
export function planErasure(items: readonly SubjectItem[], heldSubjects: ReadonlySet<string>): ErasurePlan {
  const seen = new Set<string>();
  const erase: SubjectItem[] = [];
  const keep: SubjectItem[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    (item.subjectKey !== undefined && heldSubjects.has(item.subjectKey) ? keep : erase).push(item);
  }
  return { erase, keep };
}

/** One erased key: the table's logical name, the item's key, the erasure, the time. Nothing else. */
export interface ErasureLogEntry {
  readonly erasureId: string;
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
  readonly erasedAt: Date;
  /** The subject the erasure was for (already linked to the erasure by its audit entry). */
  readonly subjectKey: SubjectKey;
}

export function erasureLog(
  erasureId: string,
  subjectKey: SubjectKey,
  items: readonly SubjectItem[],
  erasedAt: Date,
): ErasureLogEntry[] {
  return items.map((item) => ({ erasureId, table: item.table, pk: item.pk, sk: item.sk, erasedAt, subjectKey }));
}

/** The answer the DPO gets: what was erased, and when a hold kept data, that the hold prevails. */
export function erasureMessage(itemsErased: number, itemsUnderHold: number, holdIds: readonly string[]): string {
  const erased =
    itemsErased === 0
      ? 'Nothing was erased.'
      : `${itemsErased} item(s) erased; their keys are logged so the erasure is replayed after a backup restore.`;
  if (itemsUnderHold === 0) return erased;
  return (
    `${erased} ${itemsUnderHold} item(s) are kept under active legal hold ${holdIds.join(', ')}: the hold prevails ` +
    'over erasure (GDPR art. 17(3)(b) and (e)). Tell the person their data is kept only for the authority, ' +
    'and erase again once the hold is lifted.'
  );
}

/** What became of an account's Cognito user (its sign-in identity) in an erasure of the person. */
export type CognitoUserOutcome = 'deleted' | 'none' | 'kept-under-hold';

/** The sentences on the person's accounts: their Cognito users deleted, or kept by a hold on the account. */
export function accountsMessage(accounts: readonly { accountId: string; cognitoUser: CognitoUserOutcome }[]): string {
  return accounts
    .map(({ accountId, cognitoUser }) =>
      cognitoUser === 'deleted'
        ? `Account ${accountId} erased with its Cognito user (sign-in identity).`
        : cognitoUser === 'kept-under-hold'
          ? `The Cognito user of account ${accountId} is kept: a legal hold covers the account.`
          : `Account ${accountId} has no Cognito user.`,
    )
    .join(' ');
}

/**
 * The UTC days whose erasure log a replay reads: from `since` (never earlier than the log's own
 * retention, after which nothing is left to read) to today.
 */
export function replayDays(since: Date, now: Date, logKeepDays: number): string[] {
  const earliest = now.getTime() - (logKeepDays + 1) * 86_400_000;
  const from = new Date(Math.max(since.getTime(), earliest));
  const days: string[] = [];
  for (let day = utcDay(from); day <= utcDay(now); ) {
    days.push(day);
    const next = new Date(`${day}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    day = utcDay(next);
  }
  return days;
}
