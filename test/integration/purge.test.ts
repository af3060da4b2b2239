import { BatchWriteCommand, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { dynamoContactRequestStore } from '#functions/contact/adapters/contact-request-store.ts';
import { contactRequestEntity } from '#functions/contact/entities.ts';
import { entities } from '#functions/entities.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { ACTIVE_HOLDS_PK, dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { activeHoldEntity } from '#functions/retention/entities.ts';
import { type PurgeDeps, purgeExpiredItems, type RetentionTables } from '#functions/retention/purge.ts';
import { manualClock } from '#shared/clock.ts';
import { openItem, retainedItem } from '#shared/dynamo/items.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import { addPeriod } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { dropFreshTables, freshTables as freshTablesIn, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher, testExchangeEntity, testMessageEntity } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const freshTables = () => freshTablesIn(cloud.urls.dynamodb, 'purge');

function purgeDeps(names: Record<TableName, string>, now: string, overrides: Partial<PurgeDeps> = {}) {
  const clock = manualClock(now);
  const events = recordingPublisher();
  const deps: PurgeDeps = {
    store: dynamoRetentionTables({ client: db, tableNames: names }),
    checkpoints: dynamoCheckpointStore({ client: db, tableName: names.retention }),
    holds: dynamoLegalHolds({ client: db, tableName: names.retention }),
    events,
    clock,
    entities,
    tables: Object.keys(tables) as TableName[],
    ...overrides,
  };
  return { deps, clock, events };
}

const THREE_YEARS = { years: 3 };
const minus3y = (at: Date) => addPeriod(at, { years: -3 });

/** A contact request that expires at `expiresAt` (received 3 years before). */
function contactRequest(id: string, expiresAt: Date, email = `${id}@example.test`) {
  const receivedAt = minus3y(expiresAt);
  return retainedItem(
    contactRequestEntity,
    {
      pk: `CONTACT#${id}`,
      sk: 'REQUEST',
      id,
      name: 'Test',
      email,
      subject: 's',
      message: 'm',
      receivedAt: receivedAt.toISOString(),
    },
    { clockStartedAt: receivedAt, subjectKey: subjectKeyForEmail(email), now: receivedAt },
  );
}

async function batchWrite(tableName: string, items: readonly object[]) {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25) as Record<string, unknown>[]);
  // DynamoDB Local has lost items of the first concurrent batches written to a table just
  // created: the first batch goes alone.
  let next = 1;
  if (chunks[0])
    await db.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: chunks[0].map((Item) => ({ PutRequest: { Item } })) } }),
    );
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < chunks.length) {
        let pending = { [tableName]: chunks[next++]!.map((Item) => ({ PutRequest: { Item } })) };
        while (Object.keys(pending).length > 0) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: pending }));
          pending = (out.UnprocessedItems ?? {}) as typeof pending;
        }
      }
    }),
  );
}

async function countItems(tableName: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ExclusiveStartKey: start }));
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Index entries still due at `now` on these days. */
async function stillDue(tableName: string, days: string[], now: Date): Promise<number> {
  let due = 0;
  for (const day of days) {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byExpiry',
        KeyConditionExpression: 'expiryDay = :d AND expiresAt <= :now',
        ExpressionAttributeValues: { ':d': day, ':now': Math.floor(now.getTime() / 1000) },
        Select: 'COUNT',
      }),
    );
    due += out.Count ?? 0;
  }
  return due;
}

