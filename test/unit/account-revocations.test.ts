/**
 * The revocation check of every signed-in request (shared/http/guards.ts) and the per-instance
 * cache in front of the list (shared/security/revocations.ts), with a manual clock and an
 * in-memory list: a suspended account gets 403, a deleted one 410, before anything else of the
 * request (no rate-limit count); public routes read nothing; an unreadable list refuses the
 * request (503, fail-closed) and caches nothing; an admission is trusted 30 s and a refusal 5 s,
 * so a suspension is refused everywhere within 30 s and a reinstatement let in within 5 s; what an
 * instance writes it knows at once; the cache is bounded.
 */
import { describe, expect, it } from 'vitest';
import { functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { manualClock } from '#shared/clock.ts';
import type { Operation } from '#shared/http/contract.ts';
import { requestGuards } from '#shared/http/guards.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import {
  ADMISSION_CACHE_SECONDS,
  REFUSAL_CACHE_SECONDS,
  type RevocationList,
  type RevocationReason,
  revocationCache,
} from '#shared/security/revocations.ts';

const ACCOUNT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** The list as stored, with a count of reads and a switch to make reads fail. */
function memoryList() {
  const revoked = new Map<string, { reason: RevocationReason; at: Date }>();
  const state = { reads: 0, failing: false };
  const list: RevocationList = {
    async reasonFor(accountId) {
      state.reads++;
      if (state.failing) throw Object.assign(new Error('DynamoDB unreachable'), { name: 'TimeoutError' });
      return revoked.get(accountId)?.reason;
    },
    async revoke(accountId, reason, at) {
      if (reason === 'suspended' && revoked.get(accountId)?.reason === 'deleted') return;
      revoked.set(accountId, { reason, at });
    },
    async liftSuspension(accountId, upTo) {
      const current = revoked.get(accountId);
      if (current?.reason === 'suspended' && current.at <= upTo) revoked.delete(accountId);
    },
  };
  return { list, revoked, state };
}

function setup() {
  const clock = manualClock('2026-11-26T10:00:00Z');
  const memory = memoryList();
  const cache = revocationCache(memory.list, { clock });
  const counted: string[] = [];
  const guards = requestGuards({
    revocations: () => cache,
    rateLimiter: () => ({
      async check(source) {
        counted.push(source.label);
      },
    }),
    connections: () => ({ record: async () => undefined }),
    events: () => ({ publish: async () => 'evt' }),
    clock,
  });
  return { clock, cache, guards, counted, ...memory };
}

const signedIn: Operation = {
  operationId: 'listMyAppointments',
  summary: 's',
  tags: [],
  access: { kind: 'role', roles: ['client'] },
  rateLimit: { perIp: { requests: 100, windowSeconds: 60 } },
  responses: {},
};
const publicOperation: Operation = { ...signedIn, operationId: 'listPractitioners', access: { kind: 'public' } };
const request = (operation: Operation, userId = ACCOUNT) => ({
  operation,
  caller: { userId, roles: ['client' as const] },
  sourceIp: '203.0.113.9',
  userAgent: 'ua',
  requestId: 'r1',
});

async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpProblem);
  return error as HttpProblem;
}

describe('the revocation check of signed-in requests', () => {
  it('lets an account that is not revoked in, reading the list once', async () => {
    const { guards, state, counted } = setup();
    await guards.admit(request(signedIn));
    expect(state.reads).toBe(1);
    expect(counted).toEqual(['IP']);
  });

  it('refuses a suspended account with a 403 and a deleted one with a 410, naming no id, before any count', async () => {
    const { guards, list, counted } = setup();
    await list.revoke(ACCOUNT, 'suspended', new Date('2026-11-26T09:00:00Z'));
    await list.revoke(OTHER, 'deleted', new Date('2026-11-26T09:00:00Z'));

    const suspended = await refusal(guards.admit(request(signedIn, ACCOUNT)));
    expect([suspended.status, suspended.title]).toEqual([403, 'Account suspended']);
    const deleted = await refusal(guards.admit(request(signedIn, OTHER)));
    expect([deleted.status, deleted.title]).toEqual([410, 'Account deleted']);
    for (const problem of [suspended, deleted]) {
      const said = JSON.stringify(problem.toProblem('r1'));
      expect(said).not.toContain(ACCOUNT);
      expect(said).not.toContain(OTHER);
    }
    expect(counted).toEqual([]); // nothing of a revoked account's request is kept, not even a count
  });

  it('reads nothing on a public route, even with a caller', async () => {
    const { guards, list, state } = setup();
    await list.revoke(ACCOUNT, 'suspended', new Date());
    await guards.admit(request(publicOperation));
    expect(state.reads).toBe(0);
  });

  it('refuses the request with a 503 when the list cannot be read (fail-closed), and caches nothing', async () => {
    const { guards, state } = setup();
    state.failing = true;
    const problem = await refusal(guards.admit(request(signedIn)));
    expect(problem.status).toBe(503);
    expect(problem.headers?.['Retry-After']).toMatch(/^\d+$/);
    state.failing = false;
    await guards.admit(request(signedIn));
    expect(state.reads).toBe(2);
  });
});

