import { describe, expect, it } from 'vitest';
import { manualClock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Operation } from '#shared/http/contract.ts';
import { requestGuards } from '#shared/http/guards.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { Connection } from '#shared/security/connection-log.ts';

const base: Operation = { operationId: 'op', summary: 's', tags: [], access: { kind: 'public' }, responses: {} };
const userId = '0f8fad5b-d9cb-469f-a165-70867728950e';

function setup() {
  const checks: string[] = [];
  const connections: Connection[] = [];
  const published: unknown[] = [];
  const clock = manualClock('2026-11-26T10:00:00Z');
  const events: EventPublisher = {
    async publish(contract, data) {
      published.push({ type: contract.detailType, data });
      return 'evt';
    },
  };
  const guards = requestGuards({
    // No account revoked: test/unit/account-revocations.test.ts covers the revocation check.
    revocations: () => ({ reasonFor: async () => undefined }),
    rateLimiter: () => ({
      async check(source, operationId, limit) {
        checks.push(`${source.label}:${operationId}:${limit.requests}`);
        if (limit.requests === 0) throw new HttpProblem(429, 'Too many requests');
      },
    }),
    connections: () => ({ record: async (c) => void connections.push(c) }),
    events: () => events,
    clock,
  });
  return { guards, checks, connections, published, clock };
}

const info = (operation: Operation, caller?: { userId: string; roles: [] }) => ({
  operation,
  caller,
  sourceIp: '203.0.113.9',
  userAgent: 'ua',
  requestId: 'r1',
});

describe('request guards', () => {
  it('does nothing for an operation that asks for nothing and an anonymous caller', async () => {
    const { guards, checks, connections, published } = setup();
    await guards.admit(info(base));
    await guards.observe(info(base), 200);
    expect([checks, connections, published]).toEqual([[], [], []]);
  });

  it('checks the IP limit, and the account limit only for a signed-in caller', async () => {
    const { guards, checks } = setup();
    const limited = {
      ...base,
      rateLimit: { perIp: { requests: 5, windowSeconds: 60 }, perAccount: { requests: 3, windowSeconds: 60 } },
    };
    await guards.admit(info(limited));
    await guards.admit(info(limited, { userId, roles: [] }));
    expect(checks).toEqual(['IP:op:5', 'IP:op:5', 'account:op:3']);
    await expect(
      guards.admit(info({ ...base, rateLimit: { perIp: { requests: 0, windowSeconds: 60 } } })),
    ).rejects.toMatchObject({ status: 429 });
  });

  it('records connection data only for operations that ask, keyed by account when signed in', async () => {
    const { guards, connections } = setup();
    await guards.observe(info({ ...base, recordConnection: true }), 202);
    await guards.observe(info({ ...base, recordConnection: true }, { userId, roles: [] }), 201);
    expect(connections.map((c) => [c.subjectKey.split('#')[0], c.ip, c.status, c.accountId])).toEqual([
      ['ip', '203.0.113.9', 202, undefined],
      ['account', '203.0.113.9', 201, userId],
    ]);
  });

  it('announces a signed-in caller’s activity once a day, not once a request', async () => {
    const { guards, published, clock } = setup();
    for (let i = 0; i < 5; i++) await guards.observe(info(base, { userId, roles: [] }), 200);
    clock.advance(24 * 3600 * 1000);
    await guards.observe(info(base, { userId, roles: [] }), 200);
    expect(published).toEqual([
      { type: 'AccountActivityObserved', data: { accountId: userId, day: '2026-11-26' } },
      { type: 'AccountActivityObserved', data: { accountId: userId, day: '2026-11-27' } },
    ]);
  });

  it('announces nothing and fails nothing without a bus (the public routes’ guards)', async () => {
    const { connections, clock } = setup();
    const guards = requestGuards({
      revocations: () => ({ reasonFor: async () => undefined }),
      rateLimiter: () => ({ check: async () => undefined }),
      connections: () => ({ record: async (c) => void connections.push(c) }),
      clock,
    });
    await guards.observe(info({ ...base, recordConnection: true }, { userId, roles: [] }), 200);
    expect(connections).toHaveLength(1);
  });
});
