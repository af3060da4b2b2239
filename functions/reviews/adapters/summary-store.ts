/**
 * The summary projection's store (ADR 0015): the review items it reads (strongly consistent) and
 * the practitioner's summary item `SUMMARY#<practitioner>`/`SUMMARY` (entity review-summary, no
 * personal data), written on condition of its own version. The public profile reads the same
 * item through #shared/reviews/review-summary-reader.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { plainItem } from '#shared/dynamo/items.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { type ReviewSummaryAttributes, summaryKey } from '#shared/reviews/review-summary.ts';
import { itemKey } from '../domain/moderation.ts';
import {
  type ReviewItemFacts,
  type ReviewState,
  type ReviewSummary,
  reviewStateOf,
  type SeenReview,
} from '../domain/summary.ts';
import { reviewSummaryEntity } from '../entities.ts';

export interface SummaryStore {
  /** The review's newest state: gone when its item does not exist (or is past its retention). */
  reviewState(reviewId: string, now: Date): Promise<ReviewState>;
  /** The practitioner's summary (the empty one, version 0, before its first write). */
  get(practitionerId: string): Promise<ReviewSummary | undefined>;
  /** Writes the summary as version `summary.version + 1` if it is still at `summary.version`; false otherwise. */
  save(practitionerId: string, summary: ReviewSummary): Promise<boolean>;
}

interface SummaryItem extends ReviewSummaryAttributes {
  pk: string;
  sk: 'SUMMARY';
  practitionerId: string;
  version: number;
  seen: Record<string, SeenReview>;
}

export function dynamoSummaryStore(deps: { client: DynamoDBDocumentClient; tableName: string }): SummaryStore {
  return {
    async reviewState(reviewId, now) {
      const { Item } = await deps.client.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: itemKey('review', reviewId),
          ConsistentRead: true,
          ProjectionExpression: '#id, #version, #state, #published, #expiresAt, #heldExpiresAt',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#version': 'version',
            '#state': 'state',
            '#published': 'published',
            '#expiresAt': 'expiresAt',
            '#heldExpiresAt': 'heldExpiresAt',
          },
        }),
      );
      const item = Item as (ReviewItemFacts & { expiresAt?: number; heldExpiresAt?: number }) | undefined;
      return reviewStateOf(reviewId, item && !isDue(item, now) ? item : undefined);
    },

    async get(practitionerId) {
      const { Item } = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: summaryKey(practitionerId), ConsistentRead: true }),
      );
      const item = Item as SummaryItem | undefined;
      if (!item) return undefined;
      return {
        version: item.version,
        seen: item.seen ?? {},
        count: item.count,
        average: item.average,
        distribution: item.distribution,
      };
    },

    async save(practitionerId, summary) {
      const item: SummaryItem = {
        ...summaryKey(practitionerId),
        practitionerId,
        version: summary.version + 1,
        seen: { ...summary.seen },
        count: summary.count,
        average: summary.average,
        distribution: summary.distribution,
      };
      try {
        await deps.client.send(
          new PutCommand({
            TableName: deps.tableName,
            Item: plainItem(reviewSummaryEntity, item),
            ...(summary.version === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': summary.version },
                }),
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
