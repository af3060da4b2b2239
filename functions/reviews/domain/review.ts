/**
 * A client's review of a completed appointment (ADR 0015), pure: who may submit it and until when,
 * the author's display name, an edit, a withdrawal, a moderator's decision. No AWS here
 * (adapters/review-store.ts stores it).
 *
 * State: `pending` until a moderator accepts it (`published`) or refuses it (`refused`, with a
 * reason of REFUSAL_REASONS); `removed` after a report (functions/reviews, reports part). An edit of
 * a published review is a pending revision: the review stays `published` with what the public
 * sees (`published`), while `rating` and `text` hold the revision until a moderator decides it.
 */
import { type RefusalReason, refusalReasonCodes } from './moderation.ts';

/** The author's public name ("Zoé M."), shown with the review. */
export { displayName } from '#shared/identity/display-name.ts';

/** The client may review an appointment this many days from its start (the invitation's life). */
export const REVIEW_WINDOW_DAYS = 90;

export const reviewStates = ['pending', 'published', 'refused', 'removed'] as const;
export type ReviewState = (typeof reviewStates)[number];

/** From BookingCompleted: the client may review this appointment for 90 days from its start. */
export interface ReviewInvitation {
  readonly appointmentId: string;
  readonly clientId: string;
  readonly practitionerId: string;
  readonly startsAt: Date;
}

export interface PublishedContent {
  readonly rating: number;
  readonly text: string;
  /** The first publication: the listing's order. */
  readonly publishedAt: Date;
  /** The acceptance of the latest accepted revision, if any. */
  readonly updatedAt?: Date;
}

export interface Refusal {
  readonly reason: RefusalReason;
  readonly at: Date;
}

export interface Review {
  readonly id: string;
  readonly appointmentId: string;
  readonly practitionerId: string;
  readonly authorId: string;
  /** First name and initial of the last name ("Zoé M."), from the identity at submission. */
  readonly authorName: string;
  /** The appointment's start: the date of the experience. */
  readonly experienceAt: Date;
  readonly state: ReviewState;
  /** As last submitted (a pending revision of a published review included). */
  readonly rating: number;
  readonly text: string;
  readonly createdAt: Date;
  /** The last submission (first or edit): the moderation queue's `since`. */
  readonly submittedAt: Date;
  /** What the public sees, once accepted. */
  readonly published?: PublishedContent;
  /** A published review's edit waits for a moderator. */
  readonly revisionPending?: boolean;
  /** Published with its rating, its text hidden (a report's decision). */
  readonly restricted?: boolean;
  /** The last refusal (of the review or of its revision), told to the author. */
  readonly refusal?: Refusal;
  readonly version: number;
}

export interface ReviewContent {
  readonly rating: number;
  readonly text: string;
}

/** Why a review operation is refused; the use cases turn it into an HTTP problem. */
export class ReviewRefused extends Error {
  readonly kind: 'not-found' | 'forbidden' | 'conflict';
  constructor(kind: 'not-found' | 'forbidden' | 'conflict', message: string) {
    super(message);
    this.name = 'ReviewRefused';
    this.kind = kind;
  }
}

/** One review per appointment: its id is derived from the appointment's (`apt_<hex>` → `rev_<hex>`). */
export function reviewIdFor(appointmentId: string): string {
  const hex = /^apt_([0-9a-f]{32})$/.exec(appointmentId)?.[1];
  if (!hex) throw new ReviewRefused('not-found', 'No such appointment');
  return `rev_${hex}`;
}

/** The end of the right to review: 90 days from the appointment's start. */
export function reviewWindowEnd(startsAt: Date): Date {
  return new Date(startsAt.getTime() + REVIEW_WINDOW_DAYS * 86_400_000);
}

/**
 * Whether `callerId` may review the appointment of `invitation` at `now`: its client only (anyone
 * else learns nothing: not found), never the practitioner of the appointment, within 90 days.
 */
