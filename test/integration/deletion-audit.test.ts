/**
 * The deletion audit end to end on DynamoDB Local: the purge deletes, the local stream poller
 * reads the REMOVE records from the tables' streams and invokes the real record-deletions handler
 * through the local Lambda runtime, and the counts per day, purpose, cause and table appear in the
 * retention table, once each, even when a batch is delivered again. Own tables (unique prefix).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { functions } from '#functions/catalogue.ts';
import { contactRequestEntity } from '#functions/contact/entities.ts';
import { entities } from '#functions/entities.ts';
import { dynamoAuditCounts, receiptKey } from '#functions/retention/adapters/audit-counts.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { streamConsumers } from '#functions/streams.ts';
import { createLambdaRuntime } from '#local/lambda-runtime.ts';
import { ensureTables, localDynamoClient } from '#local/services/dynamodb.ts';
import { createStreamPoller, dynamoDbStreamsApi, type StreamPoller } from '#local/stream-poller.ts';
import { manualClock } from '#shared/clock.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { addPeriod, utcDay } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
const streamsClient = localDynamoClient(cloud.urls.dynamodb);
const names = {} as Record<TableName, string>;
const delivered: unknown[] = [];
let poller: StreamPoller;
let runtime: ReturnType<typeof createLambdaRuntime>;

beforeAll(async () => {
  const env = await ensureTables(cloud.urls.dynamodb, `it-audit-${randomUUID().slice(0, 8)}-`);
  for (const t of Object.keys(tables) as TableName[]) names[t] = env[tables[t].envVar]!;
  // The handler runs in its own instance, configured by its environment as in Lambda.
  const environment = {
    AWS_REGION: 'eu-west-3',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: cloud.urls.dynamodb,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  };
  runtime = createLambdaRuntime({
    root: join(import.meta.dirname, '..', '..'),
    account: '000000000000',
    definitions: functions,
    environment: () => environment,
  });
  poller = createStreamPoller({
    consumers: streamConsumers,
    tableNames: names,
    api: dynamoDbStreamsApi(streamsClient),
    invoke: async (name, event) => {
      delivered.push(event);
      return runtime.invoke(name, event);
    },
    region: 'eu-west-3',
    account: '000000000000',
    pollIntervalMs: 50,
  });
  poller.start();
});

afterAll(async () => {
  await poller?.stop();
  await runtime?.stop();
  for (const name of Object.values(names)) {
    await streamsClient.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  }
  streamsClient.destroy();
  db.destroy();
});

/** A contact request whose 3 years end at `expiresAt`. */
function contactRequest(id: string, expiresAt: Date) {
  const receivedAt = addPeriod(expiresAt, { years: -3 });
  const email = `${id}@example.test`;
  return retainedItem(
    contactRequestEntity,
    { pk: `CONTACT#${id}`, sk: 'REQUEST', id, name: 'Test', email, subject: 's', message: 'm' },
    { clockStartedAt: receivedAt, subjectKey: subjectKeyForEmail(email), now: receivedAt },
  );
}

const counts = () => dynamoAuditCounts({ client: db, tableName: names.retention });

/** The counts of the days this test ran on, summed per cause#purpose#table. */
async function countsOfToday(): Promise<Record<string, number>> {
  const days = [...new Set([utcDay(new Date(Date.now() - 120_000)), utcDay(new Date())])];
  const sums: Record<string, number> = {};
  for (const day of days) {
    for (const row of await counts().day(day)) {
      const key = `${row.cause}#${row.purpose}#${row.table}`;
      sums[key] = (sums[key] ?? 0) + row.deleted;
    }
  }
  return sums;
}

describe('deletion audit', () => {
  it('counts the purge’s deletions per purpose, day and cause through the stream, once each', async () => {
    const now = new Date();
    const expired = new Date(now.getTime() - 30 * 86_400_000);
    for (let i = 0; i < 5; i++) {
      await db.send(
        new PutCommand({
          TableName: names.contact,
          Item: contactRequest(`due_${i}`, new Date(expired.getTime() + i * 1000)),
        }),
      );
    }
    const live = contactRequest('live_1', new Date(now.getTime() + 365 * 86_400_000));
    await db.send(new PutCommand({ TableName: names.contact, Item: live }));

    const report = await purgeExpiredItems({
      store: dynamoRetentionTables({ client: db, tableNames: names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
      events: recordingPublisher(),
      clock: manualClock(now),
      entities,
      tables: Object.keys(tables) as TableName[],
      options: { startDay: utcDay(new Date(expired.getTime() - 86_400_000)) },
    });
    // An erasure (or any deliberate delete) of a live item.
    await db.send(new DeleteCommand({ TableName: names.contact, Key: { pk: live.pk, sk: live.sk } }));
    await poller.idle();

    const sums = await countsOfToday();
    // DynamoDB Local may delete an expired item by its own TTL before the purge does: then the
    // stream says so (cause ttl). Together they are the 5 expired requests.
    expect((sums['purge#contact-request#contact'] ?? 0) + (sums['ttl#contact-request#contact'] ?? 0)).toBe(5);
    expect(report.itemsDeleted).toBe(sums['purge#contact-request#contact']);
    expect(sums['erasure-or-other#contact-request#contact']).toBe(1);
    expect(poller.failures()).toEqual([]);

    // Delivered again (a retried batch): nothing is counted twice.
    for (const event of delivered) await runtime.invoke('recordDeletions', event);
    expect(await countsOfToday()).toEqual(sums);
    const firstRemove = (delivered[0] as { Records: { eventID: string }[] }).Records[0]!;
    expect(
      (await db.send(new GetCommand({ TableName: names.retention, Key: receiptKey(firstRemove.eventID) }))).Item,
    ).toMatchObject({ entity: 'deletion-audit-receipt', retentionPurpose: 'technical-operation' });
  });

  it('counts a batch once even when some of its records were counted before', async () => {
    const store = counts();
    const at = new Date();
    const deletion = (n: number) => ({
      eventId: `it-${randomUUID()}-${n}`,
      day: '2036-01-01',
      purpose: 'contact-request',
      cause: 'purge' as const,
      table: 'contact' as const,
    });
    const first = [deletion(1), deletion(2)];
    expect(await store.add(first, at)).toEqual({ failed: [] });
    const third = deletion(3);
    const mixed = [...first, third, third];
    expect(await store.add(mixed, at)).toEqual({ failed: [] });
    expect(await store.day('2036-01-01')).toEqual([
      { purpose: 'contact-request', cause: 'purge', table: 'contact', deleted: 3 },
    ]);
  });
});
