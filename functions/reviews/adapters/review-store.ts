/**
 * Review invitations, reviews, their replies and pre-moderation decisions in the reviews table
 * (ADR 0015):
 * - `APPOINTMENT#<apt>` / `INVITATION`: from BookingCompleted, kept 90 days from the appointment;
 * - `REVIEW#<rev>` / `REVIEW`: the review, the root of its partition, kept 5 years from the
 *   experience; written with a not-exists condition (one review per appointment), every change
 *   conditioned on the version read; `listingPk`/`listingSk` while published (index `byListing`),
 *   `partyPk`/`partySk` for its author (index `byParty`), the queue keys while waiting;
 * - `REVIEW#<rev>` / `REPLY`: the practitioner's reply; `REVIEW#<rev>` / `DECISION#<dec>`: decisions.
 *
 * Events are not published here: the table's stream is the outbox (handlers/publish-review-events.ts).
 */
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ownedItem, retainedItem } from '#shared/dynamo/items.ts';
import { notDue, queryAll, withoutDue } from '#shared/dynamo/reads.ts';
import { type TransactItem, transact } from '#shared/dynamo/transactions.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { holdsLiveClaim, queueKeys, type RefusalReason } from '../domain/moderation.ts';
import type { Outcome, Review, ReviewInvitation, ReviewState } from '../domain/review.ts';
import type { ReviewReply } from '../domain/review-reply.ts';
import { reviewDecisionEntity, reviewEntity, reviewInvitationEntity, reviewReplyEntity } from '../entities.ts';
import { decisionCondition, enqueueUpdate, QUEUE_REMOVALS } from './moderation-queue.ts';

export const LISTING_INDEX = 'byListing';
export const PARTY_INDEX = 'byParty';

export interface Decision {
  readonly id: string;
  readonly target: 'review' | 'reply';
  readonly outcome: Outcome;
  readonly reason?: RefusalReason;
  readonly note?: string;
  readonly moderatorId: string;
  readonly decidedAt: Date;
  readonly mailedAt?: Date;
}

export type DecideOutcome = 'decided' | 'no-claim' | 'stale';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface ListedReview {
  readonly review: Review;
  readonly reply?: ReviewReply;
}

export interface ReviewStore {
  /** Records the invitation once; 'expired' when its 90 days are already over (nothing written). */
  recordInvitation(invitation: ReviewInvitation, now: Date): Promise<'recorded' | 'exists' | 'expired'>;
  findInvitation(appointmentId: string, now: Date): Promise<ReviewInvitation | undefined>;
  find(reviewId: string, now: Date): Promise<Review | undefined>;
  /** Writes a new review, queued; 'exists' when the appointment has one already. */
  create(review: Review, now: Date): Promise<'created' | 'exists'>;
  /** Writes an author's edit over `previous` (same version still stored), back in the queue. */
  edit(previous: Review, next: Review): Promise<boolean>;
  /** Deletes the review with its partition (reply, decisions) if its version is still the one read. */
  withdraw(review: Review): Promise<'withdrawn' | 'stale'>;
  /** A moderator's decision: on their live claim and the version read, with its decision item. */
  decide(previous: Review, next: Review, decision: Decision, now: Date): Promise<DecideOutcome>;
  listByAuthor(
    authorId: string,
    page: { limit: number; cursor?: string | undefined },
    now: Date,
  ): Promise<Page<Review>>;
  /** Every review of an author (account deletion). */
  allByAuthor(authorId: string, now: Date): Promise<Review[]>;
  /** Published reviews of a practitioner, newest first, with their replies. */
  listPublished(
    practitionerId: string,
    page: { limit: number; cursor?: string | undefined },
    now: Date,
  ): Promise<Page<ListedReview>>;
  findReply(reviewId: string, now: Date): Promise<ReviewReply | undefined>;
  /** Writes the reply (new or over `previous`), queued, while the review is still published. */
  saveReply(previous: ReviewReply | undefined, next: ReviewReply, review: Review): Promise<boolean>;
  decideReply(
    previous: ReviewReply,
    next: ReviewReply,
    review: Review,
    decision: Decision,
    now: Date,
  ): Promise<DecideOutcome>;
  /** The newest decision on the review itself (not its reply). */
  latestReviewDecision(reviewId: string): Promise<Decision | undefined>;
  /** Marks a decision as mailed to the author; false when it was already. */
  markMailed(reviewId: string, decisionId: string, at: Date): Promise<boolean>;
}

