/**
 * Legal holds: the pure rules (what a hold does to an item, which expiry resumes at the lift,
 * when another hold keeps the data) and the use cases over in-memory stores.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventContract } from '#events/envelope.ts';
import type { HoldStore } from '#functions/retention/adapters/hold-store.ts';
import type { SubjectItemsStore } from '#functions/retention/adapters/subject-items-store.ts';
import { type SubjectItem, subjectKeyOf } from '#functions/retention/domain/data-subject.ts';
import {
  type ActiveHold,
  HoldAlreadyLifted,
  holdEffect,
  inListingOrder,
  type LegalHold,
  liftHold,
  otherHoldCovers,
  placeHold,
  resumedExpiry,
  type StaffAction,
} from '#functions/retention/domain/hold.ts';
import {
  type HoldDeps,
  liftLegalHold,
  listLegalHolds,
  placeLegalHold,
  reapplyActiveHolds,
} from '#functions/retention/holds.ts';
import { manualClock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { epochSeconds, expiryDayOf } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';

const at = (iso: string) => new Date(iso);

describe('legal hold rules', () => {
  const hold = placeHold(
    { subjectKey: subjectKeyForEmail('a@example.test'), reason: 'litigation', authority: 'A', reference: 'R' },
    'hold_1',
    'dpo-1',
    at('2026-01-01T00:00:00Z'),
  );

  it('places an active hold and lifts it once', () => {
    expect(hold).toMatchObject({ status: 'active', placedBy: 'dpo-1', itemsHeld: 0 });
    const lifted = liftHold(hold, 'dpo-2', at('2027-01-01T00:00:00Z'));
    expect(lifted).toMatchObject({ status: 'lifted', liftedBy: 'dpo-2', liftedAt: at('2027-01-01T00:00:00Z') });
    expect(() => liftHold(lifted, 'dpo-2', at('2027-01-02T00:00:00Z'))).toThrow(HoldAlreadyLifted);
  });

  it('suspends an expiry, counts an already held item, and leaves items without expiry alone', () => {
    expect(holdEffect({ expiresAt: 10 })).toBe('suspend-expiry');
    expect(holdEffect({ heldExpiresAt: 10 })).toBe('already-held');
    expect(holdEffect({})).toBe('no-expiry');
  });

  it('resumes the original expiry, due at once (indexed today) when it passed during the hold', () => {
    const now = at('2030-06-01T12:00:00Z');
    expect(resumedExpiry(epochSeconds(at('2029-01-10T09:00:00Z')), now)).toEqual({
      expiresAt: epochSeconds(at('2029-01-10T09:00:00Z')),
      expiryDay: '2030-06-01',
    });
    expect(resumedExpiry(epochSeconds(at('2031-01-10T09:00:00Z')), now)).toEqual({
      expiresAt: epochSeconds(at('2031-01-10T09:00:00Z')),
      expiryDay: '2031-01-10',
    });
  });

  it('law: the resumed expiry is the held one, and its index day is never before the lift nor after the expiry day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_700_000_000, max: 2_200_000_000 }),
        fc.integer({ min: 1_700_000_000, max: 2_200_000_000 }),
        (held, nowSeconds) => {
          const now = new Date(nowSeconds * 1000);
          const resumed = resumedExpiry(held, now);
          expect(resumed.expiresAt).toBe(held);
          expect(resumed.expiryDay >= now.toISOString().slice(0, 10)).toBe(true);
          expect(resumed.expiryDay).toBe(expiryDayOf(held, now));
        },
      ),
    );
  });

  it('keeps the data held while another active hold covers the subject', () => {
    const active: ActiveHold[] = [
      { holdId: 'hold_1', subjectKey: 'email#a' },
      { holdId: 'hold_2', subjectKey: 'email#b' },
    ];
    expect(otherHoldCovers('email#a', 'hold_1', active)).toBe(false);
    expect(otherHoldCovers('email#a', 'hold_1', [...active, { holdId: 'hold_3', subjectKey: 'email#a' }])).toBe(true);
  });

  it('lists active holds first, most recent first', () => {
    const h = (id: string, status: LegalHold['status'], placedAt: string): LegalHold => ({
      ...hold,
      id,
      status,
      placedAt: at(placedAt),
    });
    const ordered = inListingOrder([
      h('old-lifted', 'lifted', '2026-01-01T00:00:00Z'),
      h('old-active', 'active', '2026-01-02T00:00:00Z'),
      h('new-lifted', 'lifted', '2026-03-01T00:00:00Z'),
      h('new-active', 'active', '2026-02-01T00:00:00Z'),
    ]).map((x) => x.id);
    expect(ordered).toEqual(['new-active', 'old-active', 'new-lifted', 'old-lifted']);
  });

  it('names the subject by a pseudonymous key, never the email itself', () => {
    const key = subjectKeyOf({ email: ' Alice@Example.TEST ' });
    expect(key).toBe(subjectKeyForEmail('alice@example.test'));
    expect(key).not.toContain('alice');
    expect(subjectKeyOf({ accountId: 'acc_1' })).toBe(subjectKeyForAccount('acc_1'));
  });
});

/** In-memory stores behaving like the DynamoDB adapters, for the use cases. */
function memory() {
  const holds = new Map<string, LegalHold>();
  const active = new Map<string, ActiveHold>();
  const actions: StaffAction[] = [];
  const items = new Map<string, SubjectItem & { expiryDay?: string }>();
  const holdStore: HoldStore = {
    async create(hold, action) {
      holds.set(hold.id, hold);
      active.set(hold.id, { holdId: hold.id, subjectKey: hold.subjectKey });
      actions.push(action);
    },
    async get(id) {
      return holds.get(id);
    },
    async lift(lifted, action) {
      if (holds.get(lifted.id)?.status !== 'active') return false;
      holds.set(lifted.id, lifted);
      active.delete(lifted.id);
      actions.push(action);
      return true;
    },
    async addItemsHeld(id, count) {
      const h = holds.get(id)!;
      holds.set(id, { ...h, itemsHeld: h.itemsHeld + count });
    },
    async recordItemsReleased(id, count) {
      holds.set(id, { ...holds.get(id)!, itemsReleased: count });
    },
    async active() {
      return [...active.values()];
    },
    async list() {
      return [...holds.values()];
    },
    async recordAction(action) {
      actions.push(action);
    },
  };
  const key = (i: Pick<SubjectItem, 'table' | 'pk' | 'sk'>) => `${i.table}|${i.pk}|${i.sk}`;
  const subjects: SubjectItemsStore = {
    async find(subjectKey) {
      return [...items.values()].filter((i) => i.subjectKey === subjectKey);
    },
    async known(subjectKey) {
      // the subject tables' items, and the retention table's own records (holds, audit entries)
      return (
        [...items.values()].some((i) => i.subjectKey === subjectKey) ||
        [...holds.values()].some((h) => h.subjectKey === subjectKey) ||
        actions.some((a) => a.subjectKey === subjectKey)
      );
    },
    async partition(table, pk) {
      return [...items.values()].filter((i) => i.table === table && i.pk === pk);
    },
    async suspendExpiry(item) {
      const current = items.get(key(item));
      if (!current) return 'gone';
      if (current.expiresAt === undefined) return current.heldExpiresAt === undefined ? 'no-expiry' : 'already-held';
      const { expiresAt, expiryDay: _, ...rest } = current;
      items.set(key(item), { ...rest, heldExpiresAt: expiresAt });
      return 'held';
    },
    async resumeExpiry(item, now) {
      const current = items.get(key(item));
      if (!current) return 'gone';
      if (current.heldExpiresAt === undefined) return 'not-held';
      const { heldExpiresAt, ...rest } = current;
      items.set(key(item), { ...rest, expiresAt: heldExpiresAt, expiryDay: expiryDayOf(heldExpiresAt, now) });
      return 'released';
    },
    async erase(item) {
      return items.delete(key(item)) ? 'erased' : 'gone';
    },
    async deleteKey(k) {
      return items.delete(key(k));
    },
  };
  const published: { type: string; data: unknown }[] = [];
  const events = {
    async publish(contract: EventContract, data: unknown) {
      published.push({ type: contract.detailType, data: contract.data.parse(data) });
      return 'evt_unit00001';
    },
  };
  return { holds, active, actions, items, holdStore, subjects, published, events, key };
}

