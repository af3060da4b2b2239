/**
 * The authorization matrix (OWASP API1/API5): every route of the route table, called by an
 * anonymous visitor, a forged token and a real signed-in person of every role. Each route has an
 * entry here, written by hand (not derived from the route table, so a changed access shows up),
 * and the test fails when a route is added without one. Allowed callers get the route's own answer
 * (a validation 400 for an empty body, a 404 for an unknown object…), never 401 or 403; the others
 * get 401 (not signed in) or 403 (wrong role), before any handler logic.
 * Routes acting on an object owned by someone carry a `stranger` case: another person's object.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import { type Role, roles } from '#shared/http/contract.ts';
import { callFrom } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: the matrix's calls don't eat into other tests' rate limits.
const IP = '127.0.0.90';

type Allowed = 'everyone' | 'signed-in' | readonly Role[];

interface Entry {
  readonly allowed: Allowed;
  /** The path with its parameters filled in. */
  readonly path?: string;
  readonly body?: unknown;
  /** What an allowed caller gets with this request. */
  readonly status: number;
  /** Destructive for the caller: run last. */
  readonly last?: boolean;
}

const unknownHold = 'hold_00000000000000000000000000000000';
// A well-formed account id no account has: allowed staff get the route's 404.
const unknownAccount = randomUUID();

const matrix: Record<string, Entry> = {
  'GET /health': { allowed: 'everyone', status: 200 },
  'POST /contact': { allowed: 'everyone', body: {}, status: 400 },
  'GET /practitioners': { allowed: 'everyone', status: 200 },
  'PUT /practitioners/me/profile': { allowed: ['practitioner'], body: {}, status: 400 },
  'GET /practitioners/{practitionerId}': {
    allowed: 'everyone',
    path: `/practitioners/${randomUUID()}`,
    status: 404,
  },
  'GET /me': { allowed: 'signed-in', status: 200 },
  'PATCH /me': { allowed: 'signed-in', body: { unknownField: true }, status: 400 },
  'DELETE /me': { allowed: 'signed-in', status: 202, last: true },
  'POST /staff/accounts/{accountId}/suspend': {
    allowed: ['support', 'moderator'],
    path: `/staff/accounts/${unknownAccount}/suspend`,
    body: { reason: 'Authorization matrix' },
    status: 404,
  },
  'POST /staff/accounts/{accountId}/reinstate': {
    allowed: ['support', 'moderator'],
    path: `/staff/accounts/${unknownAccount}/reinstate`,
    body: { reason: 'Authorization matrix' },
    status: 404,
  },
  'POST /privacy/legal-holds': { allowed: ['dpo'], body: {}, status: 400 },
  'GET /privacy/legal-holds': { allowed: ['dpo'], status: 200 },
  'POST /privacy/legal-holds/{holdId}/lift': {
    allowed: ['dpo'],
    path: `/privacy/legal-holds/${unknownHold}/lift`,
    status: 404,
  },
  'POST /privacy/erasures': { allowed: ['dpo'], body: {}, status: 400 },
  'GET /privacy/register': { allowed: ['dpo'], status: 200 },
};

const keyOf = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

function mayCall(allowed: Allowed, who: Role | 'anonymous'): boolean {
  if (allowed === 'everyone') return true;
  if (who === 'anonymous') return false;
  return allowed === 'signed-in' || allowed.includes(who);
}

function call(key: string, entry: Entry, token?: string) {
  const [method, path] = key.split(' ') as [string, string];
  return callFrom(IP, `${cloud.urls.api}${entry.path ?? path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(entry.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(entry.body === undefined ? {} : { body: JSON.stringify(entry.body) }),
  });
}

describe('authorization matrix', () => {
  it('has an entry for every route, and the entry agrees with the declared access', () => {
    const missing = routes.map(keyOf).filter((k) => !(k in matrix));
    expect(missing, 'routes without a matrix entry').toEqual([]);
    expect(Object.keys(matrix).filter((k) => !routes.some((r) => keyOf(r) === k))).toEqual([]);
    for (const route of routes) {
      const { allowed } = matrix[keyOf(route)]!;
      const access = route.operation.access;
      const declared: Allowed =
        access.kind === 'public' ? 'everyone' : access.kind === 'authenticated' ? 'signed-in' : access.roles;
      expect(declared, keyOf(route)).toEqual(allowed);
    }
  });

  it('answers every route as the matrix says, for every role, a forged token and no token', {
    timeout: 120_000,
  }, async () => {
    const people = new Map<Role, Person>();
    for (const role of roles) people.set(role, await signedInPerson(cloud, role));
    const forged = (() => {
      const [h, p, s] = people.get('client')!.idToken.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['dpo'] })).toString('base64url')}.${s}`;
    })();

    const failures: string[] = [];
    const ordered = Object.entries(matrix).sort(([, a], [, b]) => Number(a.last ?? false) - Number(b.last ?? false));
    for (const [key, entry] of ordered) {
      const callers: Array<[Role | 'anonymous' | 'forged', string | undefined]> = [
        ['anonymous', undefined],
        ['forged', forged],
        ...roles.map((role) => [role, people.get(role)!.idToken] as [Role, string]),
      ];
      for (const [who, token] of callers) {
        const reply = await call(key, entry, token);
        const expected =
          who === 'forged'
            ? entry.allowed === 'everyone'
              ? entry.status
              : 401
            : mayCall(entry.allowed, who)
              ? entry.status
              : who === 'anonymous'
                ? 401
                : 403;
        if (reply.status !== expected) failures.push(`${key} as ${who}: ${reply.status}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives every route that acts on someone’s object a stranger case', () => {
    // Public routes act on no one's private object (GET /practitioners/{practitionerId} shows a
    // published profile to everyone): only signed-in routes with a path parameter can reach
    // someone else's object, and those need a stranger case.
    const ownerRoutes = routes.filter(
      (r) => r.path.includes('{') && r.operation.access.kind !== 'role' && r.operation.access.kind !== 'public',
    );
    expect(ownerRoutes.map(keyOf)).toEqual([]); // none yet: bookings and messages will add their stranger cases here
  });
});
