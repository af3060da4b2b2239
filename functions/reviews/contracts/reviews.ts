/** Operations of the reviews context: reviews, replies and their pre-moderation (ADR 0015). */
import * as z from 'zod';
import { appointmentId, reviewId } from '#events/catalogue.ts';
import { type Access, defineOperation, publicAccess } from '#shared/http/contract.ts';
import { pageOf, pageQueryFields } from '#shared/http/pagination.ts';
import { ETagHeader, NotModified } from '#shared/http/public-cache.ts';
import { refusalReasonCodes } from '../domain/moderation.ts';
import { REVIEW_WINDOW_DAYS, reviewStates } from '../domain/review.ts';

const clientOnly = { kind: 'role', roles: ['client'] } as const satisfies Access;
const practitionerOnly = { kind: 'role', roles: ['practitioner'] } as const satisfies Access;
const moderatorOnly = { kind: 'role', roles: ['moderator'] } as const satisfies Access;

/**
 * Lines of text: tabs and line breaks allowed, no other control character (no NUL). Written
 * without the `u` flag (clients compile the document's patterns in `u` mode).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const lines = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;
const linesMessage = 'text without control characters other than tabs and line breaks';

/** Trimmed, CRLF and CR kept as LF. */
const multiLine = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(lines, linesMessage)
    .transform((text) => text.replace(/\r\n?/g, '\n'));

export const REVIEW_TEXT = { min: 20, max: 2000 } as const;
export const REPLY_TEXT = { min: 2, max: 2000 } as const;

export const Rating = z.number().int().min(1).max(5).meta({ description: 'From 1 (poor) to 5 (excellent).' });

export const ReviewInput = z
  .object({
    appointmentId,
    rating: Rating,
    text: multiLine(REVIEW_TEXT.min, REVIEW_TEXT.max),
  })
  .strict()
  .meta({ id: 'ReviewInput', description: 'A review of a completed appointment of the caller.' });

export const ReviewEditInput = z
  .object({ rating: Rating, text: multiLine(REVIEW_TEXT.min, REVIEW_TEXT.max) })
  .strict()
  .meta({ id: 'ReviewEditInput' });

export const ReplyInput = z
  .object({ text: multiLine(REPLY_TEXT.min, REPLY_TEXT.max) })
  .strict()
  .meta({ id: 'ReplyInput' });

export const RefusalView = z
  .object({
    reason: z.enum(refusalReasonCodes),
    label: z.string().meta({ description: 'The reason as the author reads it (French).' }),
    at: z.string(),
  })
  .meta({ id: 'ReviewRefusal' });

/** A review as its author sees it. */
export const MyReview = z
  .object({
    id: reviewId,
    appointmentId: z.string(),
    practitionerId: z.string(),
    state: z.enum(reviewStates),
    rating: z.number().int().meta({ description: 'As last submitted (a pending revision included).' }),
    text: z.string(),
    authorName: z.string(),
    experienceDate: z.iso.date(),
    submittedAt: z.string(),
    revisionPending: z
      .boolean()
      .meta({ description: 'A published review whose edit waits for a moderator (the published text stays online).' }),
    restricted: z.boolean(),
    published: z
      .object({ rating: z.number().int(), text: z.string(), publishedAt: z.string(), updatedAt: z.string().optional() })
      .optional()
      .meta({ description: 'What the public sees.' }),
    refusal: RefusalView.optional().meta({ description: 'Why the review (or its last edit) was refused.' }),
    version: z.number().int(),
  })
  .meta({ id: 'MyReview' });

export const ReviewIdPath = z.object({ reviewId }).strict();

export const submitReview = defineOperation({
  operationId: 'submitReview',
  summary: `Review a completed appointment (the client, within ${REVIEW_WINDOW_DAYS} days of it)`,
  tags: ['reviews'],
  access: clientOnly,
  rateLimit: { perAccount: { requests: 30, windowSeconds: 3600 } },
  body: ReviewInput,
  responses: {
    201: {
      description: 'The review is stored and waits for a moderator; it is published once accepted.',
      schema: MyReview,
    },
    403: {
      description: `The practitioner of the appointment, or more than ${REVIEW_WINDOW_DAYS} days after the appointment.`,
    },
    404: { description: 'No completed appointment of the caller with this id.' },
    409: { description: 'This appointment has a review already (one per appointment).' },
  },
});

export const editReview = defineOperation({
  operationId: 'editReview',
  summary: 'Edit one’s review: moderated again (a published review stays online as it was until then)',
  tags: ['reviews'],
  access: clientOnly,
  pathParameters: ReviewIdPath,
  body: ReviewEditInput,
  responses: {
    200: { description: 'The edit waits for a moderator.', schema: MyReview },
    404: { description: 'No review of the caller with this id.' },
    409: { description: 'The review was removed by moderation, or changed meanwhile (read it again).' },
  },
});

export const withdrawReview = defineOperation({
  operationId: 'withdrawReview',
  summary: 'Withdraw one’s review: deleted at once, with its reply',
  tags: ['reviews'],
  access: clientOnly,
  pathParameters: ReviewIdPath,
  responses: {
    204: { description: 'The review is deleted.' },
    404: { description: 'No review of the caller with this id.' },
    409: { description: 'The review changed meanwhile: try again.' },
  },
});