export function assertMayReview(
  invitation: ReviewInvitation | undefined,
  callerId: string,
  now: Date,
): ReviewInvitation {
  if (!invitation) throw new ReviewRefused('not-found', 'No completed appointment of yours to review');
  if (invitation.practitionerId === callerId) {
    throw new ReviewRefused('forbidden', 'A practitioner cannot review their own appointment');
  }
  if (invitation.clientId !== callerId)
    throw new ReviewRefused('not-found', 'No completed appointment of yours to review');
  if (now.getTime() >= reviewWindowEnd(invitation.startsAt).getTime()) {
    throw new ReviewRefused('forbidden', `Reviews are accepted within ${REVIEW_WINDOW_DAYS} days of the appointment`);
  }
  return invitation;
}

/** A new review, pending moderation. */
export function newReview(invitation: ReviewInvitation, authorName: string, content: ReviewContent, now: Date): Review {
  return {
    id: reviewIdFor(invitation.appointmentId),
    appointmentId: invitation.appointmentId,
    practitionerId: invitation.practitionerId,
    authorId: invitation.clientId,
    authorName,
    experienceAt: invitation.startsAt,
    state: 'pending',
    rating: content.rating,
    text: content.text,
    createdAt: now,
    submittedAt: now,
    version: 1,
  };
}

/** The author's review; anyone else's is not found (its existence is not disclosed). */
export function assertAuthor(review: Review | undefined, callerId: string): Review {
  if (!review || review.authorId !== callerId) throw new ReviewRefused('not-found', 'No such review of yours');
  return review;
}

/**
 * An edit by the author. A pending or refused review is replaced and (again) pending; a published
 * one keeps its published content, the edit being a pending revision; a removed one cannot be
 * edited. Either way it goes (back) to the moderation queue.
 */
export function editReview(review: Review, callerId: string, content: ReviewContent, now: Date): Review {
  assertAuthor(review, callerId);
  if (review.state === 'removed')
    throw new ReviewRefused('conflict', 'A review removed by moderation cannot be edited');
  const { refusal: _refusal, ...rest } = review;
  return {
    ...rest,
    rating: content.rating,
    text: content.text,
    submittedAt: now,
    state: review.state === 'published' ? 'published' : 'pending',
    ...(review.state === 'published' ? { revisionPending: true } : {}),
    version: review.version + 1,
  };
}

/** Whether the review waits for a moderator (a new review, or a revision of a published one). */
export function awaitsModeration(review: Pick<Review, 'state' | 'revisionPending'>): boolean {
  return review.state === 'pending' || (review.state === 'published' && review.revisionPending === true);
}

export type Outcome = 'accept' | 'refuse';

export function isRefusalReason(value: unknown): value is RefusalReason {
  return typeof value === 'string' && (refusalReasonCodes as readonly string[]).includes(value);
}

/**
 * A moderator's decision on a review waiting for one. Accepting publishes what was submitted (a
 * revision keeps the first publication date and takes the acceptance as its update date);
 * refusing needs a reason: a new review is refused, a revision is dropped (the published content
 * stays). Either way the refusal's reason is kept for the author.
 */
export function decideReview(review: Review, outcome: Outcome, reason: RefusalReason | undefined, now: Date): Review {
  if (!awaitsModeration(review)) throw new ReviewRefused('conflict', 'This review does not wait for a decision');
  const { revisionPending: _r, refusal: _f, ...rest } = review;
  if (outcome === 'accept') {
    return {
      ...rest,
      state: 'published',
      published: review.published
        ? { rating: review.rating, text: review.text, publishedAt: review.published.publishedAt, updatedAt: now }
        : { rating: review.rating, text: review.text, publishedAt: now },
      version: review.version + 1,
    };
  }
  if (!reason) throw new ReviewRefused('conflict', 'A refusal needs a reason');
  return {
    ...rest,
    state: review.state === 'published' ? 'published' : 'refused',
    refusal: { reason, at: now },
    version: review.version + 1,
  };
}