describe('purge: time travel with the contact form', () => {
  it('keeps a request one day before the end of its 3 years; one day after, reads skip it and a purge deletes it', async () => {
    const names = await freshTables();
    const store = dynamoContactRequestStore({ client: db, tableName: names.contact });
    const receivedAt = new Date('2026-11-26T21:00:00Z');
    await store.add({
      id: 'contact_timetravel',
      name: 'Alice',
      email: 'alice@example.test',
      subject: 'Q',
      message: 'M',
      receivedAt,
    });
    const key = { pk: 'CONTACT#contact_timetravel', sk: 'REQUEST' };
    const end = addPeriod(receivedAt, THREE_YEARS);
    const dayBefore = new Date(end.getTime() - 86_400_000);
    const dayAfter = new Date(end.getTime() + 86_400_000);

    // The tables are new and hold nothing that expires before this request: start the days there.
    const { deps, clock } = purgeDeps(names, dayBefore.toISOString(), { options: { startDay: '2029-11-01' } });
    expect(await store.get('contact_timetravel', clock.now())).toMatchObject({ email: 'alice@example.test' });
    const before = await purgeExpiredItems(deps);
    expect(before).toMatchObject({ complete: true, itemsDeleted: 0 });
    expect((await db.send(new GetCommand({ TableName: names.contact, Key: key }))).Item).toBeDefined();

    clock.set(dayAfter);
    expect(await store.get('contact_timetravel', clock.now())).toBeUndefined();
    expect((await db.send(new GetCommand({ TableName: names.contact, Key: key }))).Item).toBeDefined();
    const after = await purgeExpiredItems(deps);
    expect(after).toMatchObject({
      complete: true,
      itemsRead: 1,
      itemsDeleted: 1,
      deletedByPurpose: { 'contact-request': 1 },
    });
    expect((await db.send(new GetCommand({ TableName: names.contact, Key: key }))).Item).toBeUndefined();
  });
});

/**
 * Dates here lie years after the machine's clock: DynamoDB Local deletes expired items by itself
 * (its own TTL, a few every few seconds), which would race the purge for items already expired
 * for real. The purge's clock is injected; DynamoDB Local's is not.
 */
describe('purge: 10,000 items, 1,000 due (seeded with BatchWriteItem over several expiry days)', () => {
  const now = new Date('2036-03-10T12:00:00Z');
  const dueDays = ['2036-03-02', '2036-03-04', '2036-03-05', '2036-03-07', '2036-03-09'];
  const seed = async (names: Record<TableName, string>, total = 10_000, due = 1000) => {
    const items: object[] = [];
    for (let i = 0; i < due; i++) {
      const day = dueDays[i % dueDays.length]!;
      items.push(contactRequest(`due_${i}`, new Date(`${day}T${String(i % 24).padStart(2, '0')}:17:00Z`)));
    }
    // Not due: later today (the same expiry day as now), and on days to come.
    const later = Math.min(500, total - due);
    for (let i = 0; i < later; i++)
      items.push(contactRequest(`later_${i}`, new Date(`2036-03-10T${12 + (i % 11)}:30:00Z`)));
    for (let i = 0; i < total - due - later; i++) {
      items.push(contactRequest(`future_${i}`, new Date(Date.parse('2036-03-11T00:00:00Z') + (i % 1200) * 86_400_000)));
    }
    await batchWrite(names.contact, items);
  };

  it('reads and deletes exactly the 1,000 due items', { timeout: 240_000 }, async () => {
    const names = await freshTables();
    await seed(names);
    expect(await countItems(names.contact)).toBe(10_000);
    const { deps, events } = purgeDeps(names, now.toISOString(), { options: { startDay: '2036-03-01' } });

    const report = await purgeExpiredItems(deps);

    expect(report).toMatchObject({
      complete: true,
      itemsRead: 1000,
      itemsDeleted: 1000,
      deletedByPurpose: { 'contact-request': 1000 },
    });
    expect(await countItems(names.contact)).toBe(9000);
    expect(await stillDue(names.contact, dueDays, now)).toBe(0);
    expect(events.published.at(-1)?.data).toMatchObject({ itemsRead: 1000, itemsDeleted: 1000, complete: true });
  });

  // Generous limits: DynamoDB Local slows down under the load of the whole suite on 2 cores.
  it('interrupted by a failure, then by its time budget, the next run finishes: exactly the due items gone', {
    timeout: 240_000,
  }, async () => {
    // Fewer items than above: what is tested is resuming, not volume (400 due among 1,000).
    const names = await freshTables();
    await seed(names, 1000, 400);
    expect(await countItems(names.contact)).toBe(1000);
    const real = dynamoRetentionTables({ client: db, tableNames: names });
    let deletes = 0;
    const failing: RetentionTables = {
      ...real,
      async deleteIfDue(table, key, at) {
        if (++deletes === 100) throw new Error('injected failure');
        return real.deleteIfDue(table, key, at);
      },
    };
    const { deps } = purgeDeps(names, now.toISOString(), { store: failing, options: { startDay: '2036-03-01' } });
    await expect(purgeExpiredItems(deps)).rejects.toThrow('injected failure');

    let deleted = 0;
    const counting: RetentionTables = {
      ...real,
      async deleteIfDue(table, key, at) {
        const done = await real.deleteIfDue(table, key, at);
        if (done) deleted++;
        return done;
      },
    };
    const budgeted = await purgeExpiredItems({ ...deps, store: counting }, { exhausted: () => deleted >= 120 });
    expect(budgeted.complete).toBe(false);
    expect(await stillDue(names.contact, dueDays, now)).toBeGreaterThan(0);

    const last = await purgeExpiredItems({ ...deps, store: real });
    expect(last.complete).toBe(true);
    expect(await stillDue(names.contact, dueDays, now)).toBe(0);
    expect(await countItems(names.contact)).toBe(600);
    expect(
      (
        await db.send(
          new GetCommand({ TableName: names.retention, Key: { pk: 'PURGE-CHECKPOINT#contact', sk: 'CHECKPOINT' } }),
        )
      ).Item,
    ).toMatchObject({
      entity: 'purge-checkpoint',
      clearedBefore: '2036-03-10',
    });
  });
});

