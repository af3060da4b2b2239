/**
 * Retention periods of the infrastructure, all derived from the retention catalogue
 * (shared/retention/catalogue.ts) so that the register of processing and the infrastructure
 * cannot drift apart.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type RetentionPurpose, retentionCatalogue } from '#shared/retention/catalogue.ts';

/** The period of a purpose in days; only day-based periods are meaningful for logs and backups. */
export function retentionDays(purpose: RetentionPurpose): number {
  const keep = retentionCatalogue[purpose].keep as { years?: number; months?: number; days?: number } | null;
  if (!keep || keep.years || keep.months || !keep.days) {
    throw new Error(`Retention purpose ${purpose} has no period in days`);
  }
  return keep.days;
}

/** The shortest period in days among several purposes: data serving all of them obeys the strictest. */
export function shortestRetentionDays(...purposes: RetentionPurpose[]): number {
  return Math.min(...purposes.map(retentionDays));
}

const logRetentionValues = Object.values(RetentionDays)
  .filter((value): value is RetentionDays => typeof value === 'number' && value !== RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/** The longest CloudWatch Logs retention that does not exceed `days` (never infinite). */
export function logRetentionAtMost(days: number): RetentionDays {
  const fitting = logRetentionValues.filter((value) => value <= days);
  const longest = fitting[fitting.length - 1];
  if (longest === undefined) throw new Error(`No CloudWatch Logs retention of at most ${days} days`);
  return longest;
}

/** Operational logs (functions, API access, WAF): the catalogue's technical-operation period. */
export const TECHNICAL_LOG_DAYS = retentionDays('technical-operation');

/**
 * Logs that hold connection data (IP addresses in API access logs and WAF logs) also serve fraud
 * prevention, whose period ("1 mois maximum") caps them.
 */
export const CONNECTION_LOG_DAYS = shortestRetentionDays('technical-operation', 'fraud-prevention');
