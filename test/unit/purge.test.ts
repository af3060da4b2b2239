/**
 * The purge's planning, against in-memory ports with DynamoDB's semantics (./purge-memory-store.ts):
 * which days it reads, what it deletes, what the checkpoint says, how it stops and resumes,
 * cascades and legal holds. The same use case runs against DynamoDB Local in
 * test/integration/purge*.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closedBefore,
  daysBetween,
  PURGE_START_DAY,
  type PurgeDeps,
  purgeExpiredItems,
  type TimeBudget,
} from '#functions/retention/purge.ts';
import { manualClock } from '#shared/clock.ts';
import type { EntityDefinition, RetainedEntity } from '#shared/retention/entity.ts';
import { epochSeconds, utcDay } from '#shared/retention/expiry.ts';
import type { TableName } from '#shared/tables.ts';
import {
  fixedHolds,
  type MemoryItem,
  memoryCheckpoints,
  memoryTables,
  recordingPublisher,
  testExchangeEntity,
  testMessageEntity,
} from './purge-memory-store.ts';

const contactRequest: RetainedEntity = {
  name: 'contact-request',
  table: 'contact',
  description: 'test',
  personalData: true,
  retention: { purpose: 'contact-request', clockStartsAt: 'the request', sliding: false },
  export: { withheld: 'test-only' },
};
const exchange = testExchangeEntity;
const message = testMessageEntity;
const testEntities: EntityDefinition[] = [contactRequest, exchange, message];

/** An item whose expiry is `at`, indexed under its own day (written before it expired). */
function expiring(pk: string, at: string, extra: Partial<MemoryItem> = {}): MemoryItem {
  const expiresAt = epochSeconds(new Date(at));
  return {
    pk,
    sk: 'ROOT',
    entity: 'contact-request',
    retentionPurpose: 'contact-request',
    subjectKey: `email#${pk}`,
    expiresAt,
    expiryDay: utcDay(new Date(at)),
    ...extra,
  };
}

function setup(now: string, options: Partial<PurgeDeps['options']> = {}, held: string[] = []) {
  const store = memoryTables();
  const checkpoints = memoryCheckpoints();
  const events = recordingPublisher();
  const clock = manualClock(now);
  const holds = fixedHolds(held);
  const deps: PurgeDeps = {
    store,
    checkpoints,
    holds,
    events,
    clock,
    entities: testEntities,
    tables: ['contact', 'practitioners'] as TableName[],
    options: { startDay: '2026-03-01', ...options },
  };
  return { store, checkpoints, events, clock, holds, deps };
}

/** A budget that runs out once `n` more items are deleted (checked before each page). */
const afterDeletes = (n: number, store: { deletes: string[] }): TimeBudget => {
  const start = store.deletes.length;
  return { exhausted: () => store.deletes.length - start >= n };
};

describe('days', () => {
  it('lists days across months and years, and closes a day 15 minutes after it ends', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
    expect(closedBefore(new Date('2026-03-10T00:14:59Z'))).toBe('2026-03-09');
    expect(closedBefore(new Date('2026-03-10T00:15:00Z'))).toBe('2026-03-10');
  });
});