describe('legal hold use cases', () => {
  const dpo = { userId: 'dpo-1', roles: ['dpo' as const] };
  const email = 'held@example.test';
  const subjectKey = subjectKeyForEmail(email);
  const input = { subject: { email }, reason: 'authority-request' as const, authority: 'Cour', reference: 'RG-1' };

  function setup() {
    const m = memory();
    const clock = manualClock('2026-05-01T10:00:00Z');
    const deps: HoldDeps = { holds: m.holdStore, subjects: m.subjects, events: m.events, clock };
    const add = (item: SubjectItem) => m.items.set(m.key(item), item);
    return { ...m, clock, deps, add };
  }

  it('places a hold: records it before touching items, suspends every expiry of the subject, audits and announces', async () => {
    const s = setup();
    s.add({ table: 'contact', pk: 'A', sk: 'A', subjectKey, expiresAt: 2_000_000_000 });
    s.add({ table: 'contact', pk: 'B', sk: 'B', subjectKey });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey: 'email#other', expiresAt: 2_000_000_000 });
    const view = await placeLegalHold(s.deps, input, dpo, 'corr');
    expect(view).toMatchObject({ status: 'active', subjectKey, itemsHeld: 1, placedBy: 'dpo-1' });
    expect(view.id).toMatch(/^hold_[0-9a-f]{32}$/);
    expect(s.items.get('contact|A|A')).toMatchObject({ heldExpiresAt: 2_000_000_000 });
    expect(s.items.get('contact|A|A')?.expiresAt).toBeUndefined();
    expect(s.items.get('contact|C|C')?.expiresAt).toBe(2_000_000_000);
    expect(s.actions).toEqual([
      expect.objectContaining({ action: 'hold-placed', actor: 'dpo-1', subjectKey, holdId: view.id }),
    ]);
    expect(s.published).toEqual([{ type: 'LegalHoldPlaced', data: { holdId: view.id, itemsHeld: 1 } }]);
    expect(JSON.stringify(s.actions)).not.toContain(email);
  });

  it('lifts: releases unless another hold covers the subject; refuses unknown (404) and lifted (409) holds', async () => {
    const s = setup();
    s.add({ table: 'contact', pk: 'A', sk: 'A', subjectKey, expiresAt: 2_000_000_000 });
    const first = await placeLegalHold(s.deps, input, dpo, 'c');
    const second = await placeLegalHold(s.deps, input, dpo, 'c');
    expect(second.itemsHeld).toBe(1);
    expect(await liftLegalHold(s.deps, first.id, dpo, 'c')).toMatchObject({ status: 'lifted', itemsReleased: 0 });
    expect(s.items.get('contact|A|A')?.expiresAt).toBeUndefined();
    expect(await liftLegalHold(s.deps, second.id, dpo, 'c')).toMatchObject({ itemsReleased: 1 });
    expect(s.items.get('contact|A|A')).toMatchObject({ expiresAt: 2_000_000_000, expiryDay: '2033-05-18' });
    await expect(liftLegalHold(s.deps, second.id, dpo, 'c')).rejects.toMatchObject({ status: 409 });
    await expect(liftLegalHold(s.deps, 'hold_unknown', dpo, 'c')).rejects.toMatchObject({ status: 404 });
    expect(s.published.map((e) => e.type)).toEqual([
      'LegalHoldPlaced',
      'LegalHoldPlaced',
      'LegalHoldLifted',
      'LegalHoldLifted',
    ]);
    expect(s.actions.map((a) => a.action)).toEqual(['hold-placed', 'hold-placed', 'hold-lifted', 'hold-lifted']);
  });

  it('refuses an account nothing names (422), before recording anything; holds a known or erased one', async () => {
    const s = setup();
    const unknown = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const problem = await placeLegalHold(s.deps, { ...input, subject: { accountId: unknown } }, dpo, 'c').catch(
      (e: unknown) => e,
    );
    expect(problem).toBeInstanceOf(HttpProblem);
    expect(problem).toMatchObject({ status: 422, title: 'Unknown account' });
    expect(JSON.stringify((problem as HttpProblem).toProblem())).not.toContain(unknown);
    expect([s.holds.size, s.actions.length, s.published.length]).toEqual([0, 0, 0]);

    const known = '6ba7b810-9dad-41d1-80b4-00c04fd430c8';
    s.add({ table: 'accounts', pk: `ACCOUNT#${known}`, sk: 'ACCOUNT', subjectKey: subjectKeyForAccount(known) });
    expect(await placeLegalHold(s.deps, { ...input, subject: { accountId: known } }, dpo, 'c')).toMatchObject({
      status: 'active',
      subjectKey: subjectKeyForAccount(known),
    });

    // Erased: nothing left in the subject tables, only the erasure's audit entry in the retention table.
    const erased = '9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4';
    s.actions.push({
      action: 'subject-erased',
      at: s.clock.now(),
      actor: 'dpo-1',
      subjectKey: subjectKeyForAccount(erased),
    });
    await expect(placeLegalHold(s.deps, { ...input, subject: { accountId: erased } }, dpo, 'c')).resolves.toMatchObject(
      { status: 'active', itemsHeld: 0 },
    );

    // An email is never refused: the data may come after the hold.
    await expect(
      placeLegalHold(s.deps, { ...input, subject: { email: 'nobody-yet@example.test' } }, dpo, 'c'),
    ).resolves.toMatchObject({ status: 'active' });
  });

  it('keeps the hold when its announcement fails (the DPO must not place it twice)', async () => {
    const s = setup();
    const deps = { ...s.deps, events: { publish: () => Promise.reject(new Error('bus down')) } };
    await expect(placeLegalHold(deps, input, dpo, 'c')).resolves.toMatchObject({ status: 'active' });
    expect(s.active.size).toBe(1);
  });

  it('the daily sweep holds items written since, once, and audits what it caught', async () => {
    const s = setup();
    const hold = await placeLegalHold(s.deps, input, dpo, 'c');
    s.add({ table: 'contact', pk: 'N', sk: 'N', subjectKey, expiresAt: 2_000_000_000 });
    expect(await reapplyActiveHolds(s.deps, 'scheduler')).toEqual({ activeHolds: 1, subjects: 1, itemsHeld: 1 });
    expect(s.items.get('contact|N|N')?.heldExpiresAt).toBe(2_000_000_000);
    expect(await reapplyActiveHolds(s.deps, 'scheduler')).toMatchObject({ itemsHeld: 0 });
    expect(s.holds.get(hold.id)?.itemsHeld).toBe(1);
    expect(s.actions.filter((a) => a.action === 'hold-reapplied')).toEqual([
      expect.objectContaining({ actor: 'scheduler', holdId: hold.id, counts: { itemsHeld: 1 } }),
    ]);
    expect((await listLegalHolds(s.deps)).items.map((h) => h.id)).toEqual([hold.id]);
  });
});
