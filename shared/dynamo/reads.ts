/**
 * What every read adds so that nothing past its expiry is ever returned: DynamoDB's TTL deletes
 * "within a few days", and our purge runs once a day, so a due item may still be in the table
 * (or in an index). Queries and scans add `notDue(now)` to their filter; single-item reads check
 * `isDue` (shared/retention/expiry.ts) on what they got. An item under a legal hold has no
 * `expiresAt` (so TTL cannot take it) but keeps `heldExpiresAt`: past that, it is preserved for
 * the authority only and reads leave it out too.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EXPIRES_AT, epochSeconds, HELD_EXPIRES_AT } from '../retention/expiry.ts';

export interface ExpressionPart {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, number>;
}

export function notDue(now: Date): ExpressionPart {
  return {
    expression:
      '(attribute_not_exists(#expiresAt) OR #expiresAt > :now) AND (attribute_not_exists(#heldExpiresAt) OR #heldExpiresAt > :now)',
    names: { '#expiresAt': EXPIRES_AT, '#heldExpiresAt': HELD_EXPIRES_AT },
    values: { ':now': epochSeconds(now) },
  };
}

/** Adds `notDue(now)` to a Query or Scan input, keeping its own filter and expression values. */
export function withoutDue<
  I extends {
    FilterExpression?: string | undefined;
    ExpressionAttributeNames?: Record<string, string> | undefined;
    ExpressionAttributeValues?: Record<string, unknown> | undefined;
  },
>(input: I, now: Date): I {
  const live = notDue(now);
  return {
    ...input,
    FilterExpression: input.FilterExpression ? `(${input.FilterExpression}) AND ${live.expression}` : live.expression,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...live.names },
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...live.values },
  };
}

/** Every item a query matches, page after page (for bounded sets: a partition, an index range). */
export async function queryAll<T>(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<T[]> {
  const found: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    found.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}
