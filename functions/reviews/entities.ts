/**
 * The reviews context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0015-reviews-and-moderation.md.
 */
import type { OwnedEntity, PlainEntity, RetainedEntity } from '#shared/retention/entity.ts';

/** From BookingCompleted: the client may review this appointment, for 90 days from it. */
export const reviewInvitationEntity = {
  name: 'review-invitation',
  table: 'reviews',
  description: 'A completed appointment its client may review: client, practitioner (account ids), start.',
  personalData: true,
  retention: { purpose: 'review-invitation', clockStartsAt: "the appointment's date", sliding: false },
} as const satisfies RetainedEntity;

/**
 * A review of one appointment (`REVIEW#<rev>`), the root of its partition: its reply and its
 * moderation decisions go with it. The subject key is the author's account.
 */
export const reviewEntity = {
  name: 'review',
  table: 'reviews',
  description:
    "A client's review of a completed appointment: rating, text, author's first name and initial, experience date, moderation state.",
  personalData: true,
  retention: { purpose: 'review', clockStartsAt: "the appointment's date (the experience)", sliding: false },
  owns: 'partition',
} as const satisfies RetainedEntity;

/** The practitioner's one public reply to a review, moderated like it. */
export const reviewReplyEntity = {
  name: 'review-reply',
  table: 'reviews',
  description: "The reviewed practitioner's public reply to a review, and its moderation state.",
  personalData: true,
  ownedBy: reviewEntity.name,
} as const satisfies OwnedEntity;

/** A moderator's decision on a review or its reply (accept / refuse), in the review's partition. */
export const reviewDecisionEntity = {
  name: 'review-decision',
  table: 'reviews',
  description: 'A pre-moderation decision on a review or a reply: moderator, outcome, reason, date.',
  personalData: true,
  ownedBy: reviewEntity.name,
} as const satisfies OwnedEntity;

/** The per-practitioner summary projection: ratings by review id, no person named. */
export const reviewSummaryEntity = {
  name: 'review-summary',
  table: 'reviews',
  description: "A practitioner's review summary (count, average, distribution), projected from review events.",
  personalData: false,
} as const satisfies PlainEntity;

/**
 * A report of a published review (`REPORT#<rpt>`), the root of its partition (its decision and
 * appeal): reporter, reason, explanation, a snapshot of the reported text. 5 years from the report.
 */
export const reportEntity = {
  name: 'report',
  table: 'reviews',
  description:
    'A report of a published review: reporter, reason, explanation, the reported text, the decision and its statement of reasons.',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the report', sliding: false },
  owns: 'partition',
} as const satisfies RetainedEntity;

/** One open report per reporter and review: the lock, deleted when the report is decided. */
export const openReportLockEntity = {
  name: 'open-report-lock',
  table: 'reviews',
  description: 'Holds one open report per reporter and review (ids only).',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the report', sliding: false },
} as const satisfies RetainedEntity;

/**
 * An appeal of a report's decision (`APPEAL#<apl>`), decided by another moderator. Kept as long as
 * the report it appeals: its clock is the report's date.
 */
export const appealEntity = {
  name: 'appeal',
  table: 'reviews',
  description: 'An appeal of a decision on a report: who appealed, why, and the second decision.',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the report it appeals', sliding: false },
} as const satisfies RetainedEntity;

/** A reporter barred from reporting for a period after repeated unfounded reports (audited). */
export const reporterBarEntity = {
  name: 'reporter-bar',
  table: 'reviews',
  description: 'A reporter barred from reporting until a date: the moderator, the reason, the reports it rests on.',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the bar', sliding: false },
} as const satisfies RetainedEntity;

export const reviewsEntities = [
  reviewInvitationEntity,
  reviewEntity,
  reviewReplyEntity,
  reviewDecisionEntity,
  reviewSummaryEntity,
  reportEntity,
  openReportLockEntity,
  appealEntity,
  reporterBarEntity,
] as const;
