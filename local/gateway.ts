/**
 * The local API gateway: an HTTP server built from the route table, playing API Gateway's part
 * (REST API, Lambda proxy integration, Cognito authorizer on non-public routes, the CORS
 * preflight of every route path) in front of the same handlers Lambda runs. It also serves the
 * OpenAPI document and a docs page.
 *
 * The answers it makes itself (401, 404, 405, 413, 400 for a malformed path, 502, the preflight,
 * the documents) carry the same security headers as the handlers' (shared/http/security-headers.ts)
 * and, like API Gateway's GatewayResponses, static CORS headers naming the first allowed origin
 * when it is exact (shared/http/cors.ts `gatewayHeaders`): a GatewayResponse cannot choose
 * among origins. The preflight, like API Gateway's MOCK integration, echoes an allowed origin.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Route } from '#functions/routes.ts';
import { type CorsPolicy, corsPolicy } from '#shared/http/cors.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';
import type { Authorizer, Claims } from './authorizer.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly params: string[];
}

function compile(route: Route): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/**
 * The docs page (local only): scripts and styles from its own origin only (the Swagger UI bundle
 * and its bootstrap file: no inline script), its data: SVG icons, calls to the same origin (the
 * OpenAPI document, "Try it out"), never framed. Swagger UI 5 needs no inline style (React sets
 * styles through the CSSOM, which CSP allows): rendered in headless Chromium with this policy,
 * an expanded operation and its examples included, it reports no violation.
 */
export const DOCS_PAGE_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
} as const;

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number | boolean>,
  body: string | Buffer,
) {
  res.writeHead(status, headers as Record<string, string>);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'Payload too large', 'The body exceeds 10 MB');
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  compiled: CompiledRoute,
  pathParameters: Record<string, string>,
  body: string | null,
  claims: Claims | undefined,
  requestId: string,
  account: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: compiled.route.path,
    path: url.pathname,
    httpMethod: compiled.route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: compiled.params.length ? pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: account,
      apiId: 'local',
      authorizer: claims ? { claims } : null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: compiled.route.method,
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      path: `/local${url.pathname}`,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: compiled.route.path,
    },
  };
}

