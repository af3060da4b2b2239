/**
 * The deletion audit's counts (port AuditCounts of ../deletion-audit.ts) in the retention table:
 * - a count per day, cause, purpose and table: pk `DELETIONS#<day>`, sk
 *   `<cause>#<purpose>#<table>`, attribute `deleted` (UpdateItem ADD), kept 5 years
 *   (retention-audit);
 * - a receipt per counted stream record: pk `DELETION-COUNTED#<eventId>`, sk `RECEIPT`, kept 30
 *   days (a stream keeps records 24 hours).
 * Each chunk of records is one transaction: the receipts (Put, only if absent) with the counts
 * they add to. A redelivered record finds its receipt, the transaction is cancelled, and it is
 * retried without the records already counted: a record counts exactly once.
 */
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { plainItem } from '#shared/dynamo/items.ts';
import type { TableName } from '#shared/tables.ts';
import type { AuditCounts, CountedDeletion, DeletionCause } from '../deletion-audit.ts';
import { deletionAuditReceiptEntity, purgeAuditEntity } from '../entities.ts';
import { withConflictRetries } from './purge-tables.ts';

/** Receipts per transaction; with at most as many counts, within DynamoDB's 100 actions. */
export const AUDIT_CHUNK = 50;

export const auditCountKey = (d: Pick<CountedDeletion, 'day' | 'cause' | 'purpose' | 'table'>) => ({
  pk: `DELETIONS#${d.day}`,
  sk: `${d.cause}#${d.purpose}#${d.table}`,
});

export const receiptKey = (eventId: string) => ({ pk: `DELETION-COUNTED#${eventId}`, sk: 'RECEIPT' });

interface CancellationReason {
  readonly Code?: string;
}

export function dynamoAuditCounts(deps: { client: DynamoDBDocumentClient; tableName: string }): AuditCounts {
  const transact = async (chunk: readonly CountedDeletion[], at: Date) => {
    const groups = new Map<string, { deletion: CountedDeletion; n: number }>();
    for (const d of chunk) {
      const id = auditCountKey(d).sk + auditCountKey(d).pk;
      const group = groups.get(id);
      if (group) group.n++;
      else groups.set(id, { deletion: d, n: 1 });
    }
    const counts = [...groups.values()].map(({ deletion, n }) => {
      const { day, cause, purpose, table } = deletion;
      const item = plainItem(
        purgeAuditEntity,
        { ...auditCountKey(deletion), day, cause, purpose, table },
        new Date(`${day}T00:00:00Z`),
        at,
      );
      const { pk, sk, ...attributes } = item as typeof item & Record<string, unknown>;
      const names = Object.keys(attributes);
      return {
        Update: {
          TableName: deps.tableName,
          Key: { pk, sk },
          UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :a${i}`).join(', ')} ADD #deleted :n`,
          ExpressionAttributeNames: {
            ...Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
            '#deleted': 'deleted',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name, i) => [`:a${i}`, attributes[name]])),
            ':n': n,
          },
        },
      };
    });
    const receipts = chunk.map((d) => ({
      Put: {
        TableName: deps.tableName,
        Item: plainItem(deletionAuditReceiptEntity, receiptKey(d.eventId), at, at),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    await withConflictRetries(() =>
      deps.client.send(new TransactWriteCommand({ TransactItems: [...receipts, ...counts] })),
    );
  };

  return {
    async add(deletions, at) {
      const failed: string[] = [];
      // The same record twice in one batch would cancel its own transaction: keep one.
      const unique = [...new Map(deletions.map((d) => [d.eventId, d])).values()];
      for (let i = 0; i < unique.length; i += AUDIT_CHUNK) {
        let chunk = unique.slice(i, i + AUDIT_CHUNK);
        while (chunk.length > 0) {
          try {
            await transact(chunk, at);
            break;
          } catch (error) {
            const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
            const counted = new Set(
              chunk.filter((_, j) => reasons?.[j]?.Code === 'ConditionalCheckFailed').map((d) => d.eventId),
            );
            if ((error as Error).name !== 'TransactionCanceledException' || counted.size === 0) {
              failed.push(...chunk.map((d) => d.eventId));
              break;
            }
            chunk = chunk.filter((d) => !counted.has(d.eventId));
          }
        }
      }
      return { failed };
    },

    async day(day) {
      const rows: { purpose: string; cause: DeletionCause; table: TableName; deleted: number }[] = [];
      let after: Record<string, unknown> | undefined;
      do {
        const out = await deps.client.send(
          new QueryCommand({
            TableName: deps.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `DELETIONS#${day}` },
            ConsistentRead: true,
            ...(after ? { ExclusiveStartKey: after } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          rows.push({
            purpose: item.purpose as string,
            cause: item.cause as DeletionCause,
            table: item.table as TableName,
            deleted: item.deleted as number,
          });
        }
        after = out.LastEvaluatedKey;
      } while (after);
      return rows;
    },
  };
}
