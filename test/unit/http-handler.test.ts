import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineOperation } from '#shared/http/contract.ts';
import { httpHandler } from '#shared/http/handler.ts';
import { IdempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { publicHttpHandler } from '#shared/http/public-handler.ts';

const operation = defineOperation({
  operationId: 'test',
  summary: 'test',
  tags: [],
  access: { kind: 'public' },
  body: z.object({ email: z.email(), age: z.number().int().min(18) }).strict(),
  query: z.object({ limit: z.coerce.number().int().max(50).default(20) }).strict(),
  responses: { 201: { description: 'ok' } },
});

const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

function event(body: string | null, query: Record<string, string> | null = null, contentType = 'application/json') {
  return {
    body,
    headers: { 'Content-Type': contentType },
    queryStringParameters: query,
    pathParameters: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

describe('httpHandler', () => {
  let calls = 0;
  const handler = httpHandler(operation, async ({ body, query }) => {
    calls += 1;
    if (body.age === 99) throw new Error('boom with alice@example.test inside');
    if (body.age === 98) throw new HttpProblem(409, 'Conflict', 'Already there');
    return { status: 201, body: { ok: true, limit: query.limit } };
  });
  const call = async (e: APIGatewayProxyEvent) => (await handler(e, context)) as APIGatewayProxyResult;

  it('runs the use case with parsed, defaulted input', async () => {
    const res = await call(event(JSON.stringify({ email: 'a@b.fr', age: 30 })));
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ ok: true, limit: 20 });
    expect(res.headers?.['Content-Type']).toBe('application/json');
  });

  it('answers 400 naming each invalid field, without the values, and never runs the use case', async () => {
    const before = calls;
    const res = await call(event(JSON.stringify({ email: 'not-an-email', age: 3, extra: 1 }), { limit: '500' }));
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body);
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      '(root)',
      'age',
      'email',
      'query.limit',
    ]);
    expect(problem.detail).toContain('email');
    expect(res.body).not.toContain('not-an-email');
    expect(calls).toBe(before);
  });

  it('answers 400 for malformed JSON and 415 for another media type', async () => {
    expect((await call(event('{"email":'))).statusCode).toBe(400);
    expect((await call(event('email=a', null, 'application/x-www-form-urlencoded'))).statusCode).toBe(415);
  });

  it('maps a problem thrown by the use case', async () => {
    const res = await call(event(JSON.stringify({ email: 'a@b.fr', age: 98 })));
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toMatchObject({ title: 'Conflict', status: 409, instance: 'req-1' });
  });

  it('hides an unexpected error behind a 500 without its message', async () => {
    const res = await call(event(JSON.stringify({ email: 'a@b.fr', age: 99 })));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('alice');
    expect(res.body).not.toContain('boom');
  });
});

describe('httpHandler with a non-JSON answer', () => {
  const exportOperation = defineOperation({
    operationId: 'testExport',
    summary: 'test',
    tags: [],
    access: { kind: 'public' },
    query: z.object({ format: z.enum(['json', 'csv']) }).strict(),
    responses: { 200: { description: 'ok', otherContent: { 'text/csv': z.string() } } },
  });
  const csv = 'id,name\r\n1,"Zoé, ""la"" sophrologue"\r\n';
  const handler = httpHandler(exportOperation, async ({ query }) =>
    query.format === 'csv'
      ? {
          status: 200,
          rawBody: csv,
          contentType: 'text/csv; charset=utf-8',
          headers: { 'Content-Disposition': 'attachment; filename="export.csv"', 'Content-Type': 'text/html' },
        }
      : { status: 200, body: [{ id: '1' }] },
  );
  const call = async (format: string) => (await handler(event(null, { format }), context)) as APIGatewayProxyResult;

  it('sends a raw body as it is, with its content type and the usual security headers', async () => {
    const res = await call('csv');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(csv);
    // The declared content type wins over a Content-Type slipped into the headers.
    expect(res.headers).toMatchObject({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="export.csv"',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('still answers JSON when the use case gives a body, and problems for bad input', async () => {
    const res = await call('json');
    expect(res.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual([{ id: '1' }]);
    const bad = await call('xml');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers?.['Content-Type']).toBe('application/problem+json');
  });

  it('lists the other media type in the OpenAPI document', () => {
    const doc = openApiDocument([{ method: 'GET', path: '/export', operation: exportOperation, function: 'f' }]);
    const content = (doc.paths?.['/export']?.get?.responses?.['200'] as { content?: Record<string, unknown> })?.content;
    expect(Object.keys(content ?? {})).toEqual(['text/csv']);
  });
});

describe('httpHandler with required headers', () => {
  const keyed = defineOperation({
    operationId: 'testKeyed',
    summary: 'test',
    tags: [],
    access: { kind: 'public' },
    headers: IdempotencyKeyHeader,
    responses: { 200: { description: 'ok' } },
  });
  let ran = 0;
  const handler = httpHandler(keyed, async ({ headers, rawBody }) => {
    ran += 1;
    return { status: 200, body: { key: headers['idempotency-key'], rawBody } };
  });
  const call = async (headers: Record<string, string>, body: string | null = null) =>
    (await handler({ ...event(body), headers } as APIGatewayProxyEvent, context)) as APIGatewayProxyResult;

  it('reads a header whatever its case, and hands the raw body over untouched', async () => {
    const res = await call({ 'IDEMPOTENCY-Key': 'key-12345678' }, '{"a": 1}');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ key: 'key-12345678', rawBody: '{"a": 1}' });
  });

  it('answers 400 naming the missing or malformed header, and never runs the use case', async () => {
    const before = ran;
    const cases: Record<string, string>[] = [
      {},
      { 'Idempotency-Key': 'short' },
      { 'Idempotency-Key': 'has spaces in it' },
    ];
    for (const headers of cases) {
      const res = await call(headers);
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).errors.map((e: { field: string }) => e.field)).toEqual(['header.idempotency-key']);
    }
    expect(ran).toBe(before);
  });

  it('documents the header in the OpenAPI document', () => {
    const doc = openApiDocument([{ method: 'POST', path: '/keyed', operation: keyed, function: 'f' }]);
    const parameters = (doc.paths?.['/keyed']?.post?.parameters ?? []) as {
      in: string;
      name: string;
      required?: boolean;
    }[];
    expect(parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true }),
    );
  });
});

describe('publicHttpHandler', () => {
  it('serves a public operation, and refuses at init one that is not public', async () => {
    const handler = publicHttpHandler(operation, async ({ body }) => ({ status: 201, body: { age: body.age } }));
    const answer = (await handler(event('{"email":"a@example.test","age":30}'), context)) as APIGatewayProxyResult;
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([201, { age: 30 }]);
    const signedIn = { ...operation, access: { kind: 'authenticated' } as const };
    expect(() => publicHttpHandler(signedIn, async () => ({ status: 200 }))).toThrow(/test is not public/);
  });
});
