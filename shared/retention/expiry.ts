import { type Period, retentionCatalogue, type StoredPurpose } from './catalogue.ts';

/** The TTL attribute of every table (epoch seconds). */
export const EXPIRES_AT = 'expiresAt';
/** UTC day (YYYY-MM-DD) under which the purge finds the item: the sparse expiry index's key. */
export const EXPIRY_DAY = 'expiryDay';
/** The expiry an item had when a legal hold took its `expiresAt` away (so TTL cannot delete it). */
export const HELD_EXPIRES_AT = 'heldExpiresAt';
/** The data subject an item is about: the sparse subject index's key. */
export const SUBJECT_KEY = 'subjectKey';

/** Adds a calendar period in UTC; a day that does not exist in the target month clamps to its end. */
export function addPeriod(from: Date, period: Period): Date {
  const out = new Date(from.getTime());
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCFullYear(out.getUTCFullYear() + (period.years ?? 0));
  out.setUTCMonth(out.getUTCMonth() + (period.months ?? 0));
  const lastDay = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, lastDay));
  out.setUTCDate(out.getUTCDate() + (period.days ?? 0));
  return out;
}

export const epochSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The index day of an expiry: its own day, but never a day before `now`. An item written (or
 * released from a hold) after its expiry is then found by the purge's next run, and every day
 * the purge has cleared stays cleared.
 */
export function expiryDayOf(expiresAt: number, now: Date): string {
  return utcDay(new Date(Math.max(expiresAt * 1000, now.getTime())));
}

export interface Expiry {
  /** Epoch seconds: DynamoDB's TTL attribute. */
  readonly expiresAt: number;
  readonly expiryDay: string;
  readonly retentionPurpose: StoredPurpose;
}

/**
 * The expiry attributes of an item kept for `purpose`, whose clock started at `clockStartedAt`. A
 * purpose whose data is deleted at the clock's event (`keep: null`: a support ticket's closure)
 * expires at the event itself.
 */
export function expiryFor(purpose: StoredPurpose, clockStartedAt: Date, now: Date = clockStartedAt): Expiry {
  const expiresAt = epochSeconds(addPeriod(clockStartedAt, retentionCatalogue[purpose].keep ?? {}));
  return { expiresAt, expiryDay: expiryDayOf(expiresAt, now), retentionPurpose: purpose };
}

/** True when an item with this TTL value is due and must not be returned by any read. */
export function isExpired(expiresAt: number | undefined, now: Date): boolean {
  return expiresAt !== undefined && expiresAt * 1000 <= now.getTime();
}

/** True when a stored item is past its expiry, or past the expiry it had before a legal hold. */
export function isDue(item: { expiresAt?: number; heldExpiresAt?: number }, now: Date): boolean {
  return isExpired(item.expiresAt, now) || isExpired(item.heldExpiresAt, now);
}