describe('the per-instance cache of the list', () => {
  it('trusts an admission 30 s: a suspension is refused by the first read after that', async () => {
    const { cache, list, clock, state } = setup();
    expect(await cache.reasonFor(ACCOUNT)).toBeUndefined();
    await list.revoke(ACCOUNT, 'suspended', clock.now()); // by another instance
    clock.advance(ADMISSION_CACHE_SECONDS * 1000 - 1);
    expect(await cache.reasonFor(ACCOUNT)).toBeUndefined();
    expect(state.reads).toBe(1);
    clock.advance(1);
    expect(await cache.reasonFor(ACCOUNT)).toBe('suspended');
    expect(state.reads).toBe(2);
  });

  it('trusts a refusal 5 s: a reinstatement is let in by the first read after that', async () => {
    const { cache, list, clock, state } = setup();
    await list.revoke(ACCOUNT, 'suspended', clock.now());
    expect(await cache.reasonFor(ACCOUNT)).toBe('suspended');
    await list.liftSuspension(ACCOUNT, clock.now()); // by another instance
    clock.advance(REFUSAL_CACHE_SECONDS * 1000 - 1);
    expect(await cache.reasonFor(ACCOUNT)).toBe('suspended');
    clock.advance(1);
    expect(await cache.reasonFor(ACCOUNT)).toBeUndefined();
    expect(state.reads).toBe(2);
  });

  it('refuses within a minute of the action, whatever the instance saw just before', () => {
    expect(ADMISSION_CACHE_SECONDS).toBeLessThanOrEqual(60);
    expect(REFUSAL_CACHE_SECONDS).toBeLessThanOrEqual(ADMISSION_CACHE_SECONDS);
  });

  it('knows at once what its own instance writes', async () => {
    const { cache, clock, state } = setup();
    expect(await cache.reasonFor(ACCOUNT)).toBeUndefined();
    await cache.revoke(ACCOUNT, 'deleted', clock.now());
    expect(await cache.reasonFor(ACCOUNT)).toBe('deleted'); // without a read
    expect(state.reads).toBe(1);

    expect(await cache.reasonFor(OTHER)).toBeUndefined();
    await cache.revoke(OTHER, 'suspended', clock.now());
    expect(await cache.reasonFor(OTHER)).toBe('suspended'); // read again: a deletion may stand
    await cache.liftSuspension(OTHER, clock.now());
    expect(await cache.reasonFor(OTHER)).toBeUndefined();
    expect(state.reads).toBe(4);
  });

  it('never lets a suspension replace a deletion, nor a lift take it', async () => {
    const { cache, clock } = setup();
    await cache.revoke(ACCOUNT, 'deleted', clock.now());
    await cache.revoke(ACCOUNT, 'suspended', clock.now());
    await cache.liftSuspension(ACCOUNT, clock.now());
    expect(await cache.reasonFor(ACCOUNT)).toBe('deleted');
  });

  it('stays bounded: past its size it starts afresh', async () => {
    const clock = manualClock('2026-11-26T10:00:00Z');
    const { list, state } = memoryList();
    const cache = revocationCache(list, { clock, maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) await cache.reasonFor(id);
    await cache.reasonFor('a');
    expect(state.reads).toBe(3);
    await cache.reasonFor('d'); // the fourth: the cache is cleared
    await cache.reasonFor('a');
    expect(state.reads).toBe(5);
  });
});

describe('the grants the check needs', () => {
  it('gives every function serving a signed-in route a read of the security table, and no public-only function any', () => {
    const signedInFunctions = new Set(
      routes.filter((r) => r.operation.access.kind !== 'public').map((r) => r.function as string),
    );
    for (const name of signedInFunctions) {
      const access = functions[name as keyof typeof functions].tables?.security;
      expect(['read', 'read-write'], name).toContain(access);
    }
    for (const route of routes.filter((r) => !signedInFunctions.has(r.function))) {
      const access = functions[route.function].tables?.security;
      const writes = Boolean(route.operation.rateLimit || route.operation.recordConnection);
      expect(access, route.function).toBe(writes ? 'write' : undefined);
    }
  });

  it('lets the accounts functions that revoke write the list, and sign users out', () => {
    for (const name of ['deleteMe', 'suspendAccount', 'reinstateAccount'] as const) {
      expect(functions[name].tables?.security, name).toBe('read-write');
    }
    expect(functions.deleteMe.identity?.actions).toContain('AdminUserGlobalSignOut');
    expect(functions.suspendAccount.identity?.actions).toContain('AdminUserGlobalSignOut');
  });
});
