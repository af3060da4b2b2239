import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, localDynamoClient } from '#local/services/dynamodb.ts';
import { type TableName, tables } from '#shared/tables.ts';

/** A document client on the local cloud's DynamoDB Local, for tests that look at what is stored. */
export function localDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // Under load DynamoDB Local answers a transaction that waited too long for its item locks
      // with a 500 ("This request will succeed in actual DynamoDB API"), which the SDK retries:
      // 3 attempts (the default) are not always enough on a loaded 2-core machine.
      maxAttempts: 8,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** Logical table name → physical name, from the env of table names that ensureTables returns. */
export function tableNamesFrom(env: Record<string, string>): Record<TableName, string> {
  return Object.fromEntries(Object.values(tables).map((t) => [t.name, env[t.envVar]!])) as Record<TableName, string>;
}

const created: string[] = [];

/**
 * Fresh tables of shared/tables.ts under a unique prefix, by logical name. Drop them with
 * `dropFreshTables()` after each test: DynamoDB Local slows down as its shared database grows.
 */
export async function freshTables(endpoint: string, label: string): Promise<Record<TableName, string>> {
  const names = tableNamesFrom(await ensureTables(endpoint, `it-${label}-${randomUUID().slice(0, 8)}-`));
  created.push(...Object.values(names));
  return names;
}

export async function dropFreshTables(endpoint: string): Promise<void> {
  const admin = localDynamoClient(endpoint);
  for (const name of created.splice(0))
    await admin.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  admin.destroy();
}

/** The slot locks of a practitioner in a bookings table (a Scan: tests only). */
export async function slotLocksOf(
  db: DynamoDBDocumentClient,
  tableName: string,
  practitionerId: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': `SLOT#${practitionerId}#` },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of a table (a Scan: tests only). */
export async function scanAll(db: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
