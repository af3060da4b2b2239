/**
 * The transparency report on reports and their moderation (DSA art. 15 and 24), pure: from the
 * report records filed in a period, counts of reports by reason, decisions by outcome, the median
 * and 95th percentile of the time to decision (hours), appeals filed and reversals. Counts and
 * durations only: no id, no person, no text.
 */
import { REPORT_OUTCOMES, type ReportOutcome, type ReportReason, reportReasonCodes } from './moderation.ts';

/** What the report needs of one report record (nothing personal). */
export interface TransparencyRecord {
  readonly reason: ReportReason;
  readonly filedAt: Date;
  readonly decision?: { readonly outcome: ReportOutcome; readonly decidedAt: Date };
  readonly appealsFiled: number;
  readonly reversed: boolean;
}

export interface TransparencyReport {
  /** The period of filing, inclusive UTC dates (YYYY-MM-DD). */
  readonly period: { readonly from: string; readonly to: string };
  readonly reports: { readonly total: number; readonly byReason: Record<ReportReason, number> };
  readonly decisions: {
    readonly total: number;
    readonly byOutcome: Record<ReportOutcome, number>;
    /** Reports of the period still waiting for a decision. */
    readonly pending: number;
  };
  /** Hours from the report to its decision; null when nothing was decided. */
  readonly timeToDecisionHours: { readonly median: number; readonly p95: number } | null;
  readonly appeals: { readonly filed: number; readonly reversed: number };
  readonly automatedDecisions: 0;
}

/** The median of sorted values: the middle one, or the mean of the two middle ones. */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) throw new Error('median of nothing');
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The nearest-rank percentile of sorted values: the smallest value with at least p % of them at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of nothing');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function transparencyReport(
  records: readonly TransparencyRecord[],
  period: { readonly from: string; readonly to: string },
): TransparencyReport {
  const byReason = Object.fromEntries(reportReasonCodes.map((code) => [code, 0])) as Record<ReportReason, number>;
  const byOutcome = Object.fromEntries(REPORT_OUTCOMES.map((o) => [o, 0])) as Record<ReportOutcome, number>;
  const hours: number[] = [];
  let filed = 0;
  let reversed = 0;
  for (const record of records) {
    byReason[record.reason] += 1;
    filed += record.appealsFiled;
    if (record.reversed) reversed += 1;
    if (record.decision) {
      byOutcome[record.decision.outcome] += 1;
      hours.push((record.decision.decidedAt.getTime() - record.filedAt.getTime()) / 3_600_000);
    }
  }
  hours.sort((a, b) => a - b);
  return {
    period: { from: period.from, to: period.to },
    reports: { total: records.length, byReason },
    decisions: { total: hours.length, byOutcome, pending: records.length - hours.length },
    timeToDecisionHours:
      hours.length === 0 ? null : { median: round2(median(hours)), p95: round2(percentile(hours, 95)) },
    appeals: { filed, reversed },
    automatedDecisions: 0,
  };
}

/** The longest period one report covers (a year, a leap day included). */
export const TRANSPARENCY_MAX_DAYS = 366;

/** The UTC months (`YYYY-MM`) a period of dates touches, in order: the report items' buckets. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  const [endYear, endMonth] = to.split('-').map(Number) as [number, number];
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}
