/** The local cloud's tables: a table kept from an earlier run is reported with the indexes it lacks. */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, inject, it } from 'vitest';
import { ensureTables, localDynamoClient, missingIndexes, physicalTableName } from '#local/services/dynamodb.ts';
import { tables } from '#shared/tables.ts';

const cloud = inject('cloud');
const client = localDynamoClient(cloud.urls.dynamodb);
afterAll(() => client.destroy());

it('names the indexes a persisted table lacks', async () => {
  const prefix = `old-${randomUUID().slice(0, 8)}-`;
  const name = physicalTableName(prefix, tables.practitioners);
  // the practitioners table as an earlier version created it: keys only, no index
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await ensureTables(cloud.urls.dynamodb, prefix);
  expect(await missingIndexes(cloud.urls.dynamodb, prefix)).toEqual(
    tables.practitioners.indexes.map((i) => `${name}.${i.name}`),
  );
  // a table created by this version lacks nothing
  const { Table } = await client.send(
    new DescribeTableCommand({ TableName: physicalTableName(prefix, tables.bookings) }),
  );
  expect(Table?.GlobalSecondaryIndexes).toHaveLength(tables.bookings.indexes.length);
});
