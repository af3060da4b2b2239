/**
 * The use cases of the reviews part (ADR 0015): invitations, submission, edit, withdrawal, the
 * author's and the public lists, the practitioner's reply, pre-moderation decisions, the author's
 * mails and the reviews of a deleted account. What the handlers run, with injected deps.
 */
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { AuthorDirectory } from './adapters/author-directory.ts';
import type { Decision, ReviewStore } from './adapters/review-store.ts';
import { REFUSAL_REASONS, type RefusalReason } from './domain/moderation.ts';
import {
  assertAuthor,
  assertMayReview,
  decideReview,
  displayName,
  editReview,
  newReview,
  type Outcome,
  type Refusal,
  type Review,
  type ReviewContent,
  type ReviewInvitation,
  ReviewRefused,
} from './domain/review.ts';
import { publicationMail, refusalMail } from './domain/review-mail.ts';
import { decideReply, type ReviewReply, writeReply } from './domain/review-reply.ts';

export interface ReviewDeps {
  readonly store: ReviewStore;
  readonly clock: Clock;
}

export interface SubmitDeps extends ReviewDeps {
  readonly authors: AuthorDirectory;
}

export interface MailDeps extends SubmitDeps {
  readonly mailer: Mailer;
}

/** The domain's refusals as problems (nothing personal in their messages). */
function problemOf(error: unknown): never {
  if (error instanceof ReviewRefused) {
    const status = { 'not-found': 404, forbidden: 403, conflict: 409 }[error.kind];
    const title = { 'not-found': 'Not found', forbidden: 'Forbidden', conflict: 'Conflict' }[error.kind];
    throw new HttpProblem(status, title, error.message);
  }
  throw error;
}

async function run<T>(body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (error) {
    problemOf(error);
  }
}

const changedMeanwhile = () => new HttpProblem(409, 'Conflict', 'The review changed meanwhile: read it and try again');

const day = (d: Date) => d.toISOString().slice(0, 10);

const refusalView = (refusal: Refusal) => ({
  reason: refusal.reason,
  label: REFUSAL_REASONS[refusal.reason],
  at: refusal.at.toISOString(),
});

/** A review as its author sees it. */
export function myReviewView(review: Review) {
  return {
    id: review.id,
    appointmentId: review.appointmentId,
    practitionerId: review.practitionerId,
    state: review.state,
    rating: review.rating,
    text: review.text,
    authorName: review.authorName,
    experienceDate: day(review.experienceAt),
    submittedAt: review.submittedAt.toISOString(),
    revisionPending: review.revisionPending === true,
    restricted: review.restricted === true,
    ...(review.published
      ? {
          published: {
            rating: review.published.rating,
            text: review.published.text,
            publishedAt: review.published.publishedAt.toISOString(),
            ...(review.published.updatedAt ? { updatedAt: review.published.updatedAt.toISOString() } : {}),
          },
        }
      : {}),
    ...(review.refusal ? { refusal: refusalView(review.refusal) } : {}),
    version: review.version,
  };
}

function myReplyView(reply: ReviewReply) {
  return {
    reviewId: reply.reviewId,
    state: reply.state,
    text: reply.text,
    submittedAt: reply.submittedAt.toISOString(),
    revisionPending: reply.revisionPending === true,
    ...(reply.published
      ? {
          published: {
            text: reply.published.text,
            publishedAt: reply.published.publishedAt.toISOString(),
            ...(reply.published.updatedAt ? { updatedAt: reply.published.updatedAt.toISOString() } : {}),
          },
        }
      : {}),
    ...(reply.refusal ? { refusal: refusalView(reply.refusal) } : {}),
    version: reply.version,
  };
}

export const VERIFICATION_LABEL = 'avis vérifié : rendez-vous honoré';
export const RESTRICTED_NOTE =
  'Texte masqué à la suite d’un signalement, après décision de modération ; la note reste prise en compte.';