export const MyReviewPage = pageOf(MyReview, 'MyReviewPage');

export const listMyReviews = defineOperation({
  operationId: 'listMyReviews',
  summary: 'The caller’s reviews, newest first, with their state and any refusal reason',
  tags: ['reviews'],
  access: clientOnly,
  query: z.object(pageQueryFields).strict(),
  responses: {
    200: {
      description: 'A page of reviews; a page may hold fewer than `limit`: follow `nextCursor` until it is absent.',
      schema: MyReviewPage,
    },
  },
});

export const MyReply = z
  .object({
    reviewId,
    state: z.enum(['pending', 'published', 'refused']),
    text: z.string().meta({ description: 'As last submitted.' }),
    submittedAt: z.string(),
    revisionPending: z.boolean(),
    published: z.object({ text: z.string(), publishedAt: z.string(), updatedAt: z.string().optional() }).optional(),
    refusal: RefusalView.optional(),
    version: z.number().int(),
  })
  .meta({ id: 'MyReviewReply' });

export const replyToReview = defineOperation({
  operationId: 'replyToReview',
  summary: 'Write or edit the practitioner’s one public reply to a published review of them (moderated)',
  tags: ['reviews'],
  access: practitionerOnly,
  pathParameters: ReviewIdPath,
  body: ReplyInput,
  responses: {
    200: { description: 'The reply waits for a moderator; it is shown once accepted.', schema: MyReply },
    404: { description: 'No review of the caller with this id.' },
    409: { description: 'The review is not published, or the reply changed meanwhile.' },
  },
});

export const PublicReview = z
  .object({
    id: reviewId,
    rating: z.number().int(),
    text: z
      .string()
      .nullable()
      .meta({ description: 'Null when the text is hidden after a report (the rating still counts): see `note`.' }),
    note: z.string().optional().meta({ description: 'Why the text is hidden (French).' }),
    author: z.string().meta({ description: 'First name and initial ("Zoé M.").' }),
    experienceDate: z.iso.date().meta({ description: 'The date of the appointment reviewed.' }),
    publishedAt: z.string(),
    updatedAt: z.string().optional().meta({ description: 'When the latest edit was accepted.' }),
    verified: z.boolean(),
    verification: z.string().meta({ description: 'How the review was checked (French).' }),
    reply: z
      .object({ text: z.string(), publishedAt: z.string(), updatedAt: z.string().optional() })
      .optional()
      .meta({ description: 'The practitioner’s reply, once accepted.' }),
  })
  .meta({ id: 'PublicReview' });

export const PublicReviewPage = pageOf(PublicReview, 'PublicReviewPage');

export const listPractitionerReviews = defineOperation({
  operationId: 'listPractitionerReviews',
  summary: 'The published reviews of a practitioner, newest first',
  tags: ['reviews'],
  access: publicAccess,
  publicCache: { maxAgeSeconds: 60 },
  pathParameters: z.object({ practitionerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict(),
  query: z.object(pageQueryFields).strict(),
  responses: {
    200: {
      description:
        'A page of published reviews (every one of a completed appointment, moderated before publication). ' +
        'A page may hold fewer than `limit`: follow `nextCursor` until it is absent.',
      headers: { ETag: ETagHeader },
      schema: PublicReviewPage,
    },
    304: NotModified,
  },
});

export const DecisionInput = z
  .object({
    outcome: z.enum(['accept', 'refuse']),
    reason: z.enum(refusalReasonCodes).optional().meta({ description: 'Required to refuse: told to the author.' }),
    note: multiLine(1, 1000).optional().meta({ description: 'For the moderators only.' }),
  })
  .strict()
  .refine((d) => d.outcome === 'accept' || d.reason !== undefined, {
    message: 'a refusal needs a reason',
    path: ['reason'],
  })
  .meta({ id: 'ModerationDecisionInput' });

export const DecisionResult = z
  .object({
    decisionId: z.string(),
    outcome: z.enum(['accept', 'refuse']),
    state: z.enum(['pending', 'published', 'refused', 'removed']),
    decidedAt: z.string(),
  })
  .meta({ id: 'ModerationDecisionResult' });

const decisionResponses = (what: string) =>
  ({
    200: { description: `The decision is recorded; the ${what} leaves the queue.`, schema: DecisionResult },
    404: { description: `No such ${what}.` },
    409: {
      description: `The caller holds no live claim on the ${what} (claim it first), or it no longer waits for a decision.`,
    },
  }) as const;

export const decideReview = defineOperation({
  operationId: 'decideReview',
  summary: 'Accept or refuse a review waiting for moderation (on the caller’s live claim)',
  tags: ['moderation'],
  access: moderatorOnly,
  pathParameters: ReviewIdPath,
  body: DecisionInput,
  responses: decisionResponses('review'),
});

export const decideReply = defineOperation({
  operationId: 'decideReply',
  summary: 'Accept or refuse a practitioner’s reply waiting for moderation (on the caller’s live claim)',
  tags: ['moderation'],
  access: moderatorOnly,
  pathParameters: ReviewIdPath,
  body: DecisionInput,
  responses: decisionResponses('reply'),
});
