/**
 * The purge checkpoints (port CheckpointStore of ../purge.ts), one item per purged table in the
 * retention table: pk `PURGE-CHECKPOINT#<table>`, sk `CHECKPOINT`, with `clearedBefore` (every
 * expiry day before it is empty) and, while a day is half done, `resume` (the index key the last
 * completed page ended on, and how many due entries that day left under a hold).
 * `clearedBefore` never moves back: a run that finds a checkpoint ahead of its own (two runs at
 * once) leaves it.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { plainItem } from '#shared/dynamo/items.ts';
import type { TableName } from '#shared/tables.ts';
import { purgeCheckpointEntity } from '../entities.ts';
import type { CheckpointStore, PurgeCheckpoint } from '../purge.ts';

export const checkpointKey = (table: TableName) => ({ pk: `PURGE-CHECKPOINT#${table}`, sk: 'CHECKPOINT' });

interface CheckpointItem extends PurgeCheckpoint {
  readonly table: TableName;
  readonly updatedAt: string;
}

export function dynamoCheckpointStore(deps: { client: DynamoDBDocumentClient; tableName: string }): CheckpointStore {
  return {
    async load(table) {
      const { Item } = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: checkpointKey(table), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const item = Item as CheckpointItem;
      return { clearedBefore: item.clearedBefore, ...(item.resume ? { resume: item.resume } : {}) };
    },

    async save(table, checkpoint, at) {
      const item: CheckpointItem & { pk: string; sk: string } = {
        ...checkpointKey(table),
        table,
        clearedBefore: checkpoint.clearedBefore,
        ...(checkpoint.resume ? { resume: checkpoint.resume } : {}),
        updatedAt: at.toISOString(),
      };
      try {
        await deps.client.send(
          new PutCommand({
            TableName: deps.tableName,
            Item: plainItem(purgeCheckpointEntity, item),
            ConditionExpression: 'attribute_not_exists(pk) OR clearedBefore <= :clearedBefore',
            ExpressionAttributeValues: { ':clearedBefore': checkpoint.clearedBefore },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
}