interface InvitationItem {
  pk: string;
  sk: 'INVITATION';
  appointmentId: string;
  clientId: string;
  practitionerId: string;
  startsAt: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

interface PublishedAttr {
  rating: number;
  text: string;
  publishedAt: string;
  updatedAt?: string;
}

interface ReviewItem {
  pk: string;
  sk: 'REVIEW';
  id: string;
  appointmentId: string;
  practitionerId: string;
  authorId: string;
  authorName: string;
  experienceAt: string;
  state: ReviewState;
  rating: number;
  text: string;
  createdAt: string;
  submittedAt: string;
  published?: PublishedAttr;
  revisionPending?: boolean;
  restricted?: boolean;
  refusal?: { reason: RefusalReason; at: string };
  version: number;
  listingPk?: string;
  listingSk?: string;
  partyPk: string;
  partySk: string;
  queuePk?: string;
  queueSk?: string;
  claimedBy?: string;
  claimExpiresAt?: number;
  expiresAt?: number;
  heldExpiresAt?: number;
}

interface ReplyItem {
  pk: string;
  sk: 'REPLY';
  reviewId: string;
  practitionerId: string;
  state: ReviewReply['state'];
  text: string;
  submittedAt: string;
  published?: { text: string; publishedAt: string; updatedAt?: string };
  revisionPending?: boolean;
  refusal?: { reason: RefusalReason; at: string };
  version: number;
  queuePk?: string;
  queueSk?: string;
  claimedBy?: string;
  claimExpiresAt?: number;
}

interface DecisionItem {
  pk: string;
  sk: string;
  id: string;
  reviewId: string;
  target: 'review' | 'reply';
  outcome: Outcome;
  reason?: RefusalReason;
  note?: string;
  moderatorId: string;
  decidedAt: string;
  mailedAt?: string;
}

const invitationKey = (appointmentId: string) => ({ pk: `APPOINTMENT#${appointmentId}`, sk: 'INVITATION' as const });
export const reviewKey = (id: string) => ({ pk: `REVIEW#${id}`, sk: 'REVIEW' as const });
const replyKey = (reviewId: string) => ({ pk: `REVIEW#${reviewId}`, sk: 'REPLY' as const });
const decisionKey = (reviewId: string, decisionId: string) => ({
  pk: `REVIEW#${reviewId}`,
  sk: `DECISION#${decisionId}`,
});
const listingPk = (practitionerId: string) => `PRACTITIONER#${practitionerId}`;
const partyPk = (authorId: string) => `AUTHOR#${authorId}`;

const iso = (d: Date) => d.toISOString();
const optionalDate = (v: string | undefined) => (v ? new Date(v) : undefined);

function toPublishedAttr(p: NonNullable<Review['published']>): PublishedAttr {
  return {
    rating: p.rating,
    text: p.text,
    publishedAt: iso(p.publishedAt),
    ...(p.updatedAt ? { updatedAt: iso(p.updatedAt) } : {}),
  };
}

function toReview(item: ReviewItem): Review {
  const updatedAt = optionalDate(item.published?.updatedAt);
  return {
    id: item.id,
    appointmentId: item.appointmentId,
    practitionerId: item.practitionerId,
    authorId: item.authorId,
    authorName: item.authorName,
    experienceAt: new Date(item.experienceAt),
    state: item.state,
    rating: item.rating,
    text: item.text,
    createdAt: new Date(item.createdAt),
    submittedAt: new Date(item.submittedAt),
    ...(item.published
      ? {
          published: {
            rating: item.published.rating,
            text: item.published.text,
            publishedAt: new Date(item.published.publishedAt),
            ...(updatedAt ? { updatedAt } : {}),
          },
        }
      : {}),
    ...(item.revisionPending ? { revisionPending: true } : {}),
    ...(item.restricted ? { restricted: true } : {}),
    ...(item.refusal ? { refusal: { reason: item.refusal.reason, at: new Date(item.refusal.at) } } : {}),
    version: item.version,
  };
}

function toReply(item: ReplyItem): ReviewReply {
  const updatedAt = optionalDate(item.published?.updatedAt);
  return {
    reviewId: item.reviewId,
    practitionerId: item.practitionerId,
    state: item.state,
    text: item.text,
    submittedAt: new Date(item.submittedAt),
    ...(item.published
      ? {
          published: {
            text: item.published.text,
            publishedAt: new Date(item.published.publishedAt),
            ...(updatedAt ? { updatedAt } : {}),
          },
        }
      : {}),
    ...(item.revisionPending ? { revisionPending: true } : {}),
    ...(item.refusal ? { refusal: { reason: item.refusal.reason, at: new Date(item.refusal.at) } } : {}),
    version: item.version,
  };
}

function toDecision(item: DecisionItem): Decision {
  return {
    id: item.id,
    target: item.target,
    outcome: item.outcome,
    ...(item.reason ? { reason: item.reason } : {}),
    ...(item.note ? { note: item.note } : {}),
    moderatorId: item.moderatorId,
    decidedAt: new Date(item.decidedAt),
    ...(item.mailedAt ? { mailedAt: new Date(item.mailedAt) } : {}),
  };
}

const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

export function dynamoReviewStore(deps: { client: DynamoDBDocumentClient; tableName: string }): ReviewStore {
  const { client, tableName } = deps;

  const decisionPut = (review: Review, decision: Decision, subjectOf: string): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: ownedItem(
        reviewDecisionEntity,
        {
          ...decisionKey(review.id, decision.id),
          id: decision.id,
          reviewId: review.id,
          target: decision.target,
          outcome: decision.outcome,
          ...(decision.reason ? { reason: decision.reason } : {}),
          ...(decision.note ? { note: decision.note } : {}),
          moderatorId: decision.moderatorId,
          decidedAt: iso(decision.decidedAt),
        } satisfies DecisionItem,
        subjectKeyForAccount(subjectOf),
      ),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  /** Why a decision's write failed: the caller holds no live claim, or the item changed. */
  async function whyNotDecided(
    key: { pk: string; sk: string },
    moderatorId: string,
    now: Date,
  ): Promise<DecideOutcome> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    const item = Item as { claimedBy?: string; claimExpiresAt?: number } | undefined;
    return item && holdsLiveClaim(item, moderatorId, now) ? 'stale' : 'no-claim';
  }