describe('purge', () => {
  it('deletes exactly the due items, reading only them, and counts per purpose', async () => {
    const { store, deps, checkpoints } = setup('2026-03-10T12:00:00Z');
    for (let i = 0; i < 30; i++)
      store.put('contact', expiring(`due-${i}`, `2026-03-${String(2 + (i % 9)).padStart(2, '0')}T08:00:00Z`));
    store.put(
      'practitioners',
      expiring('due-p', '2026-03-05T08:00:00Z', { entity: 'x', retentionPurpose: 'practitioner-profile' }),
    );
    for (let i = 0; i < 10; i++) store.put('contact', expiring(`later-today-${i}`, '2026-03-10T13:00:00Z'));
    for (let i = 0; i < 10; i++) store.put('contact', expiring(`future-${i}`, '2029-03-10T13:00:00Z'));
    store.put('contact', { pk: 'no-expiry', sk: 'ROOT', entity: 'contact-request' });

    const report = await purgeExpiredItems(deps);

    expect(report).toMatchObject({
      complete: true,
      itemsRead: 31,
      itemsDeleted: 31,
      deletedByPurpose: { 'contact-request': 30, 'practitioner-profile': 1 },
      skippedUnderHold: 0,
      noLongerDue: 0,
    });
    expect(
      store
        .items('contact')
        .map((i) => i.pk)
        .sort(),
    ).toEqual(
      [...Array.from({ length: 10 }, (_, i) => [`future-${i}`, `later-today-${i}`]).flat(), 'no-expiry'].sort(),
    );
    expect(store.items('practitioners')).toEqual([]);
    // Today is never cleared: an item written today may still join it.
    expect(checkpoints.saved.get('contact')).toEqual({ clearedBefore: '2026-03-10' });
    expect(report.tables.map((t) => [t.table, t.itemsRead, t.itemsDeleted, t.clearedBefore])).toEqual([
      ['contact', 30, 30, '2026-03-10'],
      ['practitioners', 1, 1, '2026-03-10'],
    ]);
  });

  it('starts at the project start day, then from the checkpoint: one Query per day and table', async () => {
    const { store, deps, clock } = setup('2026-01-05T12:00:00Z', { startDay: PURGE_START_DAY });
    await purgeExpiredItems(deps);
    expect(store.queries).toBe(2 * 5); // 2026-01-01 … 2026-01-05, two tables
    clock.set('2026-01-07T12:00:00Z');
    await purgeExpiredItems(deps);
    expect(store.queries).toBe(10 + 2 * 3); // from the checkpoint: 01-05 … 01-07
  });

  it('does not clear a day until 15 minutes after it ended', async () => {
    const { deps, checkpoints } = setup('2026-03-10T00:10:00Z');
    await purgeExpiredItems(deps);
    expect(checkpoints.saved.get('contact')?.clearedBefore).toBe('2026-03-09');
  });

  it('leaves an item that is no longer due when it comes to delete it (hold placed, clock moved)', async () => {
    const { store, deps } = setup('2026-03-10T12:00:00Z');
    store.put('contact', expiring('moved', '2026-03-08T08:00:00Z'));
    store.put('contact', expiring('due', '2026-03-08T09:00:00Z'));
    store.afterQuery = (table, _day, entries) => {
      if (entries.some((e) => e.pk === 'moved')) {
        const item = store.get(table, { pk: 'moved', sk: 'ROOT' })!;
        item.expiresAt = epochSeconds(new Date('2027-03-08T08:00:00Z'));
        item.expiryDay = '2027-03-08';
      }
    };
    const report = await purgeExpiredItems(deps);
    expect(report).toMatchObject({ itemsRead: 2, itemsDeleted: 1, noLongerDue: 1 });
    expect(store.get('contact', { pk: 'moved', sk: 'ROOT' })).toBeDefined();
    expect(store.get('contact', { pk: 'due', sk: 'ROOT' })).toBeUndefined();
  });

  it('skips the items of a subject under a legal hold, and keeps their day open', async () => {
    const { store, deps, checkpoints, holds } = setup('2026-03-10T12:00:00Z', {}, ['email#held']);
    store.put('contact', expiring('held', '2026-03-04T08:00:00Z'));
    store.put('contact', expiring('free', '2026-03-04T09:00:00Z'));
    store.put('contact', expiring('free-later', '2026-03-06T09:00:00Z'));
    const first = await purgeExpiredItems(deps);
    expect(first).toMatchObject({ itemsDeleted: 2, skippedUnderHold: 1, complete: true });
    expect(store.get('contact', { pk: 'held', sk: 'ROOT' })).toBeDefined();
    expect(checkpoints.saved.get('contact')?.clearedBefore).toBe('2026-03-04');

    holds.subjects.length = 0; // lifted (the lift gives the item back its expiry)
    const second = await purgeExpiredItems(deps);
    expect(second).toMatchObject({ itemsRead: 1, itemsDeleted: 1, skippedUnderHold: 0 });
    expect(checkpoints.saved.get('contact')?.clearedBefore).toBe('2026-03-10');
  });

  it('cascades: a root that owns its partition goes with every item of it, children first', async () => {
    const { store, deps } = setup('2026-03-10T12:00:00Z');
    store.put(
      'contact',
      expiring('EXCHANGE#1', '2026-03-05T08:00:00Z', {
        entity: 'test-exchange',
        retentionPurpose: 'exchange',
        sk: 'EXCHANGE',
      }),
    );
    for (const sk of ['MSG#1', 'MSG#2', 'MSG#3'])
      store.put('contact', { pk: 'EXCHANGE#1', sk, entity: 'test-message', subjectKey: 'email#EXCHANGE#1' });
    store.put('contact', { pk: 'EXCHANGE#2', sk: 'MSG#1', entity: 'test-message' });

    const report = await purgeExpiredItems(deps);

    expect(report).toMatchObject({ itemsDeleted: 4, deletedByPurpose: { exchange: 4 } });
    expect(store.deletes).toEqual([
      'contact EXCHANGE#1 MSG#1',
      'contact EXCHANGE#1 MSG#2',
      'contact EXCHANGE#1 MSG#3',
      'contact EXCHANGE#1 EXCHANGE',
    ]);
    expect(store.items('contact').map((i) => `${i.pk} ${i.sk}`)).toEqual(['EXCHANGE#2 MSG#1']);
    expect(report.itemsRead).toBe(1 + 4); // the index entry, then the partition
  });

  it('does not cascade into a partition that holds an item of a held subject', async () => {
    const { store, deps } = setup('2026-03-10T12:00:00Z', {}, ['email#other']);
    store.put('contact', expiring('EXCHANGE#1', '2026-03-05T08:00:00Z', { entity: 'test-exchange', sk: 'EXCHANGE' }));
    store.put('contact', { pk: 'EXCHANGE#1', sk: 'MSG#1', entity: 'test-message', subjectKey: 'email#EXCHANGE#1' });
    store.put('contact', { pk: 'EXCHANGE#1', sk: 'MSG#2', entity: 'test-message', subjectKey: 'email#other' });
    const report = await purgeExpiredItems(deps);
    expect(report).toMatchObject({ itemsDeleted: 0, skippedUnderHold: 1 });
    expect(store.items('contact')).toHaveLength(3);
  });

  it('stops deleting owned items as soon as the root is no longer due', async () => {
    const { store, deps } = setup('2026-03-10T12:00:00Z');
    store.put('contact', expiring('EXCHANGE#1', '2026-03-05T08:00:00Z', { entity: 'test-exchange', sk: 'EXCHANGE' }));
    store.put('contact', { pk: 'EXCHANGE#1', sk: 'MSG#1', entity: 'test-message' });
    store.afterQuery = (table, _day, entries) => {
      const root = store.get(table, { pk: 'EXCHANGE#1', sk: 'EXCHANGE' });
      if (root && entries.length > 0) delete root.expiresAt; // a legal hold took it out of TTL
    };
    const report = await purgeExpiredItems(deps);
    expect(report).toMatchObject({ itemsDeleted: 0, noLongerDue: 1 });
    expect(store.items('contact')).toHaveLength(2);
  });

  it('stops at its time budget and the next run finishes: each due item deleted once', async () => {
    const { store, deps, checkpoints, events } = setup('2026-03-10T12:00:00Z', { batchSize: 50 });
    for (let i = 0; i < 1000; i++)
      store.put('contact', expiring(`due-${i}`, `2026-03-0${2 + (i % 5)}T08:${String(i % 60).padStart(2, '0')}:00Z`));
    for (let i = 0; i < 100; i++) store.put('contact', expiring(`future-${i}`, '2027-01-01T00:00:00Z'));

    const first = await purgeExpiredItems(deps, afterDeletes(150, store));
    expect(first.complete).toBe(false);
    expect(first.itemsDeleted).toBe(150);
    expect(checkpoints.saved.get('contact')?.resume).toMatchObject({ day: '2026-03-02', leftBehind: 0 });
    expect(events.published.at(-1)?.data).toMatchObject({ complete: false, itemsDeleted: 150 });

    const second = await purgeExpiredItems(deps);
    expect(second.complete).toBe(true);
    expect(first.itemsDeleted + second.itemsDeleted).toBe(1000);
    expect(new Set(store.deletes).size).toBe(1000);
    expect(store.items('contact').every((i) => i.pk.startsWith('future-'))).toBe(true);
    expect(store.items('contact')).toHaveLength(100);
    // Pages read ahead before the stop are read again; nothing else is.
    expect(first.itemsRead + second.itemsRead).toBeLessThanOrEqual(1000 + 8 * 50);
    expect(checkpoints.saved.get('contact')).toEqual({ clearedBefore: '2026-03-10' });
  });

  it('resumes after a failure midway, with nothing lost', async () => {
    const { store, deps } = setup('2026-03-10T12:00:00Z', { batchSize: 40 });
    for (let i = 0; i < 300; i++)
      store.put('contact', expiring(`due-${i}`, `2026-03-0${2 + (i % 3)}T08:00:${String(i % 60).padStart(2, '0')}Z`));
    let deletes = 0;
    store.beforeDelete = () => {
      if (++deletes === 130) throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(purgeExpiredItems(deps)).rejects.toThrow(/Throughput/);
    expect(store.items('contact').length).toBeLessThan(300);
    store.beforeDelete = undefined;
    await purgeExpiredItems(deps);
    expect(store.items('contact')).toEqual([]);
    expect(new Set(store.deletes).size).toBe(300);
  });

  it('keeps a resumed day open when an earlier page of it left an item under a hold', async () => {
    const { store, deps, checkpoints } = setup('2026-03-10T12:00:00Z');
    await checkpoints.save(
      'contact',
      {
        clearedBefore: '2026-03-08',
        resume: {
          day: '2026-03-08',
          after: { pk: 'x', sk: 'ROOT', expiryDay: '2026-03-08', expiresAt: 0 },
          leftBehind: 1,
        },
      },
      new Date(),
    );
    store.put('contact', expiring('due', '2026-03-08T09:00:00Z'));
    await purgeExpiredItems(deps);
    expect(store.items('contact')).toEqual([]);
    expect(checkpoints.saved.get('contact')).toEqual({ clearedBefore: '2026-03-08' });
  });

  it('publishes RetentionPurgeCompleted with counts only', async () => {
    const { store, deps, events } = setup('2026-03-10T12:00:00Z');
    store.put(
      'contact',
      expiring('CONTACT#contact_abc', '2026-03-05T08:00:00Z', { subjectKey: 'email#0123456789abcdef' }),
    );
    const report = await purgeExpiredItems(deps);
    expect(events.published).toHaveLength(1);
    const [event] = events.published;
    expect(event?.detailType).toBe('RetentionPurgeCompleted');
    expect(event?.data).toEqual({
      runId: report.runId,
      deletedByPurpose: { 'contact-request': 1 },
      itemsRead: 1,
      itemsDeleted: 1,
      skippedUnderHold: 0,
      complete: true,
    });
    expect(JSON.stringify(event?.data)).not.toMatch(/CONTACT#|email#/);
  });

  it('law: runs stopped or failing anywhere end with exactly the due, unheld items gone, each deleted once', async () => {
    const day = (n: number) => `2026-03-${String(1 + n).padStart(2, '0')}`;
    const item = fc.record({
      day: fc.integer({ min: 0, max: 12 }),
      minute: fc.integer({ min: 0, max: 1439 }),
      held: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 40 }),
        async (items, stops, batchSize, failAt) => {
          const { store, deps, holds } = setup('2026-03-10T12:00:00Z', { batchSize, lookaheadDays: 3 });
          holds.subjects.push('email#held');
          items.forEach((x, i) => {
            const at = new Date(Date.parse(`${day(x.day)}T00:00:00Z`) + x.minute * 60_000).toISOString();
            store.put('contact', expiring(`item-${i}`, at, x.held ? { subjectKey: 'email#held' } : {}));
          });
          let deletes = 0;
          store.beforeDelete = () => {
            if (++deletes === failAt) throw new Error('injected failure');
          };
          for (const n of stops) await purgeExpiredItems(deps, afterDeletes(n, store)).catch(() => undefined);
          await purgeExpiredItems(deps).catch(() => undefined);
          await purgeExpiredItems(deps);
          const now = epochSeconds(new Date('2026-03-10T12:00:00Z'));
          const expected = items
            .map((x, i) => ({
              pk: `item-${i}`,
              held: x.held,
              at: Date.parse(`${day(x.day)}T00:00:00Z`) / 1000 + x.minute * 60,
            }))
            .filter((x) => x.held || x.at > now)
            .map((x) => x.pk);
          const left = store.items('contact').map((i) => i.pk);
          expect(left.sort()).toEqual(expected.sort());
          expect(left.every((pk) => !store.deletes.includes(`contact ${pk} ROOT`))).toBe(true);
          expect(new Set(store.deletes).size).toBe(store.deletes.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
