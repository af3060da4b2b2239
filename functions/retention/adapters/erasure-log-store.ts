/**
 * The erasure log in the retention table: one item per erased key, by identifier only (the
 * erased item's table logical name, pk and sk, the erasure id and time, and the subject key the
 * erasure's audit entry already names). Kept 35 days (catalogue 'erasure-log'), past the 30 days
 * of point-in-time recovery. Partitioned by UTC day, so a replay reads the days since a date with
 * one Query each:
 *
 *   pk `ERASURE-LOG#<yyyy-mm-dd>`, sk `<erasedAt ISO>#<erasureId>#<n>`
 *
 * The retention table is never restored over (docs/runbooks/restore-and-replay-erasures.md):
 * the log must outlive the data it erased.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { withoutDue } from '#shared/dynamo/reads.ts';
import { utcDay } from '#shared/retention/expiry.ts';
import type { SubjectKey } from '#shared/retention/subject.ts';
import type { ErasureLogEntry } from '../domain/erasure.ts';
import { erasureLogEntity } from '../entities.ts';

export interface ErasureLogStore {
  /** Logs the keys before they are deleted (write-ahead: a crash leaves a key to replay, never an unlogged erasure). */
  append(entries: readonly ErasureLogEntry[]): Promise<void>;
  /** Every key logged at or after `since`, read day by day over `days`. */
  since(since: Date, days: readonly string[], now: Date): Promise<ErasureLogEntry[]>;
}

interface LogItem {
  pk: string;
  sk: string;
  erasureId: string;
  erasedTable: string;
  erasedPk: string;
  erasedSk: string;
  erasedAt: string;
  subjectKey: SubjectKey;
}

export function dynamoErasureLogStore(deps: { client: DynamoDBDocumentClient; tableName: string }): ErasureLogStore {
  const TableName = deps.tableName;
  return {
    async append(entries) {
      const items = entries.map((entry, n) =>
        retainedItem(
          erasureLogEntity,
          {
            pk: `ERASURE-LOG#${utcDay(entry.erasedAt)}`,
            sk: `${entry.erasedAt.toISOString()}#${entry.erasureId}#${String(n).padStart(6, '0')}`,
            erasureId: entry.erasureId,
            erasedTable: entry.table,
            erasedPk: entry.pk,
            erasedSk: entry.sk,
            erasedAt: entry.erasedAt.toISOString(),
          },
          { clockStartedAt: entry.erasedAt, subjectKey: entry.subjectKey, now: entry.erasedAt },
        ),
      );
      for (let i = 0; i < items.length; i += 25) {
        let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = items
          .slice(i, i + 25)
          .map((Item) => ({ PutRequest: { Item: Item as unknown as Record<string, unknown> } }));
        for (let attempt = 0; requests?.length; attempt += 1) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
          const result = await deps.client.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
          requests = result.UnprocessedItems?.[TableName] as typeof requests;
        }
      }
    },

    async since(since, days, now) {
      const entries: ErasureLogEntry[] = [];
      for (const day of days) {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await deps.client.send(
            new QueryCommand(
              withoutDue(
                {
                  TableName,
                  KeyConditionExpression: 'pk = :pk AND sk >= :from',
                  ExpressionAttributeValues: { ':pk': `ERASURE-LOG#${day}`, ':from': since.toISOString() },
                  ExclusiveStartKey: start,
                },
                now,
              ),
            ),
          );
          for (const item of (page.Items ?? []) as LogItem[]) {
            entries.push({
              erasureId: item.erasureId,
              table: item.erasedTable,
              pk: item.erasedPk,
              sk: item.erasedSk,
              erasedAt: new Date(item.erasedAt),
              subjectKey: item.subjectKey,
            });
          }
          start = page.LastEvaluatedKey;
        } while (start);
      }
      return entries;
    },
  };
}
