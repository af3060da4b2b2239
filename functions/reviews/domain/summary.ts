/**
 * The summary projection (ADR 0015 "The summary projection"), pure: a practitioner's summary keeps,
 * per review id, the newest version of the review it saw and the rating it counts (or none), and
 * from them count, average (one decimal) and distribution. Applying a review's state is
 * idempotent and commutative: the summary is a function of the newest state of each review,
 * whatever the order or the number of deliveries. A review seen gone counts for nothing, forever.
 */
import { type Rating, type ReviewSummaryView, summarize } from '#shared/reviews/review-summary.ts';

/** A review's newest state, as its item says (strongly consistent read). */
export interface ReviewState {
  readonly reviewId: string;
  /** The item's version (0 when gone). */
  readonly version: number;
  /** The rating it counts in the summary: published (restricted or not); null otherwise. */
  readonly countedRating: Rating | null;
  /** The item no longer exists (withdrawn, erased, purged). */
  readonly gone: boolean;
}

/** What the summary keeps of one review: its newest version seen and its counted rating, or gone. */
export type SeenReview = CountedReview | GoneReview;
export interface CountedReview {
  readonly v: number;
  readonly r: Rating | null;
}
export interface GoneReview {
  readonly gone: true;
}

export interface ReviewSummary extends ReviewSummaryView {
  /** The summary item's own version (0 before it is first written): the condition of its writes. */
  readonly version: number;
  readonly seen: Readonly<Record<string, SeenReview>>;
}

export const emptySummary: ReviewSummary = { ...summarize([]), version: 0, seen: {} };

const isGone = (seen: SeenReview | undefined): seen is GoneReview => Boolean(seen && 'gone' in seen);

/** Whether the state changes what the summary knows of its review. */
export function isNewer(seen: SeenReview | undefined, state: ReviewState): boolean {
  if (isGone(seen)) return false;
  if (state.gone) return true;
  return seen === undefined || state.version > seen.v;
}

/**
 * The summary after seeing `state`: the same object when it tells nothing new (an older or
 * repeated version, or a review already gone). The summary's version is not changed here: the
 * store sets it on write.
 */
export function applyReviewState(summary: ReviewSummary, state: ReviewState): ReviewSummary {
  const previous = summary.seen[state.reviewId];
  if (!isNewer(previous, state)) return summary;
  const next: SeenReview = state.gone ? { gone: true } : { v: state.version, r: state.countedRating };
  const seen = { ...summary.seen, [state.reviewId]: next };
  return { ...summaryOf(seen), version: summary.version, seen };
}

/** Count, average and distribution from what the summary keeps. */
export function summaryOf(seen: Readonly<Record<string, SeenReview>>): ReviewSummaryView {
  const counted: Rating[] = [];
  for (const review of Object.values(seen)) if (!isGone(review) && review.r !== null) counted.push(review.r);
  return summarize(counted);
}

/** The recomputation the property test compares with: the newest state of each review, alone. */
export function recompute(states: readonly ReviewState[]): ReviewSummaryView {
  const newest = new Map<string, ReviewState>();
  for (const state of states) {
    const kept = newest.get(state.reviewId);
    if (kept?.gone) continue;
    if (!kept || state.gone || state.version > kept.version) newest.set(state.reviewId, state);
  }
  return summarize(
    [...newest.values()].filter((s) => !s.gone && s.countedRating !== null).map((s) => s.countedRating as Rating),
  );
}

/** What a review item says of itself (the item's fields, docs/adr/0015; undefined when it is gone). */
export interface ReviewItemFacts {
  readonly id: string;
  readonly version: number;
  readonly state: 'pending' | 'published' | 'refused' | 'removed';
  readonly published?: { readonly rating: number } | undefined;
}

const isRating = (value: unknown): value is Rating => typeof value === 'number' && [1, 2, 3, 4, 5].includes(value);

/** A review counts iff it is published (restricted or not), with its published rating. */
export function reviewStateOf(reviewId: string, item: ReviewItemFacts | undefined): ReviewState {
  if (!item) return { reviewId, version: 0, countedRating: null, gone: true };
  const rating = item.state === 'published' ? item.published?.rating : undefined;
  return { reviewId, version: item.version, countedRating: isRating(rating) ? rating : null, gone: false };
}
