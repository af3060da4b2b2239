/**
 * Ready for browsers, end to end on the local cloud as `npm start` runs it (its default allowed
 * origins: a dev server on any port of localhost or 127.0.0.1): on EVERY route of the route
 * table, the preflight and a real request from an allowed origin get their CORS headers (the
 * origin echoed, credentials, the exposed headers; the path's methods on the preflight), and a
 * disallowed origin gets no Access-Control-* header at all. The gateway's own answers carry the
 * security headers (and, the first allowed origin being a pattern here, no CORS header: a
 * GatewayResponse can only name one origin). Public reads answer with an ETag and 304.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, LOCAL_CORS_ORIGINS } from '#shared/http/cors.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';
import { parisDate } from '../support/bookings.ts';
import { callFrom, type Reply } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.86';
const ALLOWED = ['http://localhost:5173', 'http://127.0.0.1:8080'];
const DISALLOWED = 'https://evil.example';

const corsHeaders = (reply: Reply) => Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));

function expectSecurityHeaders(reply: Reply, what: string) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (name === 'Cache-Control' && reply.headers['cache-control']?.toString().startsWith('public')) continue;
    expect(reply.headers[name.toLowerCase()], `${what}: ${name}`).toBe(value);
  }
}

/** A route's path with its parameters filled in: well-formed ids nobody has. */
const pathOf = (path: string) => path.replace(/\{[^}]+\}/g, () => randomUUID());

let person: Person;
let leaving: Person;
beforeAll(async () => {
  expect(LOCAL_CORS_ORIGINS).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
  [person, leaving] = await Promise.all([signedInPerson(cloud, 'client'), signedInPerson(cloud, 'client')]);
});

describe('CORS on every route', () => {
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    it(`${key}: preflight and request from an allowed origin; nothing CORS for another`, async () => {
      const path = pathOf(route.path);
      const url = `${cloud.urls.api}${path}`;
      const origin = ALLOWED[routes.indexOf(route) % ALLOWED.length]!;
      const preflight = (from: string) =>
        callFrom(IP, url, {
          method: 'OPTIONS',
          headers: {
            Origin: from,
            'Access-Control-Request-Method': route.method,
            'Access-Control-Request-Headers': 'authorization,content-type',
          },
        });

      const allowed = await preflight(origin);
      expect(allowed.status, key).toBe(204);
      expect(allowed.headers['access-control-allow-origin'], key).toBe(origin);
      expect(allowed.headers['access-control-allow-credentials'], key).toBe('true');
      expect(String(allowed.headers['access-control-allow-methods']).split(', '), key).toContain(route.method);
      expect(allowed.headers['access-control-allow-headers'], key).toBe(CORS_ALLOWED_HEADERS.join(', '));
      expect(Number(allowed.headers['access-control-max-age']), key).toBeGreaterThan(0);
      expect(allowed.headers.vary, key).toBe('Origin');
      expectSecurityHeaders(allowed, `${key} preflight`);
      const refused = await preflight(DISALLOWED);
      expect(refused.status, key).toBe(204);
      expect(corsHeaders(refused), key).toEqual([]);

      // The request itself, signed in when the route is not public: its answer is the handler's
      // (a 2xx, or a 4xx for an empty body, an unknown id, another role), never the gateway's 401.
      const caller = route.operation.access.kind === 'public' ? undefined : key === 'DELETE /me' ? leaving : person;
      const request = (from: string) =>
        callFrom(IP, url, {
          method: route.method,
          headers: {
            Origin: from,
            ...(caller ? { Authorization: `Bearer ${caller.idToken}` } : {}),
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: '{}' }),
        });
      const answer = await request(origin);
      expect(answer.status, key).not.toBe(401);
      expect(answer.status, key).toBeLessThan(500);
      expect(answer.headers['access-control-allow-origin'], key).toBe(origin);
      expect(answer.headers['access-control-allow-credentials'], key).toBe('true');
      expect(answer.headers['access-control-expose-headers'], key).toBe(CORS_EXPOSED_HEADERS.join(', '));
      expect(answer.headers.vary, key).toBe('Origin');
      expectSecurityHeaders(answer, key);
      const other = await request(DISALLOWED);
      expect(other.status, key).toBeLessThan(500);
      expect(corsHeaders(other), key).toEqual([]);
      expectSecurityHeaders(other, key);
    });
  }
});

