/**
 * What the shared handler adds for browsers: CORS headers for allowed origins only (from the
 * function's CORS_ALLOWED_ORIGINS), the security headers on every answer, and for public reads
 * (`publicCache`) the cache headers, a strong ETag and 304 on a matching If-None-Match.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineOperation } from '#shared/http/contract.ts';
import {
  CORS_EXPOSED_HEADERS,
  CORS_ORIGINS_ENV,
  corsPolicy,
  LOCAL_CORS_ORIGINS,
  originPattern,
  parseAllowedOrigins,
} from '#shared/http/cors.ts';
import { httpHandler } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { entityTag, ifNoneMatchHolds } from '#shared/http/public-cache.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';

const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

function event(headers: Record<string, string>, pathParameters: Record<string, string> | null = null) {
  return {
    body: null,
    headers,
    queryStringParameters: null,
    pathParameters,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

const corsHeaderNames = (result: APIGatewayProxyResult) =>
  Object.keys(result.headers ?? {}).filter((name) => name.toLowerCase().startsWith('access-control-'));

// The handlers read the allowed origins when their module loads, as a Lambda function does at init.
const previous = process.env[CORS_ORIGINS_ENV];
process.env[CORS_ORIGINS_ENV] = 'https://www.monprodubienetre.fr,http://localhost:*';
let version = 1;
const profile = defineOperation({
  operationId: 'profile',
  summary: 'a public read',
  tags: [],
  access: { kind: 'public' },
  publicCache: { maxAgeSeconds: 60 },
  pathParameters: z.object({ id: z.string() }).strict(),
  responses: { 200: { description: 'ok' }, 404: { description: 'none' } },
});
const cached = httpHandler(profile, async ({ pathParameters }) => {
  if (pathParameters.id === 'missing') throw new HttpProblem(404, 'Not found', 'No such profile');
  if (pathParameters.id === 'broken') throw new Error('boom');
  return { status: 200, body: { id: pathParameters.id, version } };
});
const plain = httpHandler(
  defineOperation({
    operationId: 'plain',
    summary: 'a read that is not public',
    tags: [],
    access: { kind: 'public' },
    responses: { 200: { description: 'ok' } },
  }),
  async () => ({ status: 200, body: { fresh: true } }),
);
if (previous === undefined) delete process.env[CORS_ORIGINS_ENV];
else process.env[CORS_ORIGINS_ENV] = previous;

const get = async (headers: Record<string, string>, id = 'p1') =>
  (await cached(event(headers, { id }), context)) as APIGatewayProxyResult;

describe('CORS on the handlers’ answers', () => {
  it.each(['https://www.monprodubienetre.fr', 'http://localhost:5173', 'http://localhost'])(
    'echoes the allowed origin %s, with credentials and the exposed headers',
    async (origin) => {
      const answer = await get({ Origin: origin });
      expect(answer.headers).toMatchObject({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '),
        Vary: 'Origin',
      });
    },
  );

  it('reads the Origin header whatever the case of its name (HTTP/2 sends it lowercase)', async () => {
    const answer = await get({ origin: 'http://localhost:3000' });
    expect(answer.headers?.['Access-Control-Allow-Origin']).toBe('http://localhost:3000');
  });

  it.each([
    'https://evil.example',
    'https://www.monprodubienetre.fr.evil.example',
    'https://monprodubienetre.fr',
    'http://www.monprodubienetre.fr',
    'http://localhost.evil.example',
    'http://127.0.0.1:5173',
    'null',
  ])('gives the disallowed origin %s no CORS header at all', async (origin) => {
    const answer = await get({ Origin: origin });
    expect(answer.statusCode).toBe(200);
    expect(corsHeaderNames(answer)).toEqual([]);
    expect(answer.headers?.Vary).toBe('Origin');
  });

  it('adds no CORS header without an Origin', async () => {
    expect(corsHeaderNames(await get({}))).toEqual([]);
  });

  it('gives problems and 500s the CORS and security headers too', async () => {
    for (const id of ['missing', 'broken']) {
      const answer = await get({ Origin: 'http://localhost:5173' }, id);
      expect(answer.statusCode).toBe(id === 'missing' ? 404 : 500);
      expect(answer.headers).toMatchObject({
        ...SECURITY_HEADERS,
        'Access-Control-Allow-Origin': 'http://localhost:5173',
        'Content-Type': 'application/problem+json',
      });
    }
  });
});

describe('public reads: Cache-Control, ETag, 304', () => {
  it('answers a 200 with Cache-Control public, max-age and a strong ETag of the body', async () => {
    const answer = await get({});
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['Cache-Control']).toBe('public, max-age=60');
    expect(answer.headers?.ETag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(answer.headers?.ETag).toBe(entityTag(answer.body));
    expect(answer.headers).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Strict-Transport-Security': SECURITY_HEADERS['Strict-Transport-Security'],
    });
  });

  it('answers 304 without a body when If-None-Match holds the ETag (strong, weak, in a list, *)', async () => {
    const first = await get({ Origin: 'https://www.monprodubienetre.fr' });
    const etag = String(first.headers?.ETag);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const answer = await get({ 'If-None-Match': ifNoneMatch, Origin: 'https://www.monprodubienetre.fr' });
      expect(answer.statusCode, ifNoneMatch).toBe(304);
      expect(answer.body).toBe('');
      expect(answer.headers?.ETag).toBe(etag);
      expect(answer.headers?.['Cache-Control']).toBe('public, max-age=60');
      expect(answer.headers?.['Content-Type']).toBeUndefined();
      expect(answer.headers?.['Access-Control-Allow-Origin']).toBe('https://www.monprodubienetre.fr');
      expect(answer.headers?.Vary).toBe('Origin');
    }
  });

  it('answers the body again once it changed: a new ETag, the old one no longer matches', async () => {
    const before = await get({});
    version += 1;
    const after = await get({ 'if-none-match': String(before.headers?.ETag) });
    expect(after.statusCode).toBe(200);
    expect(JSON.parse(after.body)).toEqual({ id: 'p1', version });
    expect(after.headers?.ETag).not.toBe(before.headers?.ETag);
    expect((await get({ 'if-none-match': String(after.headers?.ETag) })).statusCode).toBe(304);
  });

  it('keeps other answers of a public read out of caches: a 404 is no-store, without ETag', async () => {
    const answer = await get({ 'If-None-Match': '*' }, 'missing');
    expect(answer.statusCode).toBe(404);
    expect(answer.headers?.['Cache-Control']).toBe('no-store');
    expect(answer.headers?.ETag).toBeUndefined();
  });

  it('leaves operations without publicCache no-store, without ETag, ignoring If-None-Match', async () => {
    const answer = (await plain(event({ 'If-None-Match': '*' }), context)) as APIGatewayProxyResult;
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['Cache-Control']).toBe('no-store');
    expect(answer.headers?.ETag).toBeUndefined();
    // This handler was made with the same allowed origins; no Origin, no CORS.
    expect(corsHeaderNames(answer)).toEqual([]);
  });

  it('compares entity tags as RFC 9110 says for If-None-Match', () => {
    expect(ifNoneMatchHolds(undefined, '"a"')).toBe(false);
    expect(ifNoneMatchHolds('"b"', '"a"')).toBe(false);
    expect(ifNoneMatchHolds('"b" ,W/"a"', '"a"')).toBe(true);
    expect(ifNoneMatchHolds('a', '"a"')).toBe(false);
  });
});

describe('the allowed origins', () => {
  it('accepts exact https origins and any port of a loopback host, trimmed and once each', () => {
    expect(
      parseAllowedOrigins(' https://www.monprodubienetre.fr , http://localhost:*,https://www.monprodubienetre.fr'),
    ).toEqual(['https://www.monprodubienetre.fr', 'http://localhost:*']);
    expect(parseAllowedOrigins('')).toEqual([]);
    expect(parseAllowedOrigins(LOCAL_CORS_ORIGINS)).toEqual(LOCAL_CORS_ORIGINS);
    expect(parseAllowedOrigins(['https://app.example.test:8443', 'http://127.0.0.1:3000'])).toHaveLength(2);
  });

  it.each([
    '*',
    'https://*.monprodubienetre.fr',
    'http://www.monprodubienetre.fr',
    'https://www.monprodubienetre.fr/',
    'https://www.monprodubienetre.fr/app',
    'https://WWW.monprodubienetre.fr',
    'https://www.monprodubienetre.fr:443',
    'https://www.monprodubienetre.fr:*',
    'http://localhost:80',
    'http://localhost:99999',
    "https://a'b.fr",
    'www.monprodubienetre.fr',
  ])('refuses %s, naming it', (entry) => {
    expect(() => parseAllowedOrigins(`https://ok.example.test,${entry}`)).toThrow(entry);
  });

  it('matches with patterns that JavaScript and Java read alike', () => {
    expect(originPattern('https://www.monprodubienetre.fr')).toBe('^https://www\\.monprodubienetre\\.fr$');
    expect(originPattern('http://127.0.0.1:*')).toBe('^http://127\\.0\\.0\\.1(:[0-9]{1,5})?$');
    const policy = corsPolicy(LOCAL_CORS_ORIGINS);
    expect(policy.allows('http://127.0.0.1:5173')).toBe(true);
    expect(policy.allows('http://127.0.0.1')).toBe(true);
    expect(policy.allows('http://127.0.0.10:5173')).toBe(false);
    expect(policy.allows('http://127a0a0a1:5173')).toBe(false);
    expect(policy.allows('https://localhost:5173')).toBe(false);
    expect(policy.allows(undefined)).toBe(false);
  });

  it('names the first origin, when exact, on the gateway’s own answers; none when the list starts with a pattern', () => {
    const deployed = corsPolicy('https://www.monprodubienetre.fr,https://monprodubienetre.fr');
    expect(deployed.primaryOrigin).toBe('https://www.monprodubienetre.fr');
    expect(deployed.gatewayHeaders()).toMatchObject({
      'Access-Control-Allow-Origin': 'https://www.monprodubienetre.fr',
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    expect(corsPolicy(LOCAL_CORS_ORIGINS).gatewayHeaders()).toEqual({ Vary: 'Origin' });
    expect(corsPolicy([]).gatewayHeaders()).toEqual({ Vary: 'Origin' });
  });

  it('answers a preflight from an allowed origin with the methods, headers and max age; nothing CORS otherwise', () => {
    const policy = corsPolicy(LOCAL_CORS_ORIGINS);
    expect(policy.preflightHeaders('http://localhost:5173', ['GET', 'POST'])).toEqual({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'http://localhost:5173',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, If-None-Match',
      'Access-Control-Max-Age': '7200',
    });
    expect(policy.preflightHeaders('https://evil.example', ['GET'])).toEqual({ Vary: 'Origin' });
  });
});
