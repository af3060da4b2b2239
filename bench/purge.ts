/**
 * `npm run bench:purge`: the purge's cost on DynamoDB Local (its own instance, on a free port).
 * Seeds N due items (BENCH_DUE, 10,000) over 10 expiry days beside BENCH_NOT_DUE (1,000) not due, times one
 * purge run, and reports items read per item deleted (the purge's own counters) and the time,
 * against a floor measured in the same run (DESIGN.md §10): N plain DeleteItem calls on a
 * DynamoDB Local seeded the same way, with the same concurrency, the least any purge of N items must do. Dates lie
 * years ahead: DynamoDB Local's own TTL then leaves the items to the purge.
 *
 *   BENCH_DUE=10000 npm run bench:purge
 */
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { contactRequestEntity } from '#functions/contact/entities.ts';
import { entities } from '#functions/entities.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { defaultPurgeOptions, forEachLimit, purgeExpiredItems } from '#functions/retention/purge.ts';
import { freePort } from '#local/ports.ts';
import { ensureTables, localDynamoClient, startDynamoDbLocal } from '#local/services/dynamodb.ts';
import { manualClock } from '#shared/clock.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { addPeriod } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { type TableName, tables } from '#shared/tables.ts';

const due = Number(process.env.BENCH_DUE ?? 10_000);
/** Items not due beside them: the purge must not read them. */
const notDue = Number(process.env.BENCH_NOT_DUE ?? 1000);
const phase = (what: string) => process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${what}\n`);
const now = new Date('2036-03-11T12:00:00Z');
const day = 86_400_000;

function contactRequest(id: string, expiresAt: Date) {
  const receivedAt = addPeriod(expiresAt, { years: -3 });
  const email = `${id}@example.test`;
  return retainedItem(
    contactRequestEntity,
    { pk: `CONTACT#${id}`, sk: 'REQUEST', id, name: 'Bench', email, subject: 'Bench', message: 'x'.repeat(200) },
    { clockStartedAt: receivedAt, subjectKey: subjectKeyForEmail(email), now: receivedAt },
  );
}

async function seed(db: DynamoDBDocumentClient, tableName: string, prefix: string) {
  const items: object[] = [];
  for (let i = 0; i < due; i++)
    items.push(
      contactRequest(
        `${prefix}due_${i}`,
        new Date(Date.parse('2036-03-01T00:00:00Z') + (i % 10) * day + (i % 86_000) * 1000),
      ),
    );
  for (let i = 0; i < due; i++)
    items.push(contactRequest(`${prefix}later_${i}`, new Date(now.getTime() + (1 + (i % 900)) * day)));
  const chunks: object[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await db.send(
    new BatchWriteCommand({
      RequestItems: {
        [tableName]: chunks[0]!.map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } })),
      },
    }),
  );
  await forEachLimit(chunks.slice(1), 8, async (chunk) => {
    let pending: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {
      [tableName]: chunk.map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } })),
    };
    while (Object.keys(pending).length > 0) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = (out.UnprocessedItems ?? {}) as typeof pending;
    }
  });
}

/** A fresh DynamoDB Local for each measure: it slows down as deletions pile up in it. */
async function withDynamoDbLocal<T>(run: (endpoint: string, db: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
  const ddb = await startDynamoDbLocal({ port: await freePort() });
  const db = DynamoDBDocumentClient.from(localDynamoClient(ddb.endpoint));
  try {
    return await run(ddb.endpoint, db);
  } finally {
    db.destroy();
    await ddb.stop();
  }
}

// The floor: N unconditional single deletes, same concurrency as the purge.
const floorMs = await withDynamoDbLocal(async (endpoint, db) => {
  const floorEnv = await ensureTables(endpoint, 'bench-floor-');
  phase('seeding the floor table');
  await seed(db, floorEnv.TABLE_CONTACT!, 'f');
  phase('deleting (floor)');
  const floorStarted = performance.now();
  await forEachLimit(
    Array.from({ length: due }, (_, i) => i),
    defaultPurgeOptions.concurrency,
    async (i) => {
      await db.send(
        new DeleteCommand({ TableName: floorEnv.TABLE_CONTACT!, Key: { pk: `CONTACT#fdue_${i}`, sk: 'REQUEST' } }),
      );
    },
  );
  return performance.now() - floorStarted;
});

await withDynamoDbLocal(async (endpoint, db) => {
  const env = await ensureTables(endpoint, 'bench-purge-');
  const names = Object.fromEntries(
    (Object.keys(tables) as TableName[]).map((t) => [t, env[tables[t].envVar]!]),
  ) as Record<TableName, string>;
  phase('seeding the purge tables');
  await seed(db, names.contact, 'p');
  phase('purging');
  const started = performance.now();
  const report = await purgeExpiredItems({
    store: dynamoRetentionTables({ client: db, tableNames: names }),
    checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
    holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
    events: { publish: async () => 'evt_bench' },
    clock: manualClock(now),
    entities,
    tables: Object.keys(tables) as TableName[],
    options: { startDay: '2036-02-28' },
  });
  const purgeMs = performance.now() - started;

  console.log(`
  Purge of ${due} due items among ${due + notDue} (DynamoDB Local, ${defaultPurgeOptions.concurrency} deletes in flight, pages of ${defaultPurgeOptions.batchSize})

  items read          ${report.itemsRead}
  items deleted       ${report.itemsDeleted}
  read per deleted    ${(report.itemsRead / report.itemsDeleted).toFixed(3)}
  purge               ${(purgeMs / 1000).toFixed(2)} s  (${((purgeMs * 1000) / due).toFixed(0)} µs per item deleted)
  floor               ${(floorMs / 1000).toFixed(2)} s  (${due} plain DeleteItem, same concurrency)
  purge / floor       ${(purgeMs / floorMs).toFixed(2)}
`);
  if (report.itemsDeleted !== due || !report.complete) throw new Error('the purge did not delete every due item');
});
