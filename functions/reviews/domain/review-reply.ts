/**
 * The reviewed practitioner's one public reply to a published review (ADR 0015), pure: moderated
 * like the review, shown only once accepted; an edit of a published reply is a pending revision.
 */
import type { RefusalReason } from './moderation.ts';
import { type Outcome, type Refusal, type Review, ReviewRefused } from './review.ts';

export interface ReviewReply {
  readonly reviewId: string;
  readonly practitionerId: string;
  readonly state: 'pending' | 'published' | 'refused';
  /** As last submitted. */
  readonly text: string;
  readonly submittedAt: Date;
  readonly published?: { readonly text: string; readonly publishedAt: Date; readonly updatedAt?: Date };
  readonly revisionPending?: boolean;
  readonly refusal?: Refusal;
  readonly version: number;
}

/**
 * The practitioner writes (or rewrites) their reply: only the reviewed practitioner, on a
 * published review. A published reply keeps its published text until the revision is accepted.
 */
export function writeReply(
  review: Review | undefined,
  existing: ReviewReply | undefined,
  callerId: string,
  text: string,
  now: Date,
): ReviewReply {
  if (!review || review.practitionerId !== callerId) throw new ReviewRefused('not-found', 'No such review of you');
  if (review.state !== 'published') throw new ReviewRefused('conflict', 'Only a published review can be replied to');
  if (!existing) {
    return { reviewId: review.id, practitionerId: callerId, state: 'pending', text, submittedAt: now, version: 1 };
  }
  const { refusal: _refusal, ...rest } = existing;
  return {
    ...rest,
    text,
    submittedAt: now,
    state: existing.state === 'published' ? 'published' : 'pending',
    ...(existing.state === 'published' ? { revisionPending: true } : {}),
    version: existing.version + 1,
  };
}

export function replyAwaitsModeration(reply: Pick<ReviewReply, 'state' | 'revisionPending'>): boolean {
  return reply.state === 'pending' || (reply.state === 'published' && reply.revisionPending === true);
}

/** A moderator's decision on a reply waiting for one (as `decideReview`). */
export function decideReply(
  reply: ReviewReply,
  outcome: Outcome,
  reason: RefusalReason | undefined,
  now: Date,
): ReviewReply {
  if (!replyAwaitsModeration(reply)) throw new ReviewRefused('conflict', 'This reply does not wait for a decision');
  const { revisionPending: _r, refusal: _f, ...rest } = reply;
  if (outcome === 'accept') {
    return {
      ...rest,
      state: 'published',
      published: reply.published
        ? { text: reply.text, publishedAt: reply.published.publishedAt, updatedAt: now }
        : { text: reply.text, publishedAt: now },
      version: reply.version + 1,
    };
  }
  if (!reason) throw new ReviewRefused('conflict', 'A refusal needs a reason');
  return {
    ...rest,
    state: reply.state === 'published' ? 'published' : 'refused',
    refusal: { reason, at: now },
    version: reply.version + 1,
  };
}
