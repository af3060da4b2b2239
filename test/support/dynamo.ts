import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type TableName, tables } from '#shared/tables.ts';

/** A document client on the local cloud's DynamoDB Local, for tests that look at what is stored. */
export function localDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** Logical table name → physical name, from the env of table names that ensureTables returns. */
export function tableNamesFrom(env: Record<string, string>): Record<TableName, string> {
  return Object.fromEntries(Object.values(tables).map((t) => [t.name, env[t.envVar]!])) as Record<TableName, string>;
}
