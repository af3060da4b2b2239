/**
 * Fixed-window rate limits held by DynamoDB: one atomic counter per (source, operation, window),
 * so concurrent Lambda instances share the count. The counter is bumped before the request is
 * validated; a request over the limit gets a 429 with Retry-After and nothing else of it is kept.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Limit } from '../http/contract.ts';
import { HttpProblem } from '../http/problem.ts';
import { expiryFor } from '../retention/expiry.ts';
import type { SubjectKey } from '../retention/subject.ts';
import { rateLimitCounterEntity } from './entities.ts';

export interface RateLimiter {
  /** Counts the request; throws a 429 problem when `source` is over `limit` for `operationId`. */
  check(
    source: { subjectKey: SubjectKey; label: 'IP' | 'account' },
    operationId: string,
    limit: Limit,
    now: Date,
  ): Promise<void>;
}

export function dynamoRateLimiter(deps: { client: DynamoDBDocumentClient; tableName: string }): RateLimiter {
  return {
    async check(source, operationId, limit, now) {
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const windowStart = nowSeconds - (nowSeconds % limit.windowSeconds);
      const expiry = expiryFor(rateLimitCounterEntity.retention.purpose, new Date(windowStart * 1000), now);
      const result = await deps.client.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: { pk: `RATE#${source.subjectKey}#${operationId}`, sk: `W#${windowStart}` },
          UpdateExpression:
            'ADD #requests :one SET #entity = :entity, #subjectKey = :subjectKey, #expiresAt = if_not_exists(#expiresAt, :expiresAt), #expiryDay = if_not_exists(#expiryDay, :expiryDay), #purpose = :purpose',
          ExpressionAttributeNames: {
            '#requests': 'requests',
            '#entity': 'entity',
            '#subjectKey': 'subjectKey',
            '#expiresAt': 'expiresAt',
            '#expiryDay': 'expiryDay',
            '#purpose': 'retentionPurpose',
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ':entity': rateLimitCounterEntity.name,
            ':subjectKey': source.subjectKey,
            ':expiresAt': expiry.expiresAt,
            ':expiryDay': expiry.expiryDay,
            ':purpose': expiry.retentionPurpose,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const requests = Number(result.Attributes?.requests ?? 0);
      if (requests > limit.requests) {
        const retryAfter = Math.max(1, windowStart + limit.windowSeconds - nowSeconds);
        throw new HttpProblem(
          429,
          'Too many requests',
          `Too many requests from this ${source.label}: at most ${limit.requests} every ${limit.windowSeconds} s. Retry in ${retryAfter} s.`,
          { headers: { 'Retry-After': String(retryAfter) } },
        );
      }
    },
  };
}
