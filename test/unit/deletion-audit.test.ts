/**
 * The deletion audit: how a REMOVE record (the AWS DynamoDBStreamEvent shape) is told apart
 * (DynamoDB's TTL, our purge, a cascade, an erasure or other delete), counted per day, purpose,
 * cause and table, and how a TTL deletion of a partition root cascades. The DynamoDB adapter of
 * the counts (one count per record, even redelivered) is tested in
 * test/integration/deletion-audit.test.ts.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { removedItemOf, tableOfStreamArn } from '#functions/retention/adapters/audit-stream-records.ts';
import {
  type AuditCounts,
  type CountedDeletion,
  classifyDeletion,
  type DeletionAuditDeps,
  type RemovedItem,
  recordDeletions,
} from '#functions/retention/deletion-audit.ts';
import { manualClock } from '#shared/clock.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import type { TableName } from '#shared/tables.ts';
import { fixedHolds, memoryTables, testExchangeEntity, testMessageEntity } from './purge-memory-store.ts';

const exchange = testExchangeEntity;

const message = testMessageEntity;
const testEntities: EntityDefinition[] = [...entities, exchange, message];
const registry = new Map(testEntities.map((e) => [e.name, e]));

const tables = new Map<string, TableName>([
  ['mpbe-contact', 'contact'],
  ['mpbe-retention', 'retention'],
]);
const streamArn = 'arn:aws:dynamodb:eu-west-3:123456789012:table/mpbe-contact/stream/2026-11-26T00:00:00.000';

/** A REMOVE record as Lambda delivers it from a DynamoDB stream (NEW_AND_OLD_IMAGES). */
function removeRecord(options: {
  eventID?: string;
  pk: string;
  sk: string;
  at: number;
  ttl?: boolean;
  old: Record<string, { S: string } | { N: string }>;
}): DynamoDBRecord {
  return {
    eventID: options.eventID ?? `${options.pk}-${options.sk}`,
    eventName: 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-3',
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: options.at,
      Keys: { pk: { S: options.pk }, sk: { S: options.sk } },
      OldImage: { pk: { S: options.pk }, sk: { S: options.sk }, ...options.old },
      SequenceNumber: '111100000000000000001',
      SizeBytes: 120,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(options.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}

const at = Date.parse('2029-11-27T03:30:00Z') / 1000;
const item = (record: DynamoDBRecord): RemovedItem => removedItemOf(record, tables, at)!;

function memoryCounts(failing: string[] = []): AuditCounts & { rows: Map<string, number>; seen: Set<string> } {
  const rows = new Map<string, number>();
  const seen = new Set<string>();
  return {
    rows,
    seen,
    async add(deletions: readonly CountedDeletion[]) {
      const failed: string[] = [];
      for (const d of deletions) {
        if (failing.includes(d.eventId)) failed.push(d.eventId);
        else if (!seen.has(d.eventId)) {
          seen.add(d.eventId);
          const key = `${d.day} ${d.cause} ${d.purpose} ${d.table}`;
          rows.set(key, (rows.get(key) ?? 0) + 1);
        }
      }
      return { failed };
    },
    async day() {
      return [];
    },
  };
}

function deps(counts = memoryCounts(), store = memoryTables(), held: string[] = []): DeletionAuditDeps {
  return { counts, store, holds: fixedHolds(held), clock: manualClock('2029-11-27T03:31:00Z'), entities: testEntities };
}

describe('reading a stream record', () => {
  it('reads the table from the stream ARN, the keys, the TTL mark and three retention attributes', () => {
    expect(tableOfStreamArn(streamArn, tables)).toBe('contact');
    expect(tableOfStreamArn('arn:aws:dynamodb:eu-west-3:1:table/other/stream/x', tables)).toBeUndefined();
    const record = removeRecord({
      pk: 'CONTACT#contact_1',
      sk: 'REQUEST',
      at,
      ttl: true,
      old: {
        entity: { S: 'contact-request' },
        expiresAt: { N: String(at - 3600) },
        retentionPurpose: { S: 'contact-request' },
        email: { S: 'alice@example.test' },
      },
    });
    expect(item(record)).toEqual({
      eventId: 'CONTACT#contact_1-REQUEST',
      table: 'contact',
      key: { pk: 'CONTACT#contact_1', sk: 'REQUEST' },
      removedAt: at,
      byTtl: true,
      old: { entity: 'contact-request', expiresAt: at - 3600, retentionPurpose: 'contact-request' },
    });
    expect(JSON.stringify(item(record))).not.toContain('alice');
    expect(
      removedItemOf({ ...record, eventSourceARN: 'arn:aws:dynamodb:eu-west-3:1:table/x/stream/y' }, tables, at),
    ).toBe(undefined);
  });

  it('does not take a user identity other than the TTL service for TTL', () => {
    const record = removeRecord({ pk: 'a', sk: 'b', at, old: {} });
    expect(item({ ...record, userIdentity: { type: 'Service', principalId: 'other.amazonaws.com' } }).byTtl).toBe(
      false,
    );
    expect(item({ ...record, userIdentity: { type: 'User', principalId: 'dynamodb.amazonaws.com' } }).byTtl).toBe(
      false,
    );
  });
});

describe('classifying a deletion', () => {
  const classify = (record: DynamoDBRecord) => classifyDeletion(item(record), registry);
  const retained = (expiresAt: number) => ({
    entity: { S: 'contact-request' },
    expiresAt: { N: String(expiresAt) },
    retentionPurpose: { S: 'contact-request' },
  });

  it('TTL: the record says the TTL service deleted it', () => {
    expect(classify(removeRecord({ pk: 'a', sk: 'b', at, ttl: true, old: retained(at - 86_400) }))).toEqual({
      eventId: 'a-b',
      day: '2029-11-27',
      purpose: 'contact-request',
      cause: 'ttl',
      table: 'contact',
    });
  });

  it('purge: we deleted an item already due (within the record time’s precision)', () => {
    expect(classify(removeRecord({ pk: 'a', sk: 'b', at, old: retained(at - 1) }))?.cause).toBe('purge');
    // DynamoDB Local rounds the record's time down to the minute: deleted 59 s after it expired.
    expect(classify(removeRecord({ pk: 'a', sk: 'b', at, old: retained(at + 59) }))?.cause).toBe('purge');
  });

  it('erasure or other: we deleted a live item', () => {
    expect(classify(removeRecord({ pk: 'a', sk: 'b', at, old: retained(at + 86_400) }))?.cause).toBe(
      'erasure-or-other',
    );
    expect(classify(removeRecord({ pk: 'a', sk: 'b', at, old: { entity: { S: 'legal-hold' } } }))).toMatchObject({
      cause: 'erasure-or-other',
      purpose: 'legal-hold',
    });
  });

  it('cascade: an owned item, counted under its root’s purpose', () => {
    expect(
      classify(removeRecord({ pk: 'E#1', sk: 'MSG#1', at, old: { entity: { S: 'test-message' } } })),
    ).toMatchObject({
      cause: 'cascade',
      purpose: 'exchange',
    });
  });

  it('counts an item without retention metadata under "none", and ignores its own receipts', () => {
    expect(classify(removeRecord({ pk: 'a', sk: 'b', at, old: {} }))?.purpose).toBe('none');
    expect(
      classify(removeRecord({ pk: 'x', sk: 'RECEIPT', at, old: { entity: { S: 'deletion-audit-receipt' } } })),
    ).toBe(undefined);
  });
});

describe('recording deletions', () => {
  const root = (ttl: boolean) =>
    removeRecord({
      pk: 'E#1',
      sk: 'EXCHANGE',
      at,
      ttl,
      old: {
        entity: { S: 'test-exchange' },
        expiresAt: { N: String(at - 86_400) },
        retentionPurpose: { S: 'exchange' },
      },
    });

  it('counts a TTL deletion of a partition root as ttl and deletes the rest of its partition', async () => {
    const store = memoryTables();
    for (const sk of ['MSG#1', 'MSG#2', 'MSG#3']) store.put('contact', { pk: 'E#1', sk, entity: 'test-message' });
    store.put('contact', { pk: 'E#2', sk: 'MSG#1', entity: 'test-message' });
    const counts = memoryCounts();

    const outcome = await recordDeletions(deps(counts, store), [item(root(true))]);

    expect(outcome).toMatchObject({ counted: 1, byCause: { ttl: 1 }, cascaded: 3, failed: [] });
    expect(counts.rows).toEqual(new Map([['2029-11-27 ttl exchange contact', 1]]));
    expect(store.items('contact').map((i) => `${i.pk} ${i.sk}`)).toEqual(['E#2 MSG#1']);
  });

  it('does not cascade when our purge deleted the root (it deleted the children first), nor into a re-created root', async () => {
    const store = memoryTables();
    store.put('contact', { pk: 'E#1', sk: 'MSG#1', entity: 'test-message' });
    expect((await recordDeletions(deps(memoryCounts(), store), [item(root(false))])).cascaded).toBe(0);
    store.put('contact', { pk: 'E#1', sk: 'EXCHANGE', entity: 'test-exchange' }); // written again since
    expect((await recordDeletions(deps(memoryCounts(), store), [item(root(true))])).cascaded).toBe(0);
    expect(store.items('contact')).toHaveLength(2);
  });

  it('leaves a partition with an item of a held subject', async () => {
    const store = memoryTables();
    store.put('contact', { pk: 'E#1', sk: 'MSG#1', entity: 'test-message', subjectKey: 'email#held' });
    const outcome = await recordDeletions(deps(memoryCounts(), store, ['email#held']), [item(root(true))]);
    expect(outcome).toMatchObject({ cascaded: 0, cascadesHeld: 1, counted: 1 });
    expect(store.items('contact')).toHaveLength(1);
  });

  it('returns the records it could not count or cascade, to be delivered again', async () => {
    const store = memoryTables();
    store.put('contact', { pk: 'E#1', sk: 'MSG#1', entity: 'test-message' });
    store.beforeDelete = () => {
      throw new Error('ThrottlingException');
    };
    const other = removeRecord({ pk: 'a', sk: 'b', at, old: {} });
    const outcome = await recordDeletions(deps(memoryCounts(['a-b']), store), [item(root(true)), item(other)]);
    expect([...outcome.failed].sort()).toEqual(['E#1-EXCHANGE', 'a-b']);
    expect(outcome.counted).toBe(0);
  });
});