  return {
    async recordInvitation(invitation, now) {
      const item = retainedItem(
        reviewInvitationEntity,
        {
          ...invitationKey(invitation.appointmentId),
          appointmentId: invitation.appointmentId,
          clientId: invitation.clientId,
          practitionerId: invitation.practitionerId,
          startsAt: iso(invitation.startsAt),
        } satisfies InvitationItem,
        { clockStartedAt: invitation.startsAt, subjectKey: subjectKeyForAccount(invitation.clientId), now },
      );
      if (isDue(item, now)) return 'expired';
      try {
        await client.send(
          new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return 'recorded';
      } catch (error) {
        if (isConditionFailure(error)) return 'exists';
        throw error;
      }
    },

    async findInvitation(appointmentId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: invitationKey(appointmentId), ConsistentRead: true }),
      );
      const item = Item as InvitationItem | undefined;
      if (!item || isDue(item, now)) return undefined;
      return {
        appointmentId: item.appointmentId,
        clientId: item.clientId,
        practitionerId: item.practitionerId,
        startsAt: new Date(item.startsAt),
      };
    },

    async find(reviewId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: reviewKey(reviewId), ConsistentRead: true }),
      );
      const item = Item as ReviewItem | undefined;
      return item && !isDue(item, now) ? toReview(item) : undefined;
    },

    async create(review, now) {
      const item = retainedItem(
        reviewEntity,
        {
          ...reviewKey(review.id),
          id: review.id,
          appointmentId: review.appointmentId,
          practitionerId: review.practitionerId,
          authorId: review.authorId,
          authorName: review.authorName,
          experienceAt: iso(review.experienceAt),
          state: review.state,
          rating: review.rating,
          text: review.text,
          createdAt: iso(review.createdAt),
          submittedAt: iso(review.submittedAt),
          version: review.version,
          partyPk: partyPk(review.authorId),
          partySk: `${iso(review.createdAt)}#${review.id}`,
          ...queueKeys('review', review.id, review.submittedAt),
        } satisfies ReviewItem,
        { clockStartedAt: review.experienceAt, subjectKey: subjectKeyForAccount(review.authorId), now },
      );
      try {
        await client.send(
          new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return 'created';
      } catch (error) {
        if (isConditionFailure(error)) return 'exists';
        throw error;
      }
    },

    async edit(previous, next) {
      const queue = enqueueUpdate('review', next.id, next.submittedAt);
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: reviewKey(next.id),
            UpdateExpression: [
              `SET #state = :state, rating = :rating, #text = :text, submittedAt = :submittedAt, version = :version, ${queue.set}`,
              next.revisionPending ? ', revisionPending = :true' : '',
              ` REMOVE refusal, ${queue.remove}`,
              next.revisionPending ? '' : ', revisionPending',
            ].join(''),
            ConditionExpression: 'attribute_exists(pk) AND version = :previous',
            ExpressionAttributeNames: { '#state': 'state', '#text': 'text' },
            ExpressionAttributeValues: {
              ':state': next.state,
              ':rating': next.rating,
              ':text': next.text,
              ':submittedAt': iso(next.submittedAt),
              ':version': next.version,
              ':previous': previous.version,
              ...(next.revisionPending ? { ':true': true } : {}),
              ...queue.values,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async withdraw(review) {
      const keys = await queryAll<{ pk: string; sk: string }>(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': reviewKey(review.id).pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      });
      const owned = keys.filter((k) => k.sk !== 'REVIEW');
      // A transaction holds 100 items: what does not fit goes first (the root last, never an orphan).
      for (const key of owned.splice(0, Math.max(0, owned.length - 99))) {
        await client.send(new DeleteCommand({ TableName: tableName, Key: key }));
      }
      const result = await transact(client, [
        ...owned.map((key) => ({ Delete: { TableName: tableName, Key: key } })),
        {
          Delete: {
            TableName: tableName,
            Key: reviewKey(review.id),
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': review.version },
          },
        },
      ]);
      return result.committed ? 'withdrawn' : 'stale';
    },

    async decide(previous, next, decision, now) {
      const claim = decisionCondition(decision.moderatorId, now);
      const accepted = decision.outcome === 'accept' && next.published;
      const set = ['#state = :state', 'version = :version'];
      const remove = [QUEUE_REMOVALS, 'revisionPending'];
      const values: Record<string, unknown> = {
        ':state': next.state,
        ':version': next.version,
        ':previous': previous.version,
      };
      if (accepted && next.published) {
        set.push('published = :published', 'listingPk = :listingPk', 'listingSk = :listingSk');
        remove.push('refusal');
        values[':published'] = toPublishedAttr(next.published);
        values[':listingPk'] = listingPk(next.practitionerId);
        values[':listingSk'] = `${iso(next.published.publishedAt)}#${next.id}`;
      } else if (next.refusal) {
        set.push('refusal = :refusal');
        values[':refusal'] = { reason: next.refusal.reason, at: iso(next.refusal.at) };
      }
      const result = await transact(client, [
        {
          Update: {
            TableName: tableName,
            Key: reviewKey(previous.id),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            ConditionExpression: `${claim.ConditionExpression} AND version = :previous`,
            ExpressionAttributeNames: { ...claim.ExpressionAttributeNames, '#state': 'state' },
            ExpressionAttributeValues: { ...claim.ExpressionAttributeValues, ...values },
          },
        },
        decisionPut(previous, decision, previous.authorId),
      ]);
      if (result.committed) return 'decided';
      return whyNotDecided(reviewKey(previous.id), decision.moderatorId, now);
    },

    async listByAuthor(authorId, page, now) {
      const pk = partyPk(authorId);
      const start = page.cursor
        ? decodeCursor(page.cursor, ['partyPk', 'partySk', 'pk', 'sk'], { partyPk: pk })
        : undefined;
      const result = await client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: tableName,
              IndexName: PARTY_INDEX,
              KeyConditionExpression: 'partyPk = :partyPk',
              FilterExpression: 'entity = :entity',
              ExpressionAttributeValues: { ':partyPk': pk, ':entity': reviewEntity.name },
              ScanIndexForward: false,
              Limit: page.limit,
              ...(start ? { ExclusiveStartKey: start } : {}),
            },
            now,
          ),
        ),
      );
      return {
        items: ((result.Items ?? []) as ReviewItem[]).map(toReview),
        ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(result.LastEvaluatedKey) } : {}),
      };
    },

    async allByAuthor(authorId, now) {
      const items = await queryAll<ReviewItem>(
        client,
        withoutDue(
          {
            TableName: tableName,
            IndexName: PARTY_INDEX,
            KeyConditionExpression: 'partyPk = :partyPk',
            FilterExpression: 'entity = :entity',
            ExpressionAttributeValues: { ':partyPk': partyPk(authorId), ':entity': reviewEntity.name },
          },
          now,
        ),
      );
      return items.map(toReview);
    },

    async listPublished(practitionerId, page, now) {
      const pk = listingPk(practitionerId);
      const start = page.cursor
        ? decodeCursor(page.cursor, ['listingPk', 'listingSk', 'pk', 'sk'], { listingPk: pk })
        : undefined;
      const result = await client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: tableName,
              IndexName: LISTING_INDEX,
              KeyConditionExpression: 'listingPk = :listingPk',
              FilterExpression: '#state = :published',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':listingPk': pk, ':published': 'published' },
              ScanIndexForward: false,
              Limit: page.limit,
              ...(start ? { ExclusiveStartKey: start } : {}),
            },
            now,
          ),
        ),
      );
      const reviews = ((result.Items ?? []) as ReviewItem[]).map(toReview);
      const replies = new Map<string, ReviewReply>();
      if (reviews.length > 0) {
        let keys: Record<string, unknown>[] | undefined = reviews.map((r) => replyKey(r.id));
        for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
          const got = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
          for (const item of (got.Responses?.[tableName] ?? []) as ReplyItem[])
            replies.set(item.reviewId, toReply(item));
          keys = got.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
        }
      }
      return {
        items: reviews.map((review) => {
          const reply = replies.get(review.id);
          return reply ? { review, reply } : { review };
        }),
        ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(result.LastEvaluatedKey) } : {}),
      };
    },

    async findReply(reviewId, _now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: replyKey(reviewId), ConsistentRead: true }),
      );
      return Item ? toReply(Item as ReplyItem) : undefined;
    },

    async saveReply(previous, next, review) {
      const live = notDue(new Date());
      const result = await transact(client, [
        {
          ConditionCheck: {
            TableName: tableName,
            Key: reviewKey(review.id),
            ConditionExpression: `#state = :published AND ${live.expression}`,
            ExpressionAttributeNames: { '#state': 'state', ...live.names },
            ExpressionAttributeValues: { ':published': 'published', ...live.values },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: replyItem(next, true),
            ...(previous
              ? {
                  ConditionExpression: 'version = :previous',
                  ExpressionAttributeValues: { ':previous': previous.version },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
      ]);
      return result.committed;
    },

    async decideReply(previous, next, review, decision, now) {
      const claim = decisionCondition(decision.moderatorId, now);
      const result = await transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: replyItem(next, false),
            ConditionExpression: `${claim.ConditionExpression} AND version = :previous`,
            ExpressionAttributeNames: claim.ExpressionAttributeNames,
            ExpressionAttributeValues: { ...claim.ExpressionAttributeValues, ':previous': previous.version },
          },
        },
        decisionPut(review, decision, review.practitionerId),
      ]);
      if (result.committed) return 'decided';
      return whyNotDecided(replyKey(review.id), decision.moderatorId, now);
    },

    async latestReviewDecision(reviewId) {
      const items = await queryAll<DecisionItem>(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :decision)',
        ExpressionAttributeValues: { ':pk': reviewKey(reviewId).pk, ':decision': 'DECISION#' },
        ConsistentRead: true,
      });
      const latest = items
        .filter((d) => d.target === 'review')
        .sort((a, b) => a.decidedAt.localeCompare(b.decidedAt))
        .at(-1);
      return latest ? toDecision(latest) : undefined;
    },

    async markMailed(reviewId, decisionId, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: decisionKey(reviewId, decisionId),
            UpdateExpression: 'SET mailedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mailedAt)',
            ExpressionAttributeValues: { ':at': iso(at) },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };

  /** The stored reply: queued while it waits for a moderator. */
  function replyItem(reply: ReviewReply, queued: boolean) {
    return ownedItem(
      reviewReplyEntity,
      {
        ...replyKey(reply.reviewId),
        reviewId: reply.reviewId,
        practitionerId: reply.practitionerId,
        state: reply.state,
        text: reply.text,
        submittedAt: iso(reply.submittedAt),
        ...(reply.published
          ? {
              published: {
                text: reply.published.text,
                publishedAt: iso(reply.published.publishedAt),
                ...(reply.published.updatedAt ? { updatedAt: iso(reply.published.updatedAt) } : {}),
              },
            }
          : {}),
        ...(reply.revisionPending ? { revisionPending: true } : {}),
        ...(reply.refusal ? { refusal: { reason: reply.refusal.reason, at: iso(reply.refusal.at) } } : {}),
        version: reply.version,
        ...(queued ? queueKeys('reply', reply.reviewId, reply.submittedAt) : {}),
      } satisfies ReplyItem,
      subjectKeyForAccount(reply.practitionerId),
    );
  }
}
