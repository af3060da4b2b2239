/** Erasure: the pure rules (what goes, what a hold keeps, which days a replay reads) and the use cases in memory. */

import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
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
import { type AccountResolver, cognitoAccountResolver, filterValue } from '#shared/identity/account-resolver.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';

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

  /** Cognito users in memory: account id → address (verified). */
  function memoryAccounts(users: Record<string, string> = {}) {
    const removed: string[] = [];
    const accounts: AccountResolver = {
      withEmail: async (address) =>
        Object.entries(users)
          .filter(([, e]) => e === address)
          .map(([id]) => id),
      byId: async (accountId) => {
        const address = users[accountId];
        return address === undefined ? undefined : { accountId, email: address };
      },
      removeUser: async (accountId) => {
        if (users[accountId] === undefined) return 'absent';
        delete users[accountId];
        removed.push(accountId);
        return 'deleted';
      },
    };
    return { accounts, removed, users };
  }

  function setup(active: ActiveHold[] = [], cognitoUsers: Record<string, string> = {}) {
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
    const cognito = memoryAccounts(cognitoUsers);
    const deps: ErasureDeps = {
      holds: { active: async () => active, recordAction: async (a) => void actions.push(a) },
      subjects,
      erasureLog: erasureLogStore,
      accounts: cognito.accounts,
      events: {
        async publish(contract: EventContract, data: unknown) {
          published.push({ type: contract.detailType, data: contract.data.parse(data) });
          return 'evt_unit00002';
        },
      },
      clock: manualClock('2026-09-01T10:00:00Z'),
      partitionRoots: new Set(['thread']),
      keptOnErasure: new Set(['proof']),
    };
    const add = (i: SubjectItem) => items.set(key(i), i);
    return { items, log, actions, published, deps, add, cognito };
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

  it('keeps the proof of the rights handled (keptOnErasure): not erased, not logged', async () => {
    const s = setup();
    s.add({ table: 'privacy', pk: 'REQ', sk: 'REQ', subjectKey, entity: 'proof' });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey, entity: 'thing' });
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(result).toMatchObject({ itemsErased: 1, itemsUnderHold: 0 });
    expect([...s.items.keys()]).toEqual(['privacy|REQ|REQ']);
    expect(s.log.map((e) => e.pk)).toEqual(['C']);
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

  const accountId = '0a1b2c3d-0000-4000-8000-000000000001';
  const accountKey = subjectKeyForAccount(accountId);

  it('by email, erases the accounts of the address too, each subject with its own erasure, and their Cognito users', async () => {
    const s = setup([], { [accountId]: email, 'someone-else': 'other@example.test' });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey });
    s.add({ table: 'accounts', pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT', subjectKey: accountKey });
    s.add({ table: 'bookings', pk: 'APT', sk: 'APT', subjectKey: accountKey, entity: 'thread' });
    s.add({ table: 'bookings', pk: 'APT', sk: 'NOTICE', subjectKey: 'account#practitioner' });
    s.add({ table: 'accounts', pk: 'ACCOUNT#someone-else', sk: 'ACCOUNT', subjectKey: 'account#someone-else' });
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');

    expect([...s.items.keys()]).toEqual(['accounts|ACCOUNT#someone-else|ACCOUNT']);
    expect(result).toMatchObject({ itemsErased: 4, itemsUnderHold: 0 });
    expect(result.subjects).toEqual([
      { subjectKey, erasureId: result.erasureId, itemsErased: 1, itemsUnderHold: 0 },
      {
        subjectKey: accountKey,
        erasureId: expect.stringMatching(/^erasure_/),
        itemsErased: 3,
        itemsUnderHold: 0,
        cognitoUser: 'deleted',
      },
    ]);
    const [byEmail, byAccount] = result.subjects;
    expect(byAccount!.erasureId).not.toBe(byEmail!.erasureId);
    expect(result.message).toContain(`Account ${accountId} erased with its Cognito user`);
    expect(s.cognito.removed).toEqual([accountId]);
    expect(s.cognito.users).toEqual({ 'someone-else': 'other@example.test' });
    // One log and one audit entry per subject, each under its own erasure id.
    expect(new Set(s.log.filter((e) => e.subjectKey === accountKey).map((e) => e.erasureId))).toEqual(
      new Set([byAccount!.erasureId]),
    );
    expect(s.actions.map((a) => [a.subjectKey, a.erasureId, a.counts])).toEqual([
      [subjectKey, byEmail!.erasureId, { itemsErased: 1, itemsUnderHold: 0 }],
      [accountKey, byAccount!.erasureId, { itemsErased: 3, itemsUnderHold: 0, cognitoUsersDeleted: 1 }],
    ]);
    expect(s.published.map((e) => (e.data as { erasureId: string }).erasureId)).toEqual([
      byEmail!.erasureId,
      byAccount!.erasureId,
    ]);
  });

  it('by account id, erases the items of its address too', async () => {
    const s = setup([], { [accountId]: email });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey });
    s.add({ table: 'accounts', pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT', subjectKey: accountKey });
    const result = await eraseDataSubject(
      s.deps,
      { subject: { accountId }, channel: 'account', requestReference: 'in-app' },
      dpo,
      'c',
    );
    expect(s.items.size).toBe(0);
    expect(result.subjects.map((e) => [e.subjectKey, e.itemsErased, e.cognitoUser])).toEqual([
      [accountKey, 1, 'deleted'],
      [subjectKey, 1, undefined],
    ]);
    expect(result.erasureId).toBe(result.subjects[0]!.erasureId);
  });

  it('an account without a Cognito user: its items and nothing more; an address of nobody: its items alone', async () => {
    const s = setup();
    s.add({ table: 'accounts', pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT', subjectKey: accountKey });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey });
    const byId = await eraseDataSubject(
      s.deps,
      { subject: { accountId }, channel: 'account', requestReference: 'in-app' },
      dpo,
      'c',
    );
    expect(byId.subjects).toEqual([expect.objectContaining({ subjectKey: accountKey, cognitoUser: 'none' })]);
    expect(byId.message).toContain('has no Cognito user');
    const byEmail = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(byEmail.subjects).toEqual([{ subjectKey, erasureId: byEmail.erasureId, itemsErased: 1, itemsUnderHold: 0 }]);
    expect(s.items.size).toBe(0);
  });

  it('deletes the Cognito user of an address that has no account item (a sign-up never confirmed)', async () => {
    const s = setup([], { [accountId]: email });
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(result).toMatchObject({ itemsErased: 0, itemsUnderHold: 0 });
    expect(result.subjects[1]).toMatchObject({ subjectKey: accountKey, cognitoUser: 'deleted' });
    expect(s.cognito.removed).toEqual([accountId]);
  });

  it('keeps the account and its Cognito user under a hold on the account, and erases the address’s items', async () => {
    const s = setup([{ holdId: 'hold_acc', subjectKey: accountKey }], { [accountId]: email });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey });
    s.add({ table: 'accounts', pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT', subjectKey: accountKey });
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect([...s.items.keys()]).toEqual([`accounts|ACCOUNT#${accountId}|ACCOUNT`]);
    expect(result).toMatchObject({ itemsErased: 1, itemsUnderHold: 1 });
    expect(result.subjects[1]).toMatchObject({ itemsErased: 0, itemsUnderHold: 1, cognitoUser: 'kept-under-hold' });
    expect(result.message).toContain('hold_acc');
    expect(result.message).toContain(`The Cognito user of account ${accountId} is kept`);
    expect(s.cognito.removed).toEqual([]);
    expect(s.actions.at(-1)?.counts).toEqual({ itemsErased: 0, itemsUnderHold: 1 });
  });

  it('keeps what a root under a hold owns: another party’s items stay with it', async () => {
    const s = setup([{ holdId: 'hold_acc', subjectKey: accountKey }], { [accountId]: email });
    s.add({ table: 'bookings', pk: 'APT', sk: 'APT', subjectKey: accountKey, entity: 'thread' });
    s.add({ table: 'bookings', pk: 'APT', sk: 'NOTICE#practitioner', subjectKey: 'account#practitioner' });
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(result).toMatchObject({ itemsErased: 0, itemsUnderHold: 1 });
    expect(s.items.size).toBe(2);
  });

  it('keeps the Cognito user when a hold taken since the items were found keeps the account item', async () => {
    const s = setup([], { [accountId]: email });
    s.add({ table: 'accounts', pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT', subjectKey: accountKey });
    s.deps.subjects.erase = async () => 'held';
    const result = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(result.subjects[1]).toMatchObject({ itemsUnderHold: 1, cognitoUser: 'kept-under-hold' });
    expect(s.cognito.removed).toEqual([]);
  });

  it('audits every subject, then fails when a Cognito user could not be deleted: erasing again finishes it', async () => {
    const s = setup([], { [accountId]: email });
    s.add({ table: 'contact', pk: 'C', sk: 'C', subjectKey });
    const removeUser = s.deps.accounts.removeUser;
    s.deps.accounts.removeUser = async () => {
      throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
    };
    await expect(eraseDataSubject(s.deps, request, dpo, 'c')).rejects.toThrow('throttled');
    expect(s.items.size).toBe(0);
    expect(s.actions.map((a) => a.subjectKey)).toEqual([subjectKey, accountKey]);
    s.deps.accounts.removeUser = removeUser;
    const again = await eraseDataSubject(s.deps, request, dpo, 'c');
    expect(again.subjects[1]).toMatchObject({ cognitoUser: 'deleted' });
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

describe('the account resolver (Cognito)', () => {
  /** A Cognito client that answers from `pages` and keeps every command it was sent. */
  function fakeCognito(
    answer: (command: { constructor: { name: string }; input: Record<string, unknown> }) => unknown,
  ) {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        return answer(command);
      },
    } as unknown as CognitoIdentityProviderClient;
    return { client, sent };
  }
  const user = (sub: string, email: string, status: string, verified?: boolean) => ({
    Username: sub,
    UserStatus: status,
    Attributes: [
      { Name: 'sub', Value: sub },
      { Name: 'email', Value: email },
      ...(verified === undefined ? [] : [{ Name: 'email_verified', Value: String(verified) }]),
    ],
  });

  it('escapes quotes and backslashes in the filter value', () => {
    expect(filterValue('a"b\\c@example.test')).toBe('a\\"b\\\\c@example.test');
    expect(filterValue('"')).toBe('\\"');
  });

  it('lists the users of the address, as given and in lower case, page by page; keeps only addresses proven theirs', async () => {
    const { client, sent } = fakeCognito((command) => {
      const input = command.input;
      if (input.Filter === 'email = "Zoe@Example.test"') return { Users: [] };
      if (!input.PaginationToken)
        return {
          Users: [
            user('acc-1', 'zoe@example.test', 'CONFIRMED', true),
            user('acc-2', 'zoe@example.test', 'CONFIRMED', false),
          ],
          PaginationToken: 'next',
        };
      return {
        Users: [
          user('acc-3', 'zoe@example.test', 'UNCONFIRMED', false),
          user('acc-1', 'zoe@example.test', 'CONFIRMED', true),
        ],
      };
    });
    const resolver = cognitoAccountResolver({ client, userPoolId: 'pool-1' });
    // acc-2 waits for the code of an email change: the address is not proven theirs.
    expect((await resolver.withEmail('Zoe@Example.test')).sort()).toEqual(['acc-1', 'acc-3']);
    expect(sent.map((c) => [c.name, c.input.UserPoolId, c.input.Filter, c.input.PaginationToken])).toEqual([
      ['ListUsersCommand', 'pool-1', 'email = "Zoe@Example.test"', undefined],
      ['ListUsersCommand', 'pool-1', 'email = "zoe@example.test"', undefined],
      ['ListUsersCommand', 'pool-1', 'email = "zoe@example.test"', 'next'],
    ]);
  });

  it('sends the address escaped, so a quote cannot end the filter value', async () => {
    const { client, sent } = fakeCognito(() => ({ Users: [] }));
    expect(await cognitoAccountResolver({ client, userPoolId: 'p' }).withEmail('x" or email ^= "')).toEqual([]);
    expect(sent[0]!.input.Filter).toBe('email = "x\\" or email ^= \\""');
  });

  it('reads an account’s proven address, and deletes its user; a missing user is no error', async () => {
    const notFound = Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
    const { client, sent } = fakeCognito((command) => {
      const username = command.input.Username;
      if (username === 'gone') throw notFound;
      if (command.constructor.name === 'AdminDeleteUserCommand') return {};
      const { Attributes, UserStatus } =
        username === 'pending'
          ? user('pending', 'new@example.test', 'CONFIRMED', false)
          : user('acc-1', 'zoe@example.test', 'CONFIRMED', true);
      return { Username: username, UserStatus, UserAttributes: Attributes };
    });
    const resolver = cognitoAccountResolver({ client, userPoolId: 'p' });
    expect(await resolver.byId('acc-1')).toEqual({ accountId: 'acc-1', email: 'zoe@example.test' });
    expect(await resolver.byId('pending')).toEqual({ accountId: 'pending' });
    expect(await resolver.byId('gone')).toBeUndefined();
    expect(await resolver.removeUser('acc-1')).toBe('deleted');
    expect(await resolver.removeUser('gone')).toBe('absent');
    expect(sent.filter((c) => c.name === 'AdminDeleteUserCommand').map((c) => c.input)).toEqual([
      { UserPoolId: 'p', Username: 'acc-1' },
      { UserPoolId: 'p', Username: 'gone' },
    ]);
  });
});
