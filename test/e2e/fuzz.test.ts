/**
 * Fuzzing from the OpenAPI document (property-based, fast-check): every operation, called by a
 * person it admits, with requests made from its own schemas and, most of the time, one thing wrong
 * with them (shared by test/support/fuzz.ts). Whatever is sent:
 * - the answer is never a 5xx (bad input is the caller's problem, and a 503 would say otherwise);
 * - every refusal is an `application/problem+json` problem;
 * - a refusal echoes nothing of the request: no made-up string (they all carry a marker), no
 *   generated value that the document itself does not hold (an enum value may be named back).
 * Bounded: a few requests per operation (MPBE_FUZZ_RUNS, default 12) and a time limit each; a
 * failure prints fast-check's seed and path, to replay it with MPBE_FUZZ_SEED / MPBE_FUZZ_PATH.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import type { Role } from '#shared/http/contract.ts';
import {
  FUZZ_MARK,
  type OpenApiDocument,
  type OpenApiOperation,
  pathSegment,
  SchemaArbitraries,
  stringsIn,
  unknownKeywords,
} from '../support/fuzz.ts';
import { callFrom, type Reply } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
const RUNS = Number(process.env.MPBE_FUZZ_RUNS ?? 12);
const TIME_LIMIT_MS = 40_000;
const seed = process.env.MPBE_FUZZ_SEED ? Number(process.env.MPBE_FUZZ_SEED) : undefined;

let document: OpenApiDocument;
let documentText: string;
let schemas: SchemaArbitraries;
const people = new Map<Role, Person>();

beforeAll(async () => {
  documentText = await (await fetch(cloud.urls.openApi)).text();
  document = JSON.parse(documentText) as OpenApiDocument;
  schemas = new SchemaArbitraries(document);
  for (const role of ['client', 'practitioner', 'moderator', 'support', 'dpo'] as const) {
    people.set(role, await signedInPerson(cloud, role));
  }
}, 120_000);

/** Who calls: someone the route admits (the fuzz is about input, the matrix test about access). */
function callerOf(operationId: string): Role | undefined {
  const access = routes.find((r) => r.operation.operationId === operationId)!.operation.access;
  if (access.kind === 'public') return undefined;
  return access.kind === 'role' ? access.roles[0] : 'client';
}

