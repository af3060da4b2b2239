/**
 * The OpenAPI 3.1 document of the API, generated from the route table (functions/routes.ts).
 *
 * Every answer an operation can give is in it, each with its content and headers: what the
 * operation's contract declares, plus what the shared layers answer for every operation of a
 * kind (`genericAnswers`: validation, sign-in and roles, body size and media type, throttling,
 * errors and unavailable dependencies). A declared answer of status ≥ 400 without a schema is a
 * problem (`application/problem+json`, the Problem schema). Unknown paths and methods (404, 405
 * from the gateway) are answers of no operation, so of no path of the document.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import type { Operation, ResponseContract, ResponseHeader, Route } from './contract.ts';
import { problemSchema } from './problem.ts';
import { ETagHeader, NotModified } from './public-cache.ts';

/** `Retry-After` in seconds (RFC 9110 §10.2.3: the API sends the delay-seconds form only). */
export const retryAfterHeader: ResponseHeader = {
  description: 'Seconds to wait before retrying.',
  schema: z.string().regex(/^[0-9]+$/),
};

const optional = (header: ResponseHeader): ResponseHeader => ({ ...header, schema: header.schema.optional() });

interface GenericAnswer {
  readonly status: number;
  /** Whether the shared layers can give this answer to a request of this operation. */
  readonly applies: (operation: Operation) => boolean;
  readonly description: (operation: Operation) => string;
  readonly headers?: Readonly<Record<string, ResponseHeader>>;
}

const signedIn = (operation: Operation) => operation.access.kind !== 'public';
const always = () => true;

/**
 * Answers of the shared layers (the gateway, shared/http/handler.ts, the guards), for every
 * operation they apply to. An operation's own declaration of the same status keeps its
 * description and content; these headers are added to it.
 */
export const genericAnswers: readonly GenericAnswer[] = [
  {
    status: 400,
    // The handler validates the body, query, path parameters and headers an operation declares.
    applies: (o) => Boolean(o.body || o.query || o.pathParameters || o.headers),
    description: () => 'Invalid request: the problem names each invalid field (never what was sent).',
  },
  {
    status: 401,
    applies: signedIn,
    description: () => 'Not signed in: a valid Cognito ID token is required.',
    headers: {
      'WWW-Authenticate': optional({ description: 'The scheme to sign in with: Bearer.', schema: z.string() }),
    },
  },
  {
    status: 403,
    applies: signedIn,
    description: (o) =>
      o.access.kind === 'role'
        ? `Not allowed: this route is reserved to ${o.access.roles.join(', ')}, or the account is suspended.`
        : 'Not allowed: the account is suspended.',
  },
  {
    status: 410,
    applies: signedIn,
    description: () => 'The account was deleted at its owner’s request: its tokens are refused.',
  },
  {
    status: 413,
    applies: always,
    description: () => 'Payload too large: the body exceeds 10 MB.',
  },
  {
    status: 415,
    applies: (o) => Boolean(o.body),
    description: () => 'Unsupported media type: the body must be application/json.',
  },
  {
    status: 429,
    applies: always,
    description: (o) =>
      o.rateLimit
        ? 'Too many requests: over this operation’s limit (nothing of the request is kept; Retry-After says when to retry), or over the API’s throttling.'
        : 'Too many requests: over the API’s throttling.',
    headers: { 'Retry-After': optional(retryAfterHeader) },
  },
  { status: 500, applies: always, description: () => 'Internal error: nothing is said of it.' },
  {
    status: 503,
    applies: always,
    description: () => 'Service unavailable: a service the API depends on did not answer; retry after Retry-After.',
    headers: { 'Retry-After': optional(retryAfterHeader) },
  },
];

/**
 * The answers of a public read kept by caches (`publicCache`, ./public-cache.ts): its 200 carries
 * an ETag, and a 304 without a body (with the ETag) answers an If-None-Match that holds it.
 */
function withPublicCache(
  operation: Operation,
  responses: Record<number, ResponseContract>,
): Record<number, ResponseContract> {
  if (!operation.publicCache) return responses;
  const answers = { ...responses };
  for (const status of [200, 304]) {
    const declared = answers[status] ?? (status === 304 ? NotModified : undefined);
    if (declared) answers[status] = { ...declared, headers: { ETag: ETagHeader, ...declared.headers } };
  }
  return answers;
}

/** Every answer of an operation: its contract's, its public cache's and the shared layers'. */
export function answersOf(operation: Operation): Record<number, ResponseContract> {
  const answers = withPublicCache(operation, { ...operation.responses });
  for (const generic of genericAnswers) {
    if (!generic.applies(operation)) continue;
    const declared = answers[generic.status];
    answers[generic.status] = declared
      ? { ...declared, headers: { ...generic.headers, ...declared.headers } }
      : { description: generic.description(operation), ...(generic.headers ? { headers: generic.headers } : {}) };
  }
  return answers;
}

/** A header's JSON Schema, as OpenAPI 3.1 takes it (draft 2020-12, without `$schema`). */
function headerSchema(schema: z.ZodType) {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
}

function responseObject(status: number, response: ResponseContract) {
  const content: Record<string, { schema: never }> = {
    ...(response.schema ? { 'application/json': { schema: response.schema as never } } : {}),
    ...Object.fromEntries(
      Object.entries(response.otherContent ?? {}).map(([type, schema]) => [type, { schema: schema as never }]),
    ),
  };
  if (Object.keys(content).length === 0 && status >= 400) {
    content['application/problem+json'] = { schema: problemSchema as never };
  }
  const headers = Object.entries(response.headers ?? {});
  return {
    description: response.description,
    ...(headers.length > 0
      ? {
          headers: Object.fromEntries(
            headers.map(([name, header]) => [
              name,
              {
                description: header.description,
                required: !header.schema.safeParse(undefined).success,
                schema: headerSchema(header.schema),
              },
            ]),
          ),
        }
      : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

export function openApiDocument(routes: readonly Route[], serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'cognito', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Cognito user pool ID token.',
  });
  for (const route of routes) {
    const { operation } = route;
    const responses = Object.fromEntries(
      Object.entries(answersOf(operation)).map(([status, response]) => [
        status,
        responseObject(Number(status), response),
      ]),
    );
    registry.registerPath({
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [...operation.tags],
      ...(operation.access.kind === 'public' ? {} : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(operation.body
          ? { body: { required: true, content: { 'application/json': { schema: operation.body as never } } } }
          : {}),
        ...(operation.query ? { query: operation.query as never } : {}),
        ...(operation.pathParameters ? { params: operation.pathParameters as never } : {}),
        ...(operation.headers ? { headers: operation.headers as never } : {}),
      },
      responses: responses as never,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Mon Pro du Bien-Être API',
      version: '0.1.0',
      description:
        'Find wellness practitioners, book and pay appointments. Errors are RFC 9457 problems ' +
        '(application/problem+json); an unknown path is a 404 problem, a method a path does not have a 405 problem with Allow.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
