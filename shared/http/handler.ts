/**
 * The wrapper of every HTTP handler (API Gateway REST, Lambda proxy integration): validates the
 * body, query and path parameters with the operation's schemas, runs the use case, and answers
 * JSON (or, when the use case answers a `rawBody`, that text with its content type: a CSV export)
 * or an RFC 9457 problem. A failed validation never reaches the use case, so nothing is
 * stored from a bad request. Unexpected errors become a 500 without details; they are logged
 * by name and stack, never with the request.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';
import { errorFacts, logger } from '../logger.ts';
import { authorize, type Caller, callerFrom } from './caller.ts';
import type { Infer, Operation } from './contract.ts';
import { defaultGuards, type RequestGuards } from './guards.ts';
import { type FieldError, fieldErrors, HttpProblem, validationProblem } from './problem.ts';

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

const baseHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
};

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

export function httpHandler<O extends Operation>(
  operation: O,
  run: (request: HttpRequest<O>) => Promise<HttpResult>,
  options: { guards?: () => RequestGuards } = {},
) {
  const guards = options.guards ?? defaultGuards;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
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
        logger.error('Request failed', { operation: operation.operationId, error: errorFacts(error) });
        return json(
          500,
          new HttpProblem(500, 'Internal error', 'Something went wrong on our side').toProblem(requestId),
        );
      }
    });
}
