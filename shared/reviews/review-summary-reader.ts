/**
 * Reads a practitioner's review summary from the reviews table (ADR 0015): the practitioners
 * context is granted read access to that table and reads the summary item through this one
 * function, never through the reviews context's code. The item is written by the reviews
 * context's projection (functions/reviews/adapters/summary-store.ts) from the same types.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  emptyDistribution,
  emptyReviewSummary,
  type RatingDistribution,
  type ReviewSummaryAttributes,
  type ReviewSummaryView,
  ratings,
  summaryKey,
} from './review-summary.ts';

export interface ReviewSummaryReader {
  /** The practitioner's summary; the empty one (0 reviews, no average) when none is projected yet. */
  find(practitionerId: string): Promise<ReviewSummaryView>;
}

export function dynamoReviewSummaryReader(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): ReviewSummaryReader {
  return {
    async find(practitionerId) {
      const { Item } = await deps.client.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: summaryKey(practitionerId),
          ProjectionExpression: '#count, #average, #distribution',
          ExpressionAttributeNames: { '#count': 'count', '#average': 'average', '#distribution': 'distribution' },
        }),
      );
      const item = Item as Partial<ReviewSummaryAttributes> | undefined;
      if (!item || typeof item.count !== 'number') return emptyReviewSummary;
      const distribution: Record<string, number> = { ...emptyDistribution };
      for (const rating of ratings) distribution[`${rating}`] = Number(item.distribution?.[`${rating}`] ?? 0);
      return {
        count: item.count,
        average: item.count === 0 ? null : (item.average ?? null),
        distribution: distribution as RatingDistribution,
      };
    },
  };
}
