/** Erasure: the pure rules (what goes, what a hold keeps, which days a replay reads) and the use cases in memory. */
import { describe, expect, it } from 'vitest';
import type { EventContract } from '#events/envelope.ts';
import type { ErasureLogStore } from '#functions/retention/adapters/erasure-log-store.ts';
import type { SubjectItemsStore } from '#functions/retention/adapters/subject-items-store.ts';
import type { SubjectItem } from '#functions/retention/domain/data-subject.ts';
import {
  type ErasureLogEntry,
  erasureLog,
  erasureMessage,
  planErasure,
  replayDays,
} from '#functions/retention/domain/erasure.ts';
import type { ActiveHold, StaffAction } from '#functions/retention/domain/hold.ts';
import { type ErasureDeps, eraseDataSubject, replayErasures } from '#functions/retention/erasure.ts';
import { manualClock } from '#shared/clock.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';

const item = (pk: string, subjectKey?: string): SubjectItem => ({
  table: 'contact',
  pk,
  sk: 'X',
  ...(subjectKey ? { subjectKey } : {}),
});

describe('erasure rules', () => {
  it('erases every item once, and keeps those of a subject under an active hold', () => {
    const plan = planErasure(
      [item('A', 'email#a'), item('A', 'email#a'), item('B', 'email#held'), item('C')],
      new Set(['email#held']),
    );
    expect(plan.erase.map((i) => i.pk)).toEqual(['A', 'C']);
    expect(plan.keep.map((i) => i.pk)).toEqual(['B']);
  });

  it('logs each erased key by identifier only', () => {
    const erasedAt = new Date('2026-09-01T10:00:00Z');
    expect(erasureLog('erasure_1', 'email#a', [item('A', 'email#a')], erasedAt)).toEqual([
      { erasureId: 'erasure_1', table: 'contact', pk: 'A', sk: 'X', erasedAt, subjectKey: 'email#a' },
    ]);
  });

  it('says when a hold prevails, naming it', () => {
    expect(erasureMessage(3, 0, [])).toMatch(/^3 item\(s\) erased/);
    const held = erasureMessage(0, 2, ['hold_abc']);
    expect(held).toContain('Nothing was erased.');
    expect(held).toContain('hold_abc');
    expect(held).toContain('prevails over erasure');
  });

  it('replays the days from the date to today, never before the log could still hold an entry', () => {
    const now = new Date('2026-09-03T10:00:00Z');
    expect(replayDays(new Date('2026-09-01T23:00:00Z'), now, 35)).toEqual(['2026-09-01', '2026-09-02', '2026-09-03']);
    const capped = replayDays(new Date('2020-01-01T00:00:00Z'), now, 35);
    expect(capped).toHaveLength(37);
    expect(capped.at(-1)).toBe('2026-09-03');
    expect(replayDays(new Date('2026-09-04T00:00:00Z'), now, 35)).toEqual([]);
  });
});

