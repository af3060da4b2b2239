/**
 * The local cloud's IAM: one HTTP proxy every AWS endpoint of every function points at. It reads
 * the caller from the SigV4 Authorization header (`Credential=<key>/<date>/<region>/<service>/…`:
 * each function runs with its own access key, as its role's session in Lambda), asks
 * ./access-policy.ts what AWS would authorize for the request, and either forwards it unchanged
 * to the service's emulator or answers as AWS answers a denial (AccessDeniedException with the
 * service's status and shape), logging the denial loudly. A caller whose key is not a function's
 * (tests, CLI tools, the stream poller, cognito-local) is not checked: it has the account's full
 * access, like an administrator. Signatures are not verified: locally a key is who it says.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Arns,
  allows,
  type PolicyStatement,
  type RequiredPermission,
  requestedPermissions,
} from './access-policy.ts';

export interface FunctionPrincipal {
  /** The catalogue name of the function. */
  readonly name: string;
  readonly policy: readonly PolicyStatement[];
}

export interface IamProxyOptions {
  readonly port?: number;
  readonly host?: string;
  readonly arns: Arns;
  /** The function an access key id belongs to; undefined for any other caller (full access). */
  readonly principal: (accessKeyId: string) => FunctionPrincipal | undefined;
  /** The emulator serving each service (signing name → base URL). */
  readonly upstreams: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
  /** Told of every forwarded call once its answer is through (`npm run bench:api` times the floor with it). */
  readonly observe?: (call: ObservedCall) => void;
}

/** A call forwarded to an emulator, timed on the wire: from the request sent upstream to its answer's end. */
export interface ObservedCall {
  /** The calling function; undefined for tools and emulators (full access). */
  readonly caller: string | undefined;
  readonly service: string;
  /** The X-Amz-Target operation (`GetItem`), or the method and path for REST services. */
  readonly operation: string;
  /** The DynamoDB tables a function's call names (from the permissions it needs); none for tools. */
  readonly tables: readonly string[];
  /** performance.now() when the request reached the proxy (its check is what lies before `startedAt`). */
  readonly receivedAt: number;
  /** performance.now() of the call's start upstream and of its answer's last byte. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
}

export interface IamProxy {
  readonly url: string;
  /** Denials so far (function, action, resource), for tests and the end-of-run summary. */
  denials(): readonly { readonly function: string; readonly action: string; readonly resource: string }[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Caller key and service from `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, …`. */
export function credentialScope(
  authorization: string | undefined,
): { accessKeyId: string; service: string } | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match ? { accessKeyId: match[1] as string, service: match[2] as string } : undefined;
}

/** An unsigned request's service, from its X-Amz-Target prefix. */
const TARGET_PREFIXES: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AWSEvents: 'events',
  AmazonSSM: 'ssm',
  AWSCognitoIdentityProviderService: 'cognito-idp',
};

/** The principal ARN AWS names in a denial: the function's role session. */
export const assumedRoleArn = (arns: Arns, fn: string) => `arn:aws:sts::${arns.account}:assumed-role/${fn}-role/${fn}`;