/** A published review as the public sees it: no account id, the author's first name and initial. */
export function publicReviewView(review: Review, reply: ReviewReply | undefined) {
  const published = review.published ?? {
    rating: review.rating,
    text: review.text,
    publishedAt: review.submittedAt,
  };
  const restricted = review.restricted === true;
  return {
    id: review.id,
    rating: published.rating,
    text: restricted ? null : published.text,
    ...(restricted ? { note: RESTRICTED_NOTE } : {}),
    author: review.authorName,
    experienceDate: day(review.experienceAt),
    publishedAt: published.publishedAt.toISOString(),
    ...(published.updatedAt ? { updatedAt: published.updatedAt.toISOString() } : {}),
    verified: true,
    verification: VERIFICATION_LABEL,
    ...(reply?.published
      ? {
          reply: {
            text: reply.published.text,
            publishedAt: reply.published.publishedAt.toISOString(),
            ...(reply.published.updatedAt ? { updatedAt: reply.published.updatedAt.toISOString() } : {}),
          },
        }
      : {}),
  };
}

/** BookingCompleted: the client may review the appointment for 90 days from its start. Idempotent. */
export function recordInvitation(deps: ReviewDeps, invitation: ReviewInvitation) {
  return deps.store.recordInvitation(invitation, deps.clock.now());
}

export async function submitReview(
  deps: SubmitDeps,
  callerId: string,
  input: ReviewContent & { appointmentId: string },
) {
  const now = deps.clock.now();
  return run(async () => {
    const invitation = assertMayReview(await deps.store.findInvitation(input.appointmentId, now), callerId, now);
    const identity = await deps.authors.identityOf(callerId);
    const review = newReview(invitation, displayName(identity?.firstName, identity?.lastName), input, now);
    if ((await deps.store.create(review, now)) === 'exists') {
      throw new HttpProblem(409, 'Conflict', 'This appointment has a review already');
    }
    return myReviewView(review);
  });
}

export async function editMyReview(deps: ReviewDeps, callerId: string, reviewId: string, input: ReviewContent) {
  const now = deps.clock.now();
  return run(async () => {
    const review = assertAuthor(await deps.store.find(reviewId, now), callerId);
    const next = editReview(review, callerId, input, now);
    if (!(await deps.store.edit(review, next))) throw changedMeanwhile();
    return myReviewView(next);
  });
}

export async function withdrawMyReview(deps: ReviewDeps, callerId: string, reviewId: string) {
  const now = deps.clock.now();
  return run(async () => {
    const review = assertAuthor(await deps.store.find(reviewId, now), callerId);
    if ((await deps.store.withdraw(review)) === 'stale') throw changedMeanwhile();
  });
}

export async function listMyReviews(
  deps: ReviewDeps,
  callerId: string,
  page: { limit: number; cursor?: string | undefined },
) {
  const found = await deps.store.listByAuthor(callerId, page, deps.clock.now());
  return { items: found.items.map(myReviewView), ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}) };
}

export async function listPractitionerReviews(
  deps: ReviewDeps,
  practitionerId: string,
  page: { limit: number; cursor?: string | undefined },
) {
  const found = await deps.store.listPublished(practitionerId, page, deps.clock.now());
  return {
    items: found.items.map(({ review, reply }) => publicReviewView(review, reply)),
    ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
  };
}

export async function replyToReview(deps: ReviewDeps, callerId: string, reviewId: string, text: string) {
  const now = deps.clock.now();
  return run(async () => {
    const review = await deps.store.find(reviewId, now);
    const existing =
      review && review.practitionerId === callerId ? await deps.store.findReply(reviewId, now) : undefined;
    const next = writeReply(review, existing, callerId, text, now);
    if (!(await deps.store.saveReply(existing, next, review as Review))) {
      throw new HttpProblem(409, 'Conflict', 'The review is no longer published, or the reply changed meanwhile');
    }
    return myReplyView(next);
  });
}

export interface DecisionRequest {
  readonly outcome: Outcome;
  readonly reason?: RefusalReason | undefined;
  readonly note?: string | undefined;
}

const noClaim = () => new HttpProblem(409, 'Conflict', 'Claim the item first: a decision needs your live claim on it');

