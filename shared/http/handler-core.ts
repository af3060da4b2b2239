/**
 * The core of every HTTP handler (API Gateway REST, Lambda proxy integration): validates the
 * body, query and path parameters with the operation's schemas, runs the use case, and answers
 * JSON (or, when the use case answers a `rawBody`, that text with its content type: a CSV export)
 * or an RFC 9457 problem. A failed validation never reaches the use case, so nothing is
 * stored from a bad request. Unexpected errors become a 500 without details; they are logged
 * by name and stack, never with the request.
 *
 * Every answer carries the security headers (./security-headers.ts) and, for a request from an
 * allowed origin (the function's CORS_ALLOWED_ORIGINS), its CORS headers (./cors.ts). An
 * operation with `publicCache` answers its 200 with `Cache-Control: public, max-age=N` and a
 * strong ETag (a hash of the body), and a request whose If-None-Match holds it with a 304
 * without a body.
 *
 * Handlers use it through ./handler.ts (`httpHandler`) or ./public-handler.ts
 * (`publicHttpHandler`), which give it its request guards (./guards.ts).
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';
import { errorFacts, logger } from '../logger.ts';
import { authorize, type Caller, callerFrom } from './caller.ts';
import type { Infer, Operation } from './contract.ts';
import { CORS_ORIGINS_ENV, type CorsPolicy, corsPolicy, headerOf } from './cors.ts';
import type { RequestGuards } from './guards.ts';
import { type FieldError, fieldErrors, HttpProblem, validationProblem } from './problem.ts';
import { entityTag, ifNoneMatchHolds } from './public-cache.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { isDependencyUnavailable, unavailableProblem } from './unavailable.ts';

export interface HttpRequest<O extends Operation> {
  readonly body: Infer<NonNullable<O['body']>>;
  readonly query: Infer<NonNullable<O['query']>>;
  readonly pathParameters: Infer<NonNullable<O['pathParameters']>>;
  /** Every request header, by its lowercase name (HTTP header names are case-insensitive). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * The body exactly as received (UTF-8), for what must check bytes, not JSON: a webhook's
   * signature. Operations that read it declare no `body` schema.
   */
  readonly rawBody: string | undefined;
  readonly requestId: string;
  /** The signed-in caller; always set on routes that are not public. */
  readonly caller: Caller | undefined;
}

/** An answer in JSON: `body` is serialized (nothing when undefined). */
export interface JsonResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly rawBody?: never;
}

/**
 * An answer that is not JSON (a CSV export…): `rawBody` is sent as it is, UTF-8, with
 * `contentType` (e.g. `text/csv; charset=utf-8`); the security headers are the same.
 */
export interface RawResult {
  readonly status: number;
  readonly rawBody: string;
  readonly contentType: string;
  readonly headers?: Record<string, string>;
}

export type HttpResult = JsonResult | RawResult;

const baseHeaders = SECURITY_HEADERS;

function json(status: number, body: unknown, headers?: Record<string, string>): APIGatewayProxyResult {
  const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
  return {
    statusCode: status,
    headers: { ...baseHeaders, 'Content-Type': contentType, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

const isRaw = (result: HttpResult): result is RawResult => typeof result.rawBody === 'string';

function raw(result: RawResult): APIGatewayProxyResult {
  return {
    statusCode: result.status,
    headers: { ...baseHeaders, ...result.headers, 'Content-Type': result.contentType },
    body: result.rawBody,
  };
}

function parsePart<S extends z.ZodType | undefined>(schema: S, value: unknown, field: string, errors: FieldError[]) {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  errors.push(...fieldErrors(parsed.error, field === 'body' ? undefined : field));
  return undefined;
}

function rawBodyOf(event: APIGatewayProxyEvent): string | undefined {
  if (event.body === null || event.body === undefined) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function readJsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === '') return undefined;
  const contentType = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new HttpProblem(415, 'Unsupported media type', 'The body must be application/json');
  }
  const raw = rawBodyOf(event) ?? '';
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'Malformed JSON', 'The body is not valid JSON');
  }
}

/**
 * What every answer gets on its way out: the CORS headers for the request's origin, and for an
 * operation with `publicCache`, on a 200, the cache headers and ETag, or a 304 when the
 * request's If-None-Match holds that ETag (its headers but Content-Type, no body).
 */
function forBrowsers(
  operation: Operation,
  cors: CorsPolicy,
  event: APIGatewayProxyEvent,
  answer: APIGatewayProxyResult,
): APIGatewayProxyResult {
  const headers = { ...answer.headers, ...cors.answerHeaders(headerOf(event.headers, 'origin')) };
  if (!operation.publicCache || answer.statusCode !== 200) return { ...answer, headers };
  const etag = entityTag(answer.body);
  Object.assign(headers, { 'Cache-Control': `public, max-age=${operation.publicCache.maxAgeSeconds}`, ETag: etag });
  if (!ifNoneMatchHolds(headerOf(event.headers, 'if-none-match'), etag)) return { ...answer, headers };
  const { 'Content-Type': _type, ...notModified } = headers;
  return { statusCode: 304, headers: notModified, body: '' };
}

/** A handler of `operation`: `run` is its use case, `guards` what admits and observes its requests. */
export function handleHttp<O extends Operation>(
  operation: O,
  run: (request: HttpRequest<O>) => Promise<HttpResult>,
  guards: () => RequestGuards,
) {
  // Read once, when the function's module loads: a malformed list fails the function's init.
  const cors = corsPolicy(process.env[CORS_ORIGINS_ENV] ?? '');
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      after: (request) => {
        if (request.response) request.response = forBrowsers(operation, cors, request.event, request.response);
      },
    })
    .handler(async (event) => {
      const requestId = event.requestContext?.requestId ?? 'unknown';
      try {
        const caller = callerFrom(event);
        authorize(operation.access, caller);
        const info = {
          operation,
          caller,
          sourceIp: event.requestContext?.identity?.sourceIp ?? 'unknown',
          userAgent: event.requestContext?.identity?.userAgent ?? undefined,
          requestId,
        };
        await guards().admit(info);
        const errors: FieldError[] = [];
        const body = operation.body ? parsePart(operation.body, readJsonBody(event), 'body', errors) : undefined;
        const query = parsePart(operation.query, event.queryStringParameters ?? {}, 'query', errors);
        const pathParameters = parsePart(operation.pathParameters, event.pathParameters ?? {}, 'path', errors);
        const headers = Object.fromEntries(
          Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
        );
        parsePart(operation.headers, headers, 'header', errors);
        if (errors.length > 0) throw validationProblem(errors);
        const result = await run({
          body,
          query,
          pathParameters,
          headers,
          rawBody: rawBodyOf(event),
          requestId,
          caller,
        } as HttpRequest<O>);
        await guards().observe(info, result.status);
        return isRaw(result) ? raw(result) : json(result.status, result.body, result.headers);
      } catch (error) {
        if (error instanceof HttpProblem) {
          logger.info('Request refused', {
            operation: operation.operationId,
            status: error.status,
            title: error.title,
          });
          return json(error.status, error.toProblem(requestId), error.headers);
        }
        if (isDependencyUnavailable(error)) {
          logger.warn('Dependency unavailable', { operation: operation.operationId, error: errorFacts(error) });
          const problem = unavailableProblem();
          return json(problem.status, problem.toProblem(requestId), problem.headers);
        }
        logger.error('Request failed', { operation: operation.operationId, error: errorFacts(error) });
        return json(
          500,
          new HttpProblem(500, 'Internal error', 'Something went wrong on our side').toProblem(requestId),
        );
      }
    });
}
