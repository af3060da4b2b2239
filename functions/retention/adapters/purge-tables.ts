/**
 * The purge's access to every table (port RetentionTables of ../purge.ts): the byExpiry index,
 * conditional deletes, and the partitions of roots that own them. It touches only the retention
 * metadata and keys of items (pk, sk, expiresAt, entity, retentionPurpose, subjectKey), never a
 * context's own attributes.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { EXPIRES_AT, EXPIRY_DAY } from '#shared/retention/expiry.ts';
import { EXPIRY_INDEX, type TableName } from '#shared/tables.ts';
import type { ExpiryEntry, IndexCursor, ItemKey, PartitionItem, RetentionTables, RootGuard } from '../purge.ts';

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

interface CancellationReason {
  readonly Code?: string;
}

/** Retries a transaction that lost a race with another one on the same item (TransactionConflict). */
export async function withConflictRetries<T>(attempt: () => Promise<T>, attempts = 6): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
      const conflict =
        (error as Error).name === 'TransactionConflictException' ||
        ((error as Error).name === 'TransactionCanceledException' &&
          reasons.some((r) => r.Code === 'TransactionConflict') &&
          !reasons.some((r) => r.Code === 'ConditionalCheckFailed'));
      if (!conflict || n >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** n));
    }
  }
}

export function dynamoRetentionTables(deps: {
  client: DynamoDBDocumentClient;
  tableNames: Readonly<Record<TableName, string>>;
}): RetentionTables {
  const physical = (table: TableName) => deps.tableNames[table];
  return {
    async queryDue(table, day, now, limit, after) {
      const out: QueryCommandOutput = await deps.client.send(
        new QueryCommand({
          TableName: physical(table),
          IndexName: EXPIRY_INDEX,
          KeyConditionExpression: '#day = :day AND #expiresAt <= :now',
          ProjectionExpression: 'pk, sk, #expiresAt, entity, retentionPurpose, subjectKey',
          ExpressionAttributeNames: { '#day': EXPIRY_DAY, '#expiresAt': EXPIRES_AT },
          ExpressionAttributeValues: { ':day': day, ':now': now },
          Limit: limit,
          ...(after ? { ExclusiveStartKey: after as Record<string, unknown> } : {}),
        }),
      );
      return {
        entries: (out.Items ?? []) as ExpiryEntry[],
        read: out.ScannedCount ?? out.Count ?? 0,
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey as IndexCursor } : {}),
      };
    },

    async deleteIfDue(table, key, now) {
      try {
        await deps.client.send(
          new DeleteCommand({
            TableName: physical(table),
            Key: { pk: key.pk, sk: key.sk },
            ConditionExpression: '#expiresAt <= :now',
            ExpressionAttributeNames: { '#expiresAt': EXPIRES_AT },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async *partition(table, pk) {
      let after: Record<string, unknown> | undefined;
      do {
        const out: QueryCommandOutput = await deps.client.send(
          new QueryCommand({
            TableName: physical(table),
            KeyConditionExpression: 'pk = :pk',
            ProjectionExpression: 'pk, sk, subjectKey',
            ExpressionAttributeValues: { ':pk': pk },
            ConsistentRead: true,
            ...(after ? { ExclusiveStartKey: after } : {}),
          }),
        );
        yield (out.Items ?? []) as PartitionItem[];
        after = out.LastEvaluatedKey;
      } while (after);
    },

    async deleteOwned(table, root: ItemKey, items: readonly ItemKey[], guard: RootGuard) {
      const check =
        guard.kind === 'still-due'
          ? {
              ConditionExpression: '#expiresAt <= :now',
              ExpressionAttributeNames: { '#expiresAt': EXPIRES_AT },
              ExpressionAttributeValues: { ':now': guard.now },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' };
      try {
        await withConflictRetries(() =>
          deps.client.send(
            new TransactWriteCommand({
              TransactItems: [
                { ConditionCheck: { TableName: physical(table), Key: { pk: root.pk, sk: root.sk }, ...check } },
                ...items.map((item) => ({ Delete: { TableName: physical(table), Key: { pk: item.pk, sk: item.sk } } })),
              ],
            }),
          ),
        );
        return true;
      } catch (error) {
        const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
        if (
          (error as Error).name === 'TransactionCanceledException' &&
          reasons?.[0]?.Code === 'ConditionalCheckFailed'
        ) {
          return false;
        }
        throw error;
      }
    },
  };
}