function decisionOf(target: Decision['target'], moderatorId: string, request: DecisionRequest, now: Date): Decision {
  return {
    id: newId('dec'),
    target,
    outcome: request.outcome,
    ...(request.outcome === 'refuse' && request.reason ? { reason: request.reason } : {}),
    ...(request.note ? { note: request.note } : {}),
    moderatorId,
    decidedAt: now,
  };
}

export async function decideOnReview(
  deps: ReviewDeps,
  moderatorId: string,
  reviewId: string,
  request: DecisionRequest,
) {
  const now = deps.clock.now();
  return run(async () => {
    const review = await deps.store.find(reviewId, now);
    if (!review) throw new ReviewRefused('not-found', 'No such review');
    const next = decideReview(review, request.outcome, request.reason, now);
    const decision = decisionOf('review', moderatorId, request, now);
    const outcome = await deps.store.decide(review, next, decision, now);
    if (outcome === 'no-claim') throw noClaim();
    if (outcome === 'stale') throw changedMeanwhile();
    return { decisionId: decision.id, outcome: decision.outcome, state: next.state, decidedAt: now.toISOString() };
  });
}

export async function decideOnReply(deps: ReviewDeps, moderatorId: string, reviewId: string, request: DecisionRequest) {
  const now = deps.clock.now();
  return run(async () => {
    const review = await deps.store.find(reviewId, now);
    const reply = review ? await deps.store.findReply(reviewId, now) : undefined;
    if (!review || !reply) throw new ReviewRefused('not-found', 'No such reply');
    const next = decideReply(reply, request.outcome, request.reason, now);
    const decision = decisionOf('reply', moderatorId, request, now);
    const outcome = await deps.store.decideReply(reply, next, review, decision, now);
    if (outcome === 'no-claim') throw noClaim();
    if (outcome === 'stale') throw changedMeanwhile();
    return { decisionId: decision.id, outcome: decision.outcome, state: next.state, decidedAt: now.toISOString() };
  });
}

export type MailOutcome = 'sent' | 'already-sent' | 'gone' | 'moved-on' | 'no-address';

/**
 * ReviewRefused / ReviewPublished: mails the author about the newest decision on their review,
 * once (the decision is marked mailed). A review gone, or whose newest decision is not of this
 * kind any more, is not mailed about.
 */
export async function mailAuthorAboutDecision(
  deps: MailDeps,
  reviewId: string,
  kind: 'refused' | 'published',
): Promise<MailOutcome> {
  const now = deps.clock.now();
  const review = await deps.store.find(reviewId, now);
  if (!review) return 'gone';
  const decision = await deps.store.latestReviewDecision(reviewId);
  if (!decision || decision.outcome !== (kind === 'refused' ? 'refuse' : 'accept')) return 'moved-on';
  if (decision.mailedAt) return 'already-sent';
  const identity = await deps.authors.identityOf(review.authorId);
  if (!identity?.email) return 'no-address';
  const mail =
    kind === 'refused'
      ? refusalMail(review, identity.email, identity.firstName)
      : publicationMail(review, identity.email, identity.firstName);
  if (!mail) return 'moved-on';
  await deps.mailer.send(mail);
  return (await deps.store.markMailed(reviewId, decision.id, now)) ? 'sent' : 'already-sent';
}

/** AccountDeletionRequested: the account's reviews are deleted (each announced ReviewWithdrawn). */
export async function deleteReviewsOfAccount(deps: ReviewDeps, accountId: string) {
  let deleted = 0;
  for (let round = 0; round < 3; round++) {
    const reviews = await deps.store.allByAuthor(accountId, deps.clock.now());
    if (reviews.length === 0) break;
    for (const review of reviews) if ((await deps.store.withdraw(review)) === 'withdrawn') deleted++;
  }
  const left = (await deps.store.allByAuthor(accountId, deps.clock.now())).length;
  if (left > 0) throw new Error(`${left} reviews of the account changed meanwhile: delivered again`);
  return { deleted };
}
