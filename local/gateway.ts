/**
 * The local API gateway: an HTTP server built from the route table, playing API Gateway's part
 * (REST API, Lambda proxy integration, Cognito authorizer on non-public routes) in front of the
 * same handlers Lambda runs. It also serves the OpenAPI document and a docs page.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Route } from '#functions/routes.ts';
import { HttpProblem } from '#shared/http/problem.ts';
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

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number | boolean>,
  body: string | Buffer,
) {
  res.writeHead(status, headers as Record<string, string>);
  res.end(body);
}

function sendProblem(res: ServerResponse, problem: HttpProblem, requestId: string) {
  send(
    res,
    problem.status,
    { 'Content-Type': 'application/problem+json', ...problem.headers },
    JSON.stringify(problem.toProblem(requestId)),
  );
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
  match: RegExpExecArray,
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
  const pathParameters = Object.fromEntries(
    compiled.params.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
  );
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
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script>
</body></html>`;
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
}

export function createGateway(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = options.routes.map(compile);
  const assetsDir = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
  const log = options.log ?? (() => undefined);

  return (req, res) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    const started = Date.now();
    const handle = async () => {
      if (req.method === 'GET' && url.pathname === '/openapi.json') {
        return send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(options.openApi()));
      }
      if (req.method === 'GET' && (url.pathname === '/docs' || url.pathname === '/docs/')) {
        return send(res, 200, { 'Content-Type': 'text/html; charset=utf-8' }, docsPage());
      }
      const asset = url.pathname.match(/^\/docs\/assets\/(swagger-ui(?:-bundle)?\.(?:js|css))$/)?.[1];
      if (req.method === 'GET' && asset) {
        const type = asset.endsWith('.css') ? 'text/css' : 'text/javascript';
        return send(res, 200, { 'Content-Type': type }, await readFile(join(assetsDir, asset)));
      }
      const onPath = compiled.map((c) => ({ c, m: c.pattern.exec(url.pathname) })).filter((x) => x.m);
      const hit = onPath.find((x) => x.c.route.method === req.method);
      if (!hit) {
        if (onPath.length) {
          throw new HttpProblem(
            405,
            'Method not allowed',
            `Allowed: ${onPath.map((x) => x.c.route.method).join(', ')}`,
            {
              headers: { Allow: onPath.map((x) => x.c.route.method).join(', ') },
            },
          );
        }
        throw new HttpProblem(404, 'Not found', 'No route matches this path');
      }
      let claims: Claims | undefined;
      if (isAuthorized(hit.c.route)) {
        claims = await options.authorizer?.verify(req.headers.authorization);
        if (!claims)
          throw new HttpProblem(401, 'Unauthorized', 'A valid ID token is required', {
            headers: { 'WWW-Authenticate': 'Bearer' },
          });
      }
      const body = await readBody(req);
      const event = toEvent(req, url, hit.c, hit.m!, body, claims, requestId, options.account);
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
