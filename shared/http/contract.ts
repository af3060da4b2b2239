/**
 * HTTP operation contracts: what a route accepts and answers, as zod schemas. A context declares
 * its operations in its `contract.ts`; the route table (functions/routes.ts) binds each to a
 * method, path, function and authorization; the handler validates with the same object; the
 * OpenAPI document is generated from it. Declared once, used everywhere.
 */
import type * as z from 'zod';

/** A header an answer carries besides the transport ones (Content-Type, Cache-Control, CORS…). */
export interface ResponseHeader {
  readonly description: string;
  readonly schema: z.ZodType;
}

export interface ResponseContract {
  readonly description: string;
  /** Headers of this answer a client reads: Retry-After, Location, Content-Disposition, ETag… */
  readonly headers?: Readonly<Record<string, ResponseHeader>>;
  /** The JSON body. */
  readonly schema?: z.ZodType;
  /** Other media types the answer may come in (a handler's `rawBody`, e.g. `text/csv`), with their schema. */
  readonly otherContent?: Readonly<Record<string, z.ZodType>>;
}

export interface Operation<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
> {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  /** Who may call it. Ownership of the object is checked by the use case on the object itself. */
  readonly access: Access;
  /**
   * Fraud prevention (policy: 1 month at most): limits per source IP and per account, checked
   * before anything else (a refused request stores nothing), and whether accepted calls record
   * their connection data (IP, user agent, account, operation, time; kept 30 days).
   */
  readonly rateLimit?: RateLimit;
  readonly recordConnection?: boolean;
  /**
   * A public read browsers and CDNs may keep `maxAgeSeconds` (`Cache-Control: public`): answered
   * with an ETag, and 304 without a body to a request whose If-None-Match matches it.
   */
  readonly publicCache?: { readonly maxAgeSeconds: number };
  readonly body?: B;
  readonly query?: Q;
  readonly pathParameters?: P;
  /**
   * Request headers the operation requires, a zod object of lowercase header names (e.g.
   * `idempotency-key`): validated like the body (a 400 naming `header.<name>`), and documented.
   */
  readonly headers?: z.ZodType;
  /**
   * Successful and expected error answers. An answer of status ≥ 400 without a schema is a
   * problem; the shared layers' answers (400, 401, 403, 410, 413, 415, 429, 500, 503) are added by
   * shared/http/openapi.ts `genericAnswers` where they apply.
   */
  readonly responses: Readonly<Record<number, ResponseContract>>;
}

export function defineOperation<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(operation: Operation<B, Q, P>): Operation<B, Q, P> {
  return operation;
}

export type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface Limit {
  readonly requests: number;
  readonly windowSeconds: number;
}

export interface RateLimit {
  readonly perIp?: Limit;
  readonly perAccount?: Limit;
}

/** Staff and user roles: the Cognito groups, in CDK and in the Cognito emulator. */
export const roles = ['client', 'practitioner', 'moderator', 'support', 'dpo'] as const;
export type Role = (typeof roles)[number];

/** Who may call a route. Ownership of the object is checked by the use case on the object itself. */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'role'; readonly roles: readonly Role[] };

export const publicAccess: Access = { kind: 'public' };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route of the route table (functions/routes.ts), generic over the function names. */
export interface Route<F extends string = string> {
  readonly method: HttpMethod;
  /** API Gateway style: `/practitioners/{practitionerId}`. */
  readonly path: string;
  readonly operation: Operation;
  readonly function: F;
}
