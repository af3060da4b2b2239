/**
 * CORS: which web origins may call the API from a browser, and the headers that say so. One
 * policy, applied by the shared handler to its answers (./handler.ts, from the function's
 * `CORS_ALLOWED_ORIGINS`), by API Gateway's preflight (a MOCK integration whose mapping template
 * tests the same patterns, infra/constructs/api.ts) and by the local gateway (local/gateway.ts).
 *
 * An allowed origin is either exact (`https://www.monprodubienetre.fr`) or, for a loopback host
 * only, any port (`http://localhost:*`, also matching no port). Plain `http` is accepted for
 * loopback hosts only; `*` is never accepted: an allowed origin is echoed, with
 * `Access-Control-Allow-Credentials: true`, and a disallowed one gets no CORS header at all.
 */

/** The variable of an HTTP function's environment listing the allowed origins, comma-separated. */
export const CORS_ORIGINS_ENV = 'CORS_ALLOWED_ORIGINS';

/** The request headers a browser may send: those the API reads (Stripe's signature is not a browser's). */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match'] as const;

/** The answer headers a browser's script may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  'Retry-After',
  'Location',
  'Content-Disposition',
  'ETag',
  'x-amzn-RequestId',
] as const;

/** How long a browser keeps a preflight's answer (Chromium caps it at 2 hours, Firefox at 24). */
export const CORS_MAX_AGE_SECONDS = 7200;

/** The local cloud's origins when none are configured: a frontend's dev server on any port. */
export const LOCAL_CORS_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ORIGIN = new RegExp(`^(https?)://(${LABEL}(?:\\.${LABEL})*)(?::(\\*|[1-9][0-9]{0,4}))?$`);

/**
 * The allowed origins of a configuration value (a comma-separated list, or a list), checked:
 * `scheme://host[:port]`, lowercase, no path, no default port (browsers leave it out of
 * `Origin`), `http` and `:*` for loopback hosts only. Throws, naming the entry, otherwise.
 */
export function parseAllowedOrigins(value: string | readonly string[]): string[] {
  const entries = (typeof value === 'string' ? value.split(',') : value).map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const match = ORIGIN.exec(entry);
    const refuse = (why: string) => new Error(`CORS origin "${entry}": ${why}`);
    if (!match) {
      throw refuse(
        'expected scheme://host[:port], lowercase, without a path (e.g. https://www.monprodubienetre.fr, http://localhost:*)',
      );
    }
    const [, scheme, host, port] = match as unknown as [string, 'http' | 'https', string, string | undefined];
    const loopback = LOOPBACK_HOSTS.has(host);
    if (scheme === 'http' && !loopback) throw refuse('plain http only for localhost and 127.0.0.1');
    if (port === '*' && !loopback) throw refuse('any port (:*) only for localhost and 127.0.0.1');
    if (port && port !== '*' && Number(port) > 65535) throw refuse('no such port');
    if ((scheme === 'https' && port === '443') || (scheme === 'http' && port === '80')) {
      throw refuse('browsers send the default port without it: leave it out');
    }
  }
  return [...new Set(entries)];
}

/**
 * The regular expression of the origins an entry allows, the same in JavaScript and in Java
 * (API Gateway's mapping templates, `String.matches`): the entry's dots escaped, `:*` as any port
 * or none.
 */
export function originPattern(entry: string): string {
  const literal = (text: string) => text.replaceAll('.', '\\.');
  return entry.endsWith(':*') ? `^${literal(entry.slice(0, -2))}(:[0-9]{1,5})?$` : `^${literal(entry)}$`;
}

export interface CorsPolicy {
  /** The allowed origins as configured (checked). */
  readonly origins: readonly string[];
  /**
   * The origin gateway-made answers name (API Gateway's GatewayResponses take static values
   * only): the first entry when it is exact; none when the list starts with a pattern.
   */
  readonly primaryOrigin: string | undefined;
  allows(origin: string | undefined): origin is string;
  /** The CORS headers of an answer to a request from `origin`: `Vary: Origin`, and the rest only when allowed. */
  answerHeaders(origin: string | undefined): Record<string, string>;
  /** The answer to a preflight from `origin` on a path serving `methods`: `Vary: Origin`, and the rest only when allowed. */
  preflightHeaders(origin: string | undefined, methods: readonly string[]): Record<string, string>;
  /** The CORS headers of an answer the gateway makes itself (401 of the authorizer, 404, 413, 429…): static. */
  gatewayHeaders(): Record<string, string>;
}

const vary = { Vary: 'Origin' } as const;

function grantedTo(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '),
  };
}

export function corsPolicy(value: string | readonly string[]): CorsPolicy {
  const origins = parseAllowedOrigins(value);
  const patterns = origins.map((entry) => new RegExp(originPattern(entry)));
  const first = origins[0];
  const primaryOrigin = first && !first.endsWith(':*') ? first : undefined;
  const allows = (origin: string | undefined): origin is string =>
    typeof origin === 'string' && patterns.some((pattern) => pattern.test(origin));
  return {
    origins,
    primaryOrigin,
    allows,
    answerHeaders: (origin) => (allows(origin) ? { ...vary, ...grantedTo(origin) } : { ...vary }),
    preflightHeaders: (origin, methods) =>
      allows(origin)
        ? {
            ...vary,
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Allow-Credentials': 'true',
            'Access-Control-Allow-Methods': methods.join(', '),
            'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
            'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
          }
        : { ...vary },
    gatewayHeaders: () => (primaryOrigin ? { ...vary, ...grantedTo(primaryOrigin) } : { ...vary }),
  };
}

/** A header of a request, whatever the case of its name (HTTP/2 sends them lowercase). */
export function headerOf(headers: Readonly<Record<string, string | undefined>> | null | undefined, name: string) {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
