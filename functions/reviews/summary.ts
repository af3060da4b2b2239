/**
 * The summary projection's use case (ADR 0015): on a review event, read the review's newest state
 * and apply it to its practitioner's summary, on condition of the summary's version (retried on a
 * concurrent write). Events may come in any order and more than once: the result is the same.
 */
import type { Clock } from '#shared/clock.ts';
import type { SummaryStore } from './adapters/summary-store.ts';
import { applyReviewState, emptySummary } from './domain/summary.ts';

export interface SummaryDeps {
  readonly store: SummaryStore;
  readonly clock: Clock;
}

export type ProjectionOutcome = 'updated' | 'unchanged';

/** Attempts before giving up (the event is then retried by Lambda, then kept in the dead letters). */
export const SUMMARY_WRITE_ATTEMPTS = 8;

export async function projectReviewSummary(
  deps: SummaryDeps,
  event: { reviewId: string; practitionerId: string },
): Promise<ProjectionOutcome> {
  const state = await deps.store.reviewState(event.reviewId, deps.clock.now());
  for (let attempt = 1; attempt <= SUMMARY_WRITE_ATTEMPTS; attempt += 1) {
    const current = (await deps.store.get(event.practitionerId)) ?? emptySummary;
    const next = applyReviewState(current, state);
    if (next === current) return 'unchanged';
    if (await deps.store.save(event.practitionerId, next)) return 'updated';
  }
  throw new Error('Summary write conflicts: too many concurrent writes');
}