describe('the gateway’s own answers', () => {
  const own: [string, string, string, Record<string, string>, number][] = [
    ['the authorizer’s 401', 'GET', '/me', {}, 401],
    ['a missing route’s 404', 'GET', '/nowhere', {}, 404],
    ['a missing method’s 405', 'PUT', '/bookings', {}, 405],
    ['a malformed escape’s 400', 'GET', '/bookings/%zz', {}, 400],
    ['a malformed escape’s 400 on a public route', 'GET', '/practitioners/%E2%82', {}, 400],
  ];
  it.each(own)(
    '%s: a problem with the security headers, no CORS header',
    async (_what, method, path, headers, status) => {
      const reply = await callFrom(IP, `${cloud.urls.api}${path}`, {
        method,
        headers: { Origin: ALLOWED[0]!, ...headers },
      });
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expectSecurityHeaders(reply, path);
      // The first allowed origin is a pattern: no static origin can stand for it (as in API Gateway).
      expect(corsHeaders(reply)).toEqual([]);
    },
  );

  it('the OpenAPI document and the docs page: security headers; the page a strict CSP and no framing', async () => {
    const document = await callFrom(IP, cloud.urls.openApi);
    expect(document.status).toBe(200);
    expectSecurityHeaders(document, 'openapi.json');
    const docs = await callFrom(IP, cloud.urls.docs);
    expect(docs.status).toBe(200);
    expectSecurityHeaders(docs, 'docs');
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['x-frame-options']).toBe('DENY');
    expect(docs.body).not.toMatch(/<script>/);
  });
});

describe('public reads: cached by browsers, revalidated with their ETag', () => {
  it('GET /practitioners, a profile and its slots: Cache-Control public, an ETag, then 304 without a body', async () => {
    const origin = ALLOWED[0]!;
    const list = await callFrom(IP, `${cloud.urls.api}/practitioners`, { headers: { Origin: origin } });
    expect(list.status).toBe(200);
    const practitionerId = (JSON.parse(list.body) as { items: { id: string }[] }).items[0]!.id;
    const profile = await callFrom(IP, `${cloud.urls.api}/practitioners/${practitionerId}`);
    const serviceId = (JSON.parse(profile.body) as { services: { id: string }[] }).services[0]!.id;
    const reads: [string, number][] = [
      ['/practitioners', 60],
      [`/practitioners/${practitionerId}`, 60],
      [`/practitioners/${practitionerId}/slots?serviceId=${serviceId}&from=${parisDate(1)}&to=${parisDate(8)}`, 30],
    ];
    for (const [path, maxAge] of reads) {
      const first = await callFrom(IP, `${cloud.urls.api}${path}`, { headers: { Origin: origin } });
      expect(first.status, path).toBe(200);
      expect(first.headers['cache-control'], path).toBe(`public, max-age=${maxAge}`);
      expect(first.headers.vary, path).toBe('Origin');
      const etag = String(first.headers.etag);
      expect(etag, path).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      const again = await callFrom(IP, `${cloud.urls.api}${path}`, {
        headers: { Origin: origin, 'If-None-Match': etag },
      });
      expect(again.status, path).toBe(304);
      expect(again.body, path).toBe('');
      expect(again.headers.etag, path).toBe(etag);
      expect(again.headers['cache-control'], path).toBe(`public, max-age=${maxAge}`);
      expect(again.headers['access-control-allow-origin'], path).toBe(origin);
      const stale = await callFrom(IP, `${cloud.urls.api}${path}`, { headers: { 'If-None-Match': '"stale"' } });
      expect(stale.status, path).toBe(200);
      expect(stale.body, path).toBe(first.body);
    }
  });

  it('keeps personal answers out of caches: no-store, no ETag', async () => {
    const me = await callFrom(IP, `${cloud.urls.api}/me`, { headers: { Authorization: `Bearer ${person.idToken}` } });
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.headers.etag).toBeUndefined();
  });
});