/** A loopback address of its own per request: per-IP rate limits would otherwise end the fuzz early. */
const someIp = () => `127.${randomInt(100, 200)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** Header values must be latin-1 without control characters to be sent at all. */
const headerSafe = (value: unknown) => String(value).replace(/[^\u0020-\u007e]/g, '?');

interface Sent {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  values: unknown[];
}

function requestOf(template: string, operation: OpenApiOperation): fc.Arbitrary<Sent> {
  const parameters = operation.parameters ?? [];
  const pathParameters = parameters.filter((p) => p.in === 'path');
  const queryParameters = parameters.filter((p) => p.in === 'query');
  const headerParameters = parameters.filter((p) => p.in === 'header');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;

  const path = fc
    .tuple(...pathParameters.map((p) => pathSegment(schemas, p.schema)))
    .map((segments) => pathParameters.reduce((acc, p, i) => acc.replace(`{${p.name}}`, segments[i]!), template));
  const query = fc.record(
    Object.fromEntries(
      queryParameters.map((p) => [
        p.name,
        fc
          .oneof(schemas.valid(p.schema), schemas.mutated(p.schema))
          .map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
      ]),
    ),
    { requiredKeys: [] },
  );
  const extraQuery = fc.option(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })), { nil: undefined });
  const headers = fc.record(
    Object.fromEntries(
      headerParameters.map((p) => [
        p.name,
        fc.oneof(schemas.valid(p.schema), schemas.mutated(p.schema)).map(headerSafe),
      ]),
    ),
    { requiredKeys: [] },
  );
  const body: fc.Arbitrary<{ text?: string; contentType?: string; value?: unknown }> = bodySchema
    ? fc.oneof(
        { weight: 14, arbitrary: schemas.mutated(bodySchema).map((value) => ({ value })) },
        { weight: 3, arbitrary: schemas.valid(bodySchema).map((value) => ({ value })) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.string({ maxLength: 50 }),
              fc.constantFrom(
                'text/plain',
                'application/json',
                'multipart/form-data',
                'application/json; charset=utf-16',
              ),
            )
            .map(([text, contentType]) => ({ text: `${FUZZ_MARK}${text}`, contentType })),
        },
      )
    : fc.oneof(
        { weight: 5, arbitrary: fc.constant({}) },
        {
          weight: 1,
          arbitrary: fc
            .string({ maxLength: 30 })
            .map((text) => ({ text: `${FUZZ_MARK}${text}`, contentType: 'application/json' })),
        },
      );

  return fc.tuple(path, query, extraQuery, headers, body).map(([p, q, extra, h, b]) => {
    const fullQuery = { ...(q as Record<string, string>), ...(extra ? { [`${FUZZ_MARK}${extra[0]}`]: extra[1] } : {}) };
    const text = b.value !== undefined ? JSON.stringify(b.value) : b.text;
    const contentType = b.value !== undefined ? 'application/json' : b.contentType;
    return {
      path: p,
      query: fullQuery,
      headers: { ...(h as Record<string, string>), ...(contentType ? { 'Content-Type': contentType } : {}) },
      ...(text !== undefined ? { body: text } : {}),
      values: [p, fullQuery, h, b.value ?? b.text],
    };
  });
}

function send(method: string, sent: Sent, person: Person | undefined): Promise<Reply> {
  const search = new URLSearchParams(sent.query).toString();
  return callFrom(someIp(), `${cloud.urls.api}${sent.path}${search ? `?${search}` : ''}`, {
    method,
    headers: {
      ...sent.headers,
      ...(person ? { Authorization: `Bearer ${person.idToken}` } : {}),
      // As every client does: Node sends a GET's body without a length otherwise.
      ...(sent.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(sent.body)) } : {}),
    },
    ...(sent.body !== undefined ? { body: sent.body } : {}),
  });
}

/** What the answer must be, whatever was sent; a failure names the operation and status, not the values. */
function check(at: string, sent: Sent, reply: Reply) {
  expect(reply.status, `${at} answered ${reply.status}`).toBeLessThan(500);
  if (reply.status < 400) return;
  expect(String(reply.headers['content-type']), `${at} ${reply.status} content type`).toMatch(
    /^application\/problem\+json/,
  );
  const problem = JSON.parse(reply.body) as { status: number; title: string };
  expect(problem.status, `${at} problem status`).toBe(reply.status);
  expect(reply.body.includes(FUZZ_MARK), `${at} ${reply.status} echoes a made-up string`).toBe(false);
  const echoed = stringsIn(sent.values).filter((s) => reply.body.includes(s) && !documentText.includes(s));
  expect(echoed.length, `${at} ${reply.status} echoes ${echoed.length} value(s) of the request`).toBe(0);
}

const operations = () =>
  Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ template, method: method.toUpperCase(), operation })),
  );

describe('fuzzing every operation of the OpenAPI document', () => {
  it('reads only JSON Schema keywords the generator knows', () => {
    expect(unknownKeywords(document)).toEqual([]);
  });

  // One test per route of the route table: the document holds them all (another test says so).
  for (const route of routes) {
    const at = `${route.operation.operationId} (${route.method} ${route.path})`;
    it(`${at}: no 5xx, problems only, no echo`, { timeout: TIME_LIMIT_MS + 30_000 }, async () => {
      const found = operations().find((o) => o.operation.operationId === route.operation.operationId);
      expect(found, `${at} is in the document`).toBeDefined();
      const { template, method, operation } = found!;
      const role = callerOf(operation.operationId);
      // Deleting one's account is what DELETE /me does with any request: it gets a person of its own.
      const person =
        operation.operationId === 'deleteMe'
          ? await signedInPerson(cloud, 'client')
          : role
            ? people.get(role)
            : undefined;
      await fc.assert(
        fc.asyncProperty(requestOf(template, operation), async (sent) => {
          check(at, sent, await send(method, sent, person));
        }),
        {
          numRuns: RUNS,
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: false,
          ...(seed !== undefined ? { seed, path: process.env.MPBE_FUZZ_PATH } : {}),
        },
      );
    });
  }

  it('paths and methods nobody declared: 404 or 405 problems, never a 5xx', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'TRACE');
    const segment = fc.oneof(
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
      fc.constantFrom('%zz', '..', '%00', 'me'),
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`);
    await fc.assert(
      fc.asyncProperty(methods, path, async (method, p) => {
        const reply = await callFrom(someIp(), `${cloud.urls.api}${p}`, { method });
        expect(reply.status, `${method} <random path> answered ${reply.status}`).toBeLessThan(500);
      }),
      {
        numRuns: RUNS * 4,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
        // Found by this test: `//%zz` took the whole local cloud down (a URL read as another host).
        examples: [['GET', '//%zz']],
      },
    );
  });
});