describe('purge: cascades and legal holds', () => {
  const exchange = testExchangeEntity;
  const message = testMessageEntity;
  const testEntities: EntityDefinition[] = [...entities, exchange, message];
  const now = new Date('2036-03-10T12:00:00Z');
  const expired = new Date('2031-03-05T08:00:00Z'); // exchanges: 5 years

  /** An exchange whose 5 years end at `end`. */
  const root = (id: string, email: string, end = expired) => {
    const clockStartedAt = addPeriod(end, { years: -5 });
    return retainedItem(
      exchange,
      { pk: `EXCHANGE#${id}`, sk: 'EXCHANGE' },
      { clockStartedAt, subjectKey: subjectKeyForEmail(email), now: clockStartedAt },
    );
  };
  const child = (id: string, n: number, email: string) => ({
    pk: `EXCHANGE#${id}`,
    sk: `MSG#${String(n).padStart(4, '0')}`,
    entity: message.name,
    subjectKey: subjectKeyForEmail(email),
  });

  it('deletes a due root with every item of its partition (more than one transaction of them)', async () => {
    const names = await freshTables();
    await batchWrite(names.contact, [
      root('1', 'a@example.test'),
      ...Array.from({ length: 150 }, (_, n) => child('1', n, n % 2 ? 'a@example.test' : 'p@example.test')),
      root('2', 'b@example.test', new Date('2031-06-01T00:00:00Z')), // not due yet
      child('2', 0, 'b@example.test'),
    ]);
    const { deps } = purgeDeps(names, '2031-03-10T12:00:00Z', {
      entities: testEntities,
      options: { startDay: '2031-03-01' },
    });
    const report = await purgeExpiredItems(deps);
    expect(report).toMatchObject({ itemsDeleted: 151, deletedByPurpose: { exchange: 151 } });
    expect(await countItems(names.contact)).toBe(2);
  });

  it('leaves every item of a subject under an active legal hold', async () => {
    const names = await freshTables();
    const heldEmail = 'held@example.test';
    await batchWrite(names.contact, [
      contactRequest('held_1', new Date('2036-03-05T08:00:00Z'), heldEmail),
      contactRequest('held_2', new Date('2036-03-06T08:00:00Z'), heldEmail),
      contactRequest('free_1', new Date('2036-03-05T09:00:00Z')),
    ]);
    await batchWrite(names.retention, [
      openItem(
        activeHoldEntity,
        { pk: ACTIVE_HOLDS_PK, sk: 'hold_0123456789abcdef0123456789abcdef' },
        subjectKeyForEmail(heldEmail),
      ),
    ]);
    const { deps } = purgeDeps(names, now.toISOString(), { options: { startDay: '2036-03-01' } });
    const report = await purgeExpiredItems(deps);
    expect(report).toMatchObject({ itemsDeleted: 1, skippedUnderHold: 2 });
    const left = (await db.send(new ScanCommand({ TableName: names.contact }))).Items?.map((i) => i.pk).sort();
    expect(left).toEqual(['CONTACT#held_1', 'CONTACT#held_2']);
    // The day of the held items stays open, so the purge finds them again once the hold is lifted.
    expect(
      (
        await db.send(
          new GetCommand({ TableName: names.retention, Key: { pk: 'PURGE-CHECKPOINT#contact', sk: 'CHECKPOINT' } }),
        )
      ).Item?.clearedBefore,
    ).toBe('2036-03-05');
  });
});
