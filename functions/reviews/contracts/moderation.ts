/**
 * Operations of the reviews context: the moderation queue (ADR 0015). Moderators list what waits
 * (pending reviews and replies, open reports and appeals), oldest first, and claim an item for
 * CLAIM_MINUTES before deciding it (the decisions are in ./reviews.ts and ./reports.ts).
 */
import * as z from 'zod';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { pageOf, pageQueryFields } from '#shared/http/pagination.ts';
import { CLAIM_MINUTES, queueKinds } from '../domain/moderation.ts';

const moderatorOnly: Access = { kind: 'role', roles: ['moderator'] };

export const ModerationQueueKind = z
  .enum(queueKinds)
  .meta({ id: 'ModerationQueueKind', description: 'review, reply (queued under its review id), report or appeal.' });

/** The id of a queued item: a review id (a review or its reply), a report id or an appeal id. */
export const ModerationQueueItemId = z.string().regex(/^(rev|rpt|apl)_[0-9a-f]{32}$/, 'a review, report or appeal id');

export const ModerationQueueItem = z
  .object({
    kind: ModerationQueueKind,
    id: ModerationQueueItemId,
    /** When it entered the queue. */
    since: z.iso.datetime(),
    /** Whole hours it has waited. */
    waitingHours: z.number().int().min(0),
    /** The moderator (account id) holding a live claim on it, if any. */
    claimedBy: z.string().optional(),
    claimExpiresAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'ModerationQueueItem' });

export const listModerationQueue = defineOperation({
  operationId: 'listModerationQueue',
  summary: 'Moderator: what waits for a decision, oldest first (optionally of one kind)',
  tags: ['moderation'],
  access: moderatorOnly,
  query: z.object({ kind: ModerationQueueKind.optional(), ...pageQueryFields }).strict(),
  responses: {
    200: {
      description: 'A page of waiting items, oldest first; a live claim shows who holds it and until when.',
      schema: pageOf(ModerationQueueItem, 'ModerationQueuePage'),
    },
  },
});

export const ModerationClaim = z
  .object({
    kind: ModerationQueueKind,
    id: ModerationQueueItemId,
    claimedBy: z.string(),
    claimExpiresAt: z.iso.datetime(),
  })
  .meta({ id: 'ModerationClaim' });

export const claimModerationItem = defineOperation({
  operationId: 'claimModerationItem',
  summary: `Moderator: claim a waiting item for ${CLAIM_MINUTES} minutes before deciding it`,
  tags: ['moderation'],
  access: moderatorOnly,
  pathParameters: z.object({ kind: ModerationQueueKind, id: ModerationQueueItemId }).strict(),
  responses: {
    200: {
      description: `The item is the caller's for ${CLAIM_MINUTES} minutes (claiming it again renews the claim).`,
      schema: ModerationClaim,
    },
    404: { description: 'No such item waits for a moderator (unknown, already decided, or withdrawn).' },
    409: { description: 'Another moderator holds a live claim on it: try again after its expiry.' },
  },
});
