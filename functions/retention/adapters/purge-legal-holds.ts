/**
 * The active legal holds as the purge sees them (port LegalHolds of ../purge.ts). The legal-hold
 * use cases keep one item per active hold in the fixed partition `ACTIVE-HOLDS` of the retention
 * table (sk = the hold id, attribute `subjectKey`), written when the hold is placed and deleted
 * when it is lifted: one strongly consistent Query loads every held subject.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { LegalHolds } from '../purge.ts';

export const ACTIVE_HOLDS_PK = 'ACTIVE-HOLDS';

export function dynamoLegalHolds(deps: { client: DynamoDBDocumentClient; tableName: string }): LegalHolds {
  return {
    async heldSubjects() {
      const subjects = new Set<string>();
      let after: Record<string, unknown> | undefined;
      do {
        const out: QueryCommandOutput = await deps.client.send(
          new QueryCommand({
            TableName: deps.tableName,
            KeyConditionExpression: 'pk = :pk',
            ProjectionExpression: 'subjectKey',
            ExpressionAttributeValues: { ':pk': ACTIVE_HOLDS_PK },
            ConsistentRead: true,
            ...(after ? { ExclusiveStartKey: after } : {}),
          }),
        );
        for (const item of out.Items ?? []) if (typeof item.subjectKey === 'string') subjects.add(item.subjectKey);
        after = out.LastEvaluatedKey;
      } while (after);
      return subjects;
    },
  };
}