function docsPage(): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Mon Pro du Bien-Être API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs.js"></script>
</body></html>`;
}

/** The docs page's bootstrap, a file of its own so that the page's CSP forbids inline scripts. */
const DOCS_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });\n";

/** A path parameter as API Gateway hands it to the function: percent-decoded; a malformed escape is the client's error. */
function decodePathParameter(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpProblem(400, 'Malformed path', 'The path is not valid percent-encoding');
  }
}

/** Whether the gateway asks the Cognito authorizer for a token before invoking the route's function. */
export const isAuthorized = (route: Route): boolean => route.operation.access.kind !== 'public';

export interface GatewayOptions {
  readonly routes: readonly Route[];
  readonly runtime: Pick<LambdaRuntime, 'invoke'>;
  readonly authorizer?: Authorizer;
  readonly openApi: () => unknown;
  readonly account: string;
  readonly log?: (line: string) => void;
  /** The web origins browsers may call the API from (shared/http/cors.ts); none when absent. */
  readonly corsAllowedOrigins?: readonly string[];
}

export function createGateway(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = options.routes.map(compile);
  const assetsDir = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
  const log = options.log ?? (() => undefined);
  const cors: CorsPolicy = corsPolicy(options.corsAllowedOrigins ?? []);
  /** The headers of every answer the gateway makes itself: the security headers and API Gateway's request id. */
  const gatewayMade = (requestId: string) => ({ ...SECURITY_HEADERS, 'x-amzn-RequestId': requestId });
  /** A problem the gateway answers itself, as API Gateway's GatewayResponses: static CORS headers. */
  const sendProblem = (res: ServerResponse, problem: HttpProblem, requestId: string) =>
    send(
      res,
      problem.status,
      {
        ...gatewayMade(requestId),
        ...cors.gatewayHeaders(),
        'Content-Type': 'application/problem+json',
        ...problem.headers,
      },
      JSON.stringify(problem.toProblem(requestId)),
    );

  return (req, res) => {
    const requestId = randomUUID();
    // The request target as a path on our origin: `new URL(target, base)` would read `//x` as
    // another host (and throw on `//%zz`, outside any handler: the whole local cloud went down).
    const target = req.url ?? '/';
    const url = new URL(`http://local${target.startsWith('/') ? '' : '/'}${target}`);
    const started = Date.now();
    const handle = async () => {
      if (req.method === 'GET' && url.pathname === '/openapi.json') {
        return send(
          res,
          200,
          { ...gatewayMade(requestId), 'Content-Type': 'application/json' },
          JSON.stringify(options.openApi()),
        );
      }
      if (req.method === 'GET' && (url.pathname === '/docs' || url.pathname === '/docs/')) {
        return send(
          res,
          200,
          { ...gatewayMade(requestId), ...DOCS_PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8' },
          docsPage(),
        );
      }
      if (req.method === 'GET' && url.pathname === '/docs/assets/docs.js') {
        return send(res, 200, { ...gatewayMade(requestId), 'Content-Type': 'text/javascript' }, DOCS_SCRIPT);
      }
      const asset = url.pathname.match(/^\/docs\/assets\/(swagger-ui(?:-bundle)?\.(?:js|css))$/)?.[1];
      if (req.method === 'GET' && asset) {
        const type = asset.endsWith('.css') ? 'text/css' : 'text/javascript';
        return send(
          res,
          200,
          { ...gatewayMade(requestId), 'Content-Type': type },
          await readFile(join(assetsDir, asset)),
        );
      }
      const onPath = compiled.map((c) => ({ c, m: c.pattern.exec(url.pathname) })).filter((x) => x.m);
      const methods = [...new Set(onPath.map((x) => x.c.route.method))];
      // The CORS preflight of a route path (API Gateway: an OPTIONS method with a MOCK integration).
      if (req.method === 'OPTIONS' && onPath.length) {
        return send(
          res,
          204,
          {
            ...gatewayMade(requestId),
            Allow: [...methods, 'OPTIONS'].join(', '),
            ...cors.preflightHeaders(req.headers.origin, methods),
          },
          '',
        );
      }
      const hit = onPath.find((x) => x.c.route.method === req.method);
      if (!hit) {
        if (onPath.length) {
          throw new HttpProblem(405, 'Method not allowed', `Allowed: ${[...methods, 'OPTIONS'].join(', ')}`, {
            headers: { Allow: [...methods, 'OPTIONS'].join(', ') },
          });
        }
        throw new HttpProblem(404, 'Not found', 'No route matches this path');
      }
      const pathParameters = Object.fromEntries(
        hit.c.params.map((name, i) => [name, decodePathParameter(hit.m![i + 1]!)]),
      );
      let claims: Claims | undefined;
      if (isAuthorized(hit.c.route)) {
        claims = await options.authorizer?.verify(req.headers.authorization);
        if (!claims)
          throw new HttpProblem(401, 'Unauthorized', 'A valid ID token is required', {
            headers: { 'WWW-Authenticate': 'Bearer' },
          });
      }
      const body = await readBody(req);
      const event = toEvent(req, url, hit.c, pathParameters, body, claims, requestId, options.account);
      const result = (await options.runtime.invoke(hit.c.route.function, event)) as APIGatewayProxyResult;
      send(res, result.statusCode, { ...result.headers, 'x-amzn-RequestId': requestId }, result.body);
    };
    handle()
      .catch((error: unknown) => {
        if (error instanceof HttpProblem) return sendProblem(res, error, requestId);
        log(`gateway: ${req.method} ${url.pathname} failed: ${(error as Error).name}`);
        sendProblem(res, new HttpProblem(502, 'Bad gateway', 'The function failed'), requestId);
      })
      .finally(() => log(`${req.method} ${url.pathname} -> ${res.statusCode} (${Date.now() - started} ms)`));
  };
}
