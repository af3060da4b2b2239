/**
 * The local gateway's own answers, as API Gateway makes them: the CORS preflight of every route
 * path (an allowed origin echoed, nothing CORS for another), the security headers and static CORS
 * headers (the first allowed origin, as a GatewayResponse can only name one) on everything it
 * answers itself, a 400 problem for a malformed percent-encoding, and the docs page's CSP.
 * A recording function stands in for the Lambda: only the gateway is under test here (the
 * end-to-end test test/e2e/cors.test.ts runs the real handlers).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '#functions/routes.ts';
import { createGateway, DOCS_PAGE_HEADERS } from '#local/gateway.ts';
import { defineOperation } from '#shared/http/contract.ts';
import { LOCAL_CORS_ORIGINS } from '#shared/http/cors.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';

const operation = (operationId: string, kind: 'public' | 'authenticated') =>
  defineOperation({ operationId, summary: 's', tags: [], access: { kind }, responses: { 200: { description: 'ok' } } });

const routes: Route[] = [
  { method: 'GET', path: '/items', operation: operation('listItems', 'public'), function: 'getHealth' },
  { method: 'POST', path: '/items', operation: operation('addItem', 'public'), function: 'getHealth' },
  { method: 'GET', path: '/items/{itemId}', operation: operation('getItem', 'authenticated'), function: 'getHealth' },
];

const PRIMARY = 'https://app.example.test';
const invoked: APIGatewayProxyEvent[] = [];
let failing = false;
const servers: Server[] = [];

async function gateway(corsAllowedOrigins: readonly string[]): Promise<string> {
  const server = createServer(
    createGateway({
      routes,
      runtime: {
        invoke: async (_name, event) => {
          if (failing) throw new Error('the function crashed');
          invoked.push(event as APIGatewayProxyEvent);
          return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"from":"function"}' };
        },
      },
      authorizer: {
        verify: async (authorization) => (authorization === 'Bearer good' ? { sub: 'someone' } : undefined),
      },
      account: '000000000000',
      openApi: () => ({ openapi: '3.1.0' }),
      corsAllowedOrigins,
    }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let api = '';
let localApi = '';
beforeAll(async () => {
  api = await gateway([PRIMARY, 'http://localhost:*']);
  localApi = await gateway(LOCAL_CORS_ORIGINS);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const corsNames = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

function expectSecurityHeaders(response: Response) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name), name).toBe(value);
  expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
}

describe('the preflight of a route path', () => {
  it('echoes an allowed origin with the methods of the path, the request headers and the max age', async () => {
    const before = invoked.length;
    for (const origin of [PRIMARY, 'http://localhost:5173']) {
      const response = await fetch(`${api}/items`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(response.status).toBe(204);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'Authorization, Content-Type, Idempotency-Key, If-None-Match',
        'access-control-max-age': '7200',
        allow: 'GET, POST, OPTIONS',
        vary: 'Origin',
      });
      expectSecurityHeaders(response);
    }
    expect(invoked.length).toBe(before);
  });

  it('needs no token on a signed-in route path (browsers send none on a preflight)', async () => {
    const response = await fetch(`${api}/items/abc`, {
      method: 'OPTIONS',
      headers: { Origin: PRIMARY, 'Access-Control-Request-Method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET');
  });

  it('gives a disallowed origin no CORS header at all', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.test.evil.example', 'http://127.0.0.1:5173']) {
      const response = await fetch(`${api}/items`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
      expect(response.status).toBe(204);
      expect(corsNames(response), origin).toEqual([]);
      expectSecurityHeaders(response);
    }
  });

  it('is a 404 off the route paths, as API Gateway (no resource, no OPTIONS method)', async () => {
    const response = await fetch(`${api}/nowhere`, { method: 'OPTIONS', headers: { Origin: PRIMARY } });
    expect(response.status).toBe(404);
  });
});

describe('the answers the gateway makes itself', () => {
  const own: [string, () => Promise<Response>, number][] = [
    ['401 of the authorizer', () => fetch(`${api}/items/abc`, { headers: { Origin: PRIMARY } }), 401],
    ['404 of a missing route', () => fetch(`${api}/nowhere`, { headers: { Origin: PRIMARY } }), 404],
    ['405 of a missing method', () => fetch(`${api}/items`, { method: 'DELETE', headers: { Origin: PRIMARY } }), 405],
    [
      '413 of a body over 10 MB',
      () =>
        fetch(`${api}/items`, {
          method: 'POST',
          headers: { Origin: PRIMARY, 'Content-Type': 'application/json' },
          body: 'x'.repeat(10 * 1024 * 1024 + 1),
        }),
      413,
    ],
    ['400 of a malformed path', () => fetch(`${api}/items/%zz`, { headers: { Origin: PRIMARY } }), 400],
  ];

  it.each(own)('%s: a problem with the security headers and the static CORS headers', async (_what, call, status) => {
    const response = await call();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expectSecurityHeaders(response);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': PRIMARY,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'Retry-After, Location, Content-Disposition, ETag, x-amzn-RequestId',
      vary: 'Origin',
    });
  });

  it('502 when the function fails, with the same headers', async () => {
    failing = true;
    try {
      const response = await fetch(`${api}/items`, { headers: { Origin: PRIMARY } });
      expect(response.status).toBe(502);
      expectSecurityHeaders(response);
      expect(response.headers.get('access-control-allow-origin')).toBe(PRIMARY);
    } finally {
      failing = false;
    }
  });

  it('names the first origin whatever the request’s, as a GatewayResponse does (its header values are static)', async () => {
    const response = await fetch(`${api}/nowhere`, { headers: { Origin: 'https://evil.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe(PRIMARY);
  });

  it('names none when the list starts with a pattern (the local default): no static value can stand for it', async () => {
    const response = await fetch(`${localApi}/items/abc`, { headers: { Origin: 'http://localhost:5173' } });
    expect(response.status).toBe(401);
    expect(corsNames(response)).toEqual([]);
    expectSecurityHeaders(response);
  });

  it('answers 400 for a malformed escape before the authorizer and the function, and decodes a valid one', async () => {
    const before = invoked.length;
    for (const path of ['/items/%zz', '/items/%E2%82', '/items/abc%']) {
      const response = await fetch(`${api}${path}`, { headers: { Authorization: 'Bearer good' } });
      expect(response.status, path).toBe(400);
      expect(await response.json()).toMatchObject({ title: 'Malformed path', status: 400 });
    }
    expect(invoked.length).toBe(before);
    const response = await fetch(`${api}/items/%E2%82%AC`, { headers: { Authorization: 'Bearer good' } });
    expect(response.status).toBe(200);
    expect(invoked.at(-1)?.pathParameters).toEqual({ itemId: '€' });
  });

  it('passes the function’s answer through, with the request id', async () => {
    const response = await fetch(`${api}/items`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ from: 'function' });
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document with the security headers', async () => {
    const response = await fetch(`${api}/openapi.json`);
    expect(response.status).toBe(200);
    expectSecurityHeaders(response);
  });
});

describe('the docs page', () => {
  it('forbids inline scripts and framing: its bootstrap is a file of its own', async () => {
    const response = await fetch(`${api}/docs`);
    expect(response.status).toBe(200);
    expectSecurityHeaders(response);
    expect(response.headers.get('content-security-policy')).toBe(DOCS_PAGE_HEADERS['Content-Security-Policy']);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe/);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src="\/docs\/assets\//);
      expect(inline?.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son\w+=/i);
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const asset = await fetch(`${api}${src}`);
      expect(asset.status, src).toBe(200);
      expect(asset.headers.get('x-content-type-options'), src).toBe('nosniff');
    }
    const bootstrap = await (await fetch(`${api}/docs/assets/docs.js`)).text();
    expect(bootstrap).toContain("SwaggerUIBundle({ url: '/openapi.json'");
  });
});
