/**
 * Which Review* event a committed change of a review item announces (the outbox:
 * handlers/publish-review-events.ts reads the table's stream), pure. Every change of the review
 * item, by this part, the reports part or the retention engine, is seen here:
 * - a submission or an edit → ReviewSubmitted;
 * - a publication, an accepted revision, a restriction lifted → ReviewPublished;
 * - a refusal (of the review or of its revision) → ReviewRefused;
 * - a removal or a restriction → ReviewRemoved;
 * - the item deleted (withdrawal, account deletion, erasure, purge) → ReviewWithdrawn.
 * A change of nothing of these (a moderator's claim) announces nothing.
 */
import type { ReviewState } from './review.ts';

export type ReviewEventType =
  | 'ReviewSubmitted'
  | 'ReviewPublished'
  | 'ReviewRefused'
  | 'ReviewRemoved'
  | 'ReviewWithdrawn';

/** What the events are derived from (an image of the review item, as stored). */
export interface ReviewSnapshot {
  readonly state: ReviewState;
  readonly submittedAt: string;
  readonly publishedUpdatedAt?: string | undefined;
  readonly publishedAt?: string | undefined;
  readonly refusedAt?: string | undefined;
  readonly restricted: boolean;
}

export function reviewEventsOf(
  before: ReviewSnapshot | undefined,
  after: ReviewSnapshot | undefined,
): ReviewEventType[] {
  if (!after) return before ? ['ReviewWithdrawn'] : [];
  const events: ReviewEventType[] = [];
  if (!before || after.submittedAt !== before.submittedAt) events.push('ReviewSubmitted');
  if (!before) return events;
  const wasVisible = before.state === 'published' && !before.restricted;
  const isVisible = after.state === 'published' && !after.restricted;
  if (
    after.state === 'published' &&
    (before.state !== 'published' ||
      (isVisible && !wasVisible) ||
      after.publishedAt !== before.publishedAt ||
      after.publishedUpdatedAt !== before.publishedUpdatedAt)
  ) {
    events.push('ReviewPublished');
  }
  if (after.refusedAt && after.refusedAt !== before.refusedAt) events.push('ReviewRefused');
  if (
    (after.state === 'removed' && before.state !== 'removed') ||
    (after.state === 'published' && after.restricted && !before.restricted)
  ) {
    events.push('ReviewRemoved');
  }
  return events;
}