/** AWS's denial, per service: status, content type and body. */
export function accessDenied(
  service: string,
  arns: Arns,
  fn: string,
  permission: RequiredPermission,
): { status: number; headers: Record<string, string>; body: string } {
  const user = assumedRoleArn(arns, fn);
  const message = `User: ${user} is not authorized to perform: ${permission.action} on resource: ${permission.resource} because no identity-based policy allows the ${permission.action} action`;
  const requestId = randomUUID();
  const json = (status: number, contentType: string, body: Record<string, string>) => ({
    status,
    headers: {
      'content-type': contentType,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': 'AccessDeniedException',
    },
    body: JSON.stringify(body),
  });
  switch (service) {
    case 'dynamodb':
      return json(400, 'application/x-amz-json-1.0', {
        __type: 'com.amazon.coral.service#AccessDeniedException',
        Message: message,
      });
    case 'events':
      return json(400, 'application/x-amz-json-1.1', { __type: 'AccessDeniedException', Message: message });
    case 'scheduler':
      // REST-JSON: the error code travels in X-Amzn-ErrorType, the status is the model's (403).
      return json(403, 'application/json', { Message: message });
    case 'execute-api':
      // API Gateway's management API, REST-JSON too: 403, API Gateway's lower-case `message`.
      return json(403, 'application/json', { message });
    case 'ses': {
      // Query protocol: an XML ErrorResponse, code AccessDenied, SES's own wording.
      const text = `User \`${user}' is not authorized to perform \`${permission.action}' on resource \`${permission.resource}'`;
      return {
        status: 403,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escapeXml(text)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    default:
      // SSM, Cognito and the rest of the JSON 1.1 services.
      return json(400, 'application/x-amz-json-1.1', { __type: 'AccessDeniedException', message });
  }
}

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startIamProxy(options: IamProxyOptions): Promise<IamProxy> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => console.error(line));
  const agent = new Agent({ keepAlive: true });
  const denied: { function: string; action: string; resource: string }[] = [];

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    upstream: string,
    body: Buffer,
    call: Pick<ObservedCall, 'caller' | 'service' | 'operation' | 'tables' | 'receivedAt'>,
  ) => {
    const target = new URL(upstream);
    const startedAt = performance.now();
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        const observe = options.observe;
        if (observe)
          answer.once('end', () =>
            observe({ ...call, startedAt, endedAt: performance.now(), status: answer.statusCode ?? 502 }),
          );
      },
    );
    out.on('error', (error) => {
      log(`iam: ${upstream} unreachable (${error.name})`);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    out.end(body);
  };

  const server = createServer((req, res) => {
    const receivedAt = performance.now();
    readBody(req)
      .then((body) => {
        const scope = credentialScope(req.headers.authorization);
        const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
        const service = scope?.service ?? TARGET_PREFIXES[target?.split('.')[0] ?? ''];
        const upstream = service ? options.upstreams[service] : undefined;
        const principal = scope ? options.principal(scope.accessKeyId) : undefined;
        const tables = new Set<string>();
        if (principal) {
          const url = new URL(req.url ?? '/', 'http://local');
          const asked = requestedPermissions(
            {
              service: service ?? 'unknown',
              method: req.method ?? 'GET',
              path: url.pathname,
              query: url.searchParams,
              ...(target ? { target } : {}),
              body,
            },
            options.arns,
          );
          for (const p of asked.permissions) {
            const table = /^arn:aws:dynamodb:[^:]*:[^:]*:table\/([^/]+)/.exec(p.resource)?.[1];
            if (table) tables.add(table);
          }
          const refused = asked.permissions.find((p) => !allows(principal.policy, p));
          if (refused || !upstream) {
            const permission = refused ?? { action: `${service}:${asked.operation}`, resource: '*', label: 'service' };
            denied.push({ function: principal.name, action: permission.action, resource: permission.resource });
            log(
              `✖ access denied: ${principal.name} ${permission.action} on ${permission.label} — not in its catalogue entry (functions/catalogue.ts)`,
            );
            const answer = accessDenied(service ?? '', options.arns, principal.name, permission);
            res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
            res.end(answer.body);
            return;
          }
        }
        if (!upstream) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ __type: 'UnknownServiceException', message: 'No local emulator for this request.' }),
          );
          return;
        }
        forward(req, res, upstream, body, {
          caller: principal?.name,
          service: service as string,
          operation: target?.split('.')[1] ?? `${req.method} ${req.url?.split('?')[0]}`,
          tables: [...tables],
          receivedAt,
        });
      })
      .catch((error: Error) => {
        log(`iam: ${req.method} ${req.url?.split('?')[0]} failed (${error.name})`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    denials: () => [...denied],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
