/**
 * The summary projection (ADR 0015) is a function of the newest state of each review: for any
 * histories of reviews (versions rising, a review possibly gone at the end), every observation
 * delivered in any order and any number of times gives the same summary as a recomputation from
 * the newest state of each review. Plus the arithmetic: count, average to one decimal, distribution.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyReviewState,
  emptySummary,
  type ReviewState,
  recompute,
  reviewStateOf,
  summaryOf,
} from '#functions/reviews/domain/summary.ts';
import { type Rating, summarize } from '#shared/reviews/review-summary.ts';

const rating = fc.constantFrom<Rating>(1, 2, 3, 4, 5);

/** One review's history: successive versions, each counted (a rating) or not; perhaps gone at the end. */
const history = (reviewId: string) =>
  fc
    .record({
      steps: fc.array(fc.option(rating, { nil: null }), { minLength: 1, maxLength: 6 }),
      gone: fc.boolean(),
    })
    .map(({ steps, gone }): ReviewState[] => [
      ...steps.map((countedRating, i) => ({ reviewId, version: i + 1, countedRating, gone: false })),
      ...(gone ? [{ reviewId, version: 0, countedRating: null, gone: true }] : []),
    ]);

const histories = fc
  .integer({ min: 0, max: 8 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => history(`rev_${String(i).padStart(32, '0')}`))));

/** Each observation delivered at least once, in any order. */
const deliveries = (states: ReviewState[]) =>
  fc
    .array(fc.nat({ max: Math.max(0, states.length - 1) }), { maxLength: states.length * 2 })
    .chain((extra) =>
      fc.shuffledSubarray([...states, ...extra.map((i) => states[i]!)], { minLength: states.length + extra.length }),
    );

describe('the summary projection', () => {
  it('gives the recomputation from the newest states, whatever the order and the duplicates', () => {
    fc.assert(
      fc.property(
        histories.chain((hs) => {
          const states = hs.flat();
          return fc.tuple(fc.constant(states), states.length === 0 ? fc.constant([]) : deliveries(states));
        }),
        ([states, delivered]) => {
          const summary = delivered.reduce(applyReviewState, emptySummary);
          const expected = recompute(states);
          expect({ count: summary.count, average: summary.average, distribution: summary.distribution }).toEqual(
            expected,
          );
          expect(summaryOf(summary.seen)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells nothing new for an older or repeated version, or for a review gone', () => {
    const id = 'rev_a';
    const v2 = applyReviewState(emptySummary, { reviewId: id, version: 2, countedRating: 4, gone: false });
    expect(applyReviewState(v2, { reviewId: id, version: 1, countedRating: 1, gone: false })).toBe(v2);
    expect(applyReviewState(v2, { reviewId: id, version: 2, countedRating: 4, gone: false })).toBe(v2);
    const gone = applyReviewState(v2, { reviewId: id, version: 0, countedRating: null, gone: true });
    expect(gone.count).toBe(0);
    expect(applyReviewState(gone, { reviewId: id, version: 9, countedRating: 5, gone: false })).toBe(gone);
  });

  it('counts, averages to one decimal, distributes', () => {
    expect(summarize([])).toEqual({ count: 0, average: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } });
    expect(summarize([5, 4, 4])).toEqual({ count: 3, average: 4.3, distribution: { 1: 0, 2: 0, 3: 0, 4: 2, 5: 1 } });
    expect(summarize([1, 2]).average).toBe(1.5);
  });

  it('reads a review item: published counts its published rating, other states and a missing item do not', () => {
    const item = { id: 'rev_a', version: 3, published: { rating: 5 } };
    expect(reviewStateOf('rev_a', { ...item, state: 'published' })).toEqual({
      reviewId: 'rev_a',
      version: 3,
      countedRating: 5,
      gone: false,
    });
    for (const state of ['pending', 'refused', 'removed'] as const) {
      expect(reviewStateOf('rev_a', { ...item, state }).countedRating).toBeNull();
    }
    expect(reviewStateOf('rev_a', undefined)).toMatchObject({ gone: true, countedRating: null });
  });
});
