import { type Period, retentionCatalogue, type TimedPurpose } from './catalogue.ts';

/** The TTL attribute of every table (epoch seconds), and the sparse expiry index's key. */
export const EXPIRES_AT = 'expiresAt';
export const EXPIRY_DAY = 'expiryDay';

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

export interface Expiry {
  /** Epoch seconds: DynamoDB's TTL attribute. */
  readonly expiresAt: number;
  /** UTC day of the expiry (YYYY-MM-DD): partition key of the sparse expiry index. */
  readonly expiryDay: string;
  readonly retentionPurpose: TimedPurpose;
}

/** The expiry attributes of an item kept for `purpose`, whose clock started at `clockStartedAt`. */
export function expiryFor(purpose: TimedPurpose, clockStartedAt: Date): Expiry {
  const at = addPeriod(clockStartedAt, retentionCatalogue[purpose].keep);
  return {
    expiresAt: Math.floor(at.getTime() / 1000),
    expiryDay: at.toISOString().slice(0, 10),
    retentionPurpose: purpose,
  };
}

/** True when an item with this TTL value is due and must not be returned by any read. */
export function isExpired(expiresAt: number | undefined, now: Date): boolean {
  return expiresAt !== undefined && expiresAt * 1000 <= now.getTime();
}
