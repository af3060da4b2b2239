/**
 * DynamoDB Local as the local cloud starts it (local/services/dynamodb.ts): on a database file,
 * a temporary one when no data folder is given, with the two indexes its stream records lack.
 * Streams still deliver every record, in order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#local/ports.ts';
import { type DynamoDbLocal, localDynamoClient, startDynamoDbLocal } from '#local/services/dynamodb.ts';
import { dynamoDbStreamsApi } from '#local/stream-poller.ts';

let dynamo: DynamoDbLocal;
let stopped = false;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal({ port: await freePort() });
}, 60_000);

afterAll(async () => {
  if (!stopped) await dynamo.stop();
});

describe('DynamoDB Local, as started locally', () => {
  it('runs on a database file whose stream records are indexed by stream and by shard', () => {
    const db = new DatabaseSync(join(dynamo.dataDir, 'shared-local-instance.db'), { readOnly: true });
    try {
      const indexes = db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'us'")
        .all()
        .map((row) => String(row.name));
      expect(indexes).toEqual(expect.arrayContaining(['mpbe_us_stream', 'mpbe_us_shard']));
    } finally {
      db.close();
    }
  });

  it('still delivers a stream’s records, all of them, in order', async () => {
    const client = localDynamoClient(dynamo.endpoint);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'indexed',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      );
      for (let i = 0; i < 30; i++)
        await client.send(new PutItemCommand({ TableName: 'indexed', Item: { pk: { S: `item-${i}` } } }));
      const streams = dynamoDbStreamsApi(client);
      const { streamArn } = await streams.describeTable('indexed');
      const [shard] = await streams.shards(streamArn!);
      const iterator = await streams.shardIterator(streamArn!, shard!.shardId, { type: 'TRIM_HORIZON' });
      const { records } = await streams.records(iterator, 100);
      expect(records.map((r) => (r.dynamodb.Keys as { pk?: { S?: string } } | undefined)?.pk?.S)).toEqual(
        Array.from({ length: 30 }, (_, i) => `item-${i}`),
      );
    } finally {
      client.destroy();
    }
  }, 60_000);

  it('removes its temporary database folder when it stops', async () => {
    expect(existsSync(dynamo.dataDir)).toBe(true);
    await dynamo.stop();
    stopped = true;
    expect(existsSync(dynamo.dataDir)).toBe(false);
  }, 30_000);
});