describe('erasure use cases', () => {
  const dpo = { userId: 'dpo-1', roles: ['dpo' as const] };
  const email = 'erase@example.test';
  const subjectKey = subjectKeyForEmail(email);

  function setup(active: ActiveHold[] = []) {
    const items = new Map<string, SubjectItem>();
    const log: ErasureLogEntry[] = [];
    const actions: StaffAction[] = [];
    const published: { type: string; data: unknown }[] = [];
    const key = (i: Pick<SubjectItem, 'table' | 'pk' | 'sk'>) => `${i.table}|${i.pk}|${i.sk}`;
    const subjects: SubjectItemsStore = {
      find: async (s) => [...items.values()].filter((i) => i.subjectKey === s),
      known: async (s) => [...items.values()].some((i) => i.subjectKey === s),
      partition: async (table, pk) => [...items.values()].filter((i) => i.table === table && i.pk === pk),
      suspendExpiry: async () => 'held',
      resumeExpiry: async () => 'released',
      erase: async (i) => (items.delete(key(i)) ? 'erased' : 'gone'),
      deleteKey: async (k) => items.delete(key(k)),
    };
    const erasureLogStore: ErasureLogStore = {
      append: async (entries) => {
        // write-ahead: nothing is deleted before its key is logged
        for (const e of entries) expect(items.has(key(e))).toBe(true);
        log.push(...entries);
      },
      since: async (since) => log.filter((e) => e.erasedAt >= since),
    };
    const deps: ErasureDeps = {
      holds: { active: async () => active, recordAction: async (a) => void actions.push(a) },
      subjects,
      erasureLog: erasureLogStore,
      events: {
        async publish(contract: EventContract, data: unknown) {
          published.push({ type: contract.detailType, data: contract.data.parse(data) });
          return 'evt_unit00002';
        },
      },
      clock: manualClock('2026-09-01T10:00:00Z'),
      partitionRoots: new Set(['thread']),
    };
    const add = (i: SubjectItem) => items.set(key(i), i);
    return { items, log, actions, published, deps, add };
  }

  const request = { subject: { email }, channel: 'post' as const, requestReference: 'LRAR-1' };

  it('erases the subject and what its roots own, logs, audits and announces', async () => {
    const s = setup();
    s.add({ table: 'contact', pk: 'R', sk: 'ROOT', subjectKey, entity: 'thread' });
    s.add({ table: 'contact', pk: 'R', sk: 'MSG', subjectKey: 'email#practitioner', entity: 'message' });
    s.add({ table: 'practitioners', pk: 'P', sk: 'P', subjectKey });
    s.add({ table: 'contact', pk: 'O', sk: 'O', subjectKey: 'email#other' });
    const result = await eraseDataSubject(s.deps, request, dpo, 'corr');
    expect(result).toMatchObject({ itemsErased: 3, itemsUnderHold: 0 });
    expect([...s.items.keys()]).toEqual(['contact|O|O']);
    expect(s.log.map((e) => `${e.table}|${e.pk}|${e.sk}`).sort()).toEqual([
      'contact|R|MSG',
      'contact|R|ROOT',
      'practitioners|P|P',
    ]);
    expect(s.actions).toEqual([
      expect.objectContaining({
        action: 'subject-erased',
        actor: 'dpo-1',
        subjectKey,
        erasureId: result.erasureId,
        counts: { itemsErased: 3, itemsUnderHold: 0 },
      }),
    ]);
    expect(s.published).toEqual([{ type: 'DataSubjectErased', data: { erasureId: result.erasureId, itemsErased: 3 } }]);
  });

  it('keeps everything under an active hold and announces no erasure', async () => {
    const s = setup([{ holdId: 'hold_x', subjectKey }]);
    s.add({ table: 'contact', pk: 'A', sk: 'A', subjectKey });
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(result).toMatchObject({ itemsErased: 0, itemsUnderHold: 1 });
    expect(result.message).toContain('hold_x');
    expect(s.items.size).toBe(1);
    expect(s.log).toEqual([]);
    expect(s.published).toEqual([]);
  });

  it('replays: deletes again what came back, once per key, and audits each erasure', async () => {
    const s = setup();
    s.add({ table: 'contact', pk: 'A', sk: 'A', subjectKey });
    s.add({ table: 'contact', pk: 'B', sk: 'B', subjectKey });
    const { erasureId } = await eraseDataSubject(s.deps, request, dpo, 'c');
    s.add({ table: 'contact', pk: 'A', sk: 'A', subjectKey }); // restored
    const replayDeps = { ...s.deps, holds: { ...s.deps.holds } as never };
    const result = await replayErasures(replayDeps, new Date('2026-09-01T00:00:00Z'), 'operations');
    expect(result).toEqual({ since: '2026-09-01T00:00:00.000Z', erasures: 1, keysReplayed: 2, itemsDeletedAgain: 1 });
    expect(s.items.size).toBe(0);
    expect(s.actions.at(-1)).toMatchObject({ action: 'erasure-replayed', erasureId, counts: { itemsDeletedAgain: 1 } });
  });
});
