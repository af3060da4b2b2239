/**
 * A practitioner's review summary: the shared kernel between the reviews context, which projects
 * it from review events into the reviews table (functions/reviews/domain/summary.ts, ADR 0015),
 * and the practitioners context, which shows it on the public profile through
 * ./review-summary-reader.ts. Pure: no AWS, no I/O.
 */

/** The ratings a review may carry. */
export const ratings = [1, 2, 3, 4, 5] as const;
export type Rating = (typeof ratings)[number];

/** How many counted reviews carry each rating, 1 to 5. */
export type RatingDistribution = Readonly<Record<`${Rating}`, number>>;

/** What the public sees: counted (published) reviews, their average to one decimal, the distribution. */
export interface ReviewSummaryView {
  readonly count: number;
  /** Null without any counted review. */
  readonly average: number | null;
  readonly distribution: RatingDistribution;
}

export const emptyDistribution: RatingDistribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };

export const emptyReviewSummary: ReviewSummaryView = { count: 0, average: null, distribution: emptyDistribution };

/** The summary of these counted ratings: count, average rounded to one decimal, distribution. */
export function summarize(counted: Iterable<Rating>): ReviewSummaryView {
  const distribution: Record<`${Rating}`, number> = { ...emptyDistribution };
  let count = 0;
  let sum = 0;
  for (const rating of counted) {
    distribution[`${rating}`] += 1;
    count += 1;
    sum += rating;
  }
  return { count, average: count === 0 ? null : Math.round((sum / count) * 10) / 10, distribution };
}

/** The key of a practitioner's summary item in the reviews table. */
export const summaryKey = (practitionerId: string) => ({ pk: `SUMMARY#${practitionerId}`, sk: 'SUMMARY' as const });

/** The attributes of the summary item the reader reads (written by the reviews context). */
export interface ReviewSummaryAttributes {
  readonly count: number;
  readonly average: number | null;
  readonly distribution: RatingDistribution;
}
