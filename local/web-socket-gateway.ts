/**
 * The local WebSocket gateway: the local stand-in for the API Gateway WebSocket API, built from
 * the route table (functions/web-socket-routes.ts) in front of the same handlers Lambda runs, and
 * no kinder than AWS:
 *
 * - An upgrade at `/<stage>` gets a new connection id and runs `$connect` with the event API
 *   Gateway sends (Lambda proxy integration); the client is connected only when the function
 *   answers a 2xx status, otherwise the upgrade is answered with that status (a failing function
 *   or an answer without a status: 500) and no connection exists. The gateway never reads the
 *   query string (the `$connect` function verifies `?token=`), and never logs it.
 * - Every end of a connection (the client's close, DeleteConnection, the idle timeout, the
 *   maximum duration, a frame over the size limit, the gateway stopping) runs `$disconnect`,
 *   whose answer is ignored, with the close code (the client's, or the gateway's: 1000 for
 *   DeleteConnection, 1001 `Going away` for the timeouts and the stop, 1009 for a frame too big).
 *   The reasons' wording is local; functions should not depend on it.
 * - A frame a client sends matches no route (the table has no `$default`): API Gateway's
 *   `Forbidden` message comes back. A frame over 32 KB closes the connection with 1009.
 * - A client asking for a subprotocol fails unless `$connect` answered a Sec-WebSocket-Protocol.
 * - The management API (`POST|GET|DELETE /<stage>/@connections/<id>`, what
 *   @aws-sdk/client-apigatewaymanagementapi calls) posts a message (frames of 32 KB at most),
 *   describes a connection, closes one; a connection that does not exist (any more) is
 *   `GoneException` (410), a message over 128 KB `PayloadTooLargeException` (413). Locally the
 *   functions reach it through the IAM proxy (./iam-proxy.ts), which checks
 *   execute-api:ManageConnections; the gateway only insists on a SigV4 Authorization header.
 *
 * Quotas: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
 * (frame 32 KB, message 128 KB, idle 10 minutes, 2 hours at most). Client frames are limited to
 * 32 KB per message, stricter than AWS only for a message a client fragments (browsers never do).
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { WebSocketRoute } from '#functions/web-socket-routes.ts';
import type {
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketIdentity,
  WebSocketMessageEvent,
} from '#shared/web-socket/events.ts';

export interface WebSocketLimits {
  /** A connection no frame (data or ping) came from for this long is closed (AWS: 10 minutes). */
  readonly idleMs: number;
  /** A connection this old is closed (AWS: 2 hours). */
  readonly maxDurationMs: number;
  /** A larger frame from a client closes its connection with 1009 (AWS: 32 KB). */
  readonly frameBytes: number;
  /** A larger PostToConnection is refused, PayloadTooLargeException (AWS: 128 KB). */
  readonly messageBytes: number;
}

export const WEBSOCKET_LIMITS: WebSocketLimits = {
  idleMs: 10 * 60_000,
  maxDurationMs: 2 * 60 * 60_000,
  frameBytes: 32 * 1024,
  messageBytes: 128 * 1024,
};

export interface WebSocketGatewayOptions<F extends string> {
  readonly routes: readonly WebSocketRoute<F>[];
  /** Runs a route's function (the local Lambda runtime's invoke). */
  readonly invoke: (name: F, event: unknown) => Promise<unknown>;
  /** The API id in the events and ARNs (LOCAL_WEBSOCKET_API_ID). */
  readonly apiId: string;
  /** The stage: clients connect at `/<stage>`, the management API is under `/<stage>/@connections`. */
  readonly stage: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** AWS's quotas by default (WEBSOCKET_LIMITS); tests shorten them. */
  readonly limits?: Partial<WebSocketLimits>;
  readonly log?: (line: string) => void;
}

export interface WebSocketGateway {
  /** Where clients connect: `ws://127.0.0.1:<port>/<stage>`. */
  readonly url: string;
  /** The management API's base URL (the SDK's endpoint is this plus `/<stage>`). */
  readonly managementUrl: string;
  /** The open connections' ids. */
  connections(): string[];
  /** Closes every connection (1001, each runs `$disconnect`) and stops listening. */
  close(): Promise<void>;
}

interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly identity: WebSocketIdentity;
  readonly idle: NodeJS.Timeout;
  readonly expiry: NodeJS.Timeout;
  /** Set when the gateway closes it: the code and reason `$disconnect` is told. */
  closedBy?: { readonly code: number; readonly reason: string };
}

/** The largest body the management API reads before giving up (API Gateway's payload limit). */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const GOING_AWAY = { code: 1001, reason: 'Going away' } as const;

/** An id as API Gateway's connection and request ids look: 16 characters, base64-ish, `=` last. */
const awsId = () => `${randomBytes(11).toString('base64url')}=`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `requestTime` as API Gateway writes it: `09/Feb/2026:14:05:33 +0000`. */
function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** A WebSocket opening handshake ws can complete (RFC 6455 §4.2.1); anything else is a 400. */
function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (
    req.method === 'GET' &&
    req.headers.upgrade?.toLowerCase() === 'websocket' &&
    /^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? '') &&
    ['8', '13'].includes(req.headers['sec-websocket-version'] ?? '')
  );
}

/** Answers an upgrade request without upgrading, as API Gateway refuses a connection. */
function refuse(socket: Duplex, status: number): void {
  if (!socket.writable) return void socket.destroy();
  // Destroyed once the answer is written: destroying at once could drop it (a client then retries).
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The status of a `$connect` answer; 500 when it has none (API Gateway's integration failure). */
function statusOf(result: unknown): number {
  const status = (result as { statusCode?: unknown } | null | undefined)?.statusCode;
  const code = typeof status === 'string' ? Number(status) : status;
  return typeof code === 'number' && Number.isInteger(code) && code >= 200 && code <= 599 ? code : 500;
}

/** The Sec-WebSocket-Protocol a `$connect` answer names, if any (the only header it can set here). */
function protocolOf(result: unknown): string | undefined {
  const headers = (result as { headers?: unknown } | null | undefined)?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol');
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

function requestHeaders(req: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function queryParameters(url: URL) {
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const any = Object.keys(query).length > 0;
  return { queryStringParameters: any ? query : null, multiValueQueryStringParameters: any ? multiQuery : null };
}

/** The request target as a path on our origin (`//x` is not another host). */
const targetUrl = (req: IncomingMessage) => {
  const target = req.url ?? '/';
  return new URL(`http://local${target.startsWith('/') ? '' : '/'}${target}`);
};

class TooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new TooLarge('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function createWebSocketGateway<F extends string>(
  options: WebSocketGatewayOptions<F>,
): Promise<WebSocketGateway> {
  const log = options.log ?? (() => undefined);
  const limits: WebSocketLimits = { ...WEBSOCKET_LIMITS, ...options.limits };
  const { stage, apiId } = options;
  const routeOf = (key: string) => options.routes.find((route) => route.routeKey === key)?.function;
  const host = options.host ?? '127.0.0.1';
  const connections = new Map<string, Connection>();
  /** Connections being decided by `$connect` (their ids are taken too). */
  const opening = new Set<string>();
  /** Invocations and upgrades under way: close() waits for them. */
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  let stopping = false;
  let domainName = '';
  /** The Sec-WebSocket-Protocol each accepted upgrade's `$connect` answered with. */
  const protocols = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.frameBytes,
    // API Gateway selects a subprotocol only when `$connect` answers one; else the client fails.
    handleProtocols: (offered, req) => {
      const chosen = protocols.get(req);
      return chosen !== undefined && offered.has(chosen) ? chosen : false;
    },
  });

  const newConnectionId = () => {
    let id = awsId();
    while (connections.has(id) || opening.has(id)) id = awsId();
    return id;
  };

  const context = (connectionId: string, connectedAt: number, identity: WebSocketIdentity, now = Date.now()) => {
    const requestId = awsId();
    return {
      extendedRequestId: requestId,
      requestTime: requestTime(now),
      messageDirection: 'IN' as const,
      stage,
      connectedAt,
      requestTimeEpoch: now,
      identity,
      requestId,
      domainName,
      connectionId,
      apiId,
    };
  };

  const disconnect = (
    connectionId: string,
    connectedAt: number,
    identity: WebSocketIdentity,
    code: number,
    reason: string,
  ) => {
    const name = routeOf('$disconnect');
    log(`WS $disconnect (${code})`);
    if (!name) return;
    const event: WebSocketDisconnectEvent = {
      headers: { Host: domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
      multiValueHeaders: { Host: [domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
      requestContext: {
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        disconnectStatusCode: code,
        disconnectReason: reason,
        ...context(connectionId, connectedAt, identity),
      },
      isBase64Encoded: false,
    };
    track(options.invoke(name, event).catch((error: Error) => log(`WS $disconnect failed: ${error.name}`)));
  };

  /** The gateway ends a connection: gone at once for the management API; `$disconnect` runs once it is closed. */
  const end = (connection: Connection, code: number, reason: string) => {
    if (connection.closedBy) return;
    connection.closedBy = { code, reason };
    connections.delete(connection.id);
    connection.socket.close(code, reason);
  };

  const onMessage = (connection: Connection, data: RawData, isBinary: boolean) => {
    const payload = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const name = routeOf('$default');
    const base = context(connection.id, connection.connectedAt, connection.identity);
    if (!name) {
      // API Gateway's answer to a frame no route matches, its spacing included.
      connection.socket.send(
        `{"message": "Forbidden", "connectionId":"${connection.id}", "requestId":"${base.requestId}"}`,
      );
      return;
    }
    const event: WebSocketMessageEvent = {
      requestContext: { routeKey: '$default', eventType: 'MESSAGE', messageId: awsId(), ...base },
      body: isBinary ? payload.toString('base64') : payload.toString('utf8'),
      isBase64Encoded: isBinary,
    };
    track(options.invoke(name, event).catch((error: Error) => log(`WS $default failed: ${error.name}`)));
  };

  const opened = (socket: WebSocket, id: string, connectedAt: number, identity: WebSocketIdentity) => {
    const connection: Connection = {
      id,
      socket,
      connectedAt,
      lastActiveAt: connectedAt,
      identity,
      idle: setTimeout(() => end(connection, GOING_AWAY.code, GOING_AWAY.reason), limits.idleMs),
      expiry: setTimeout(() => end(connection, GOING_AWAY.code, GOING_AWAY.reason), limits.maxDurationMs),
    };
    connections.set(id, connection);
    const active = () => {
      connection.lastActiveAt = Date.now();
      connection.idle.refresh();
    };
    socket.on('ping', active);
    socket.on('message', (data, isBinary) => {
      active();
      onMessage(connection, data, isBinary);
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes the connection after a protocol error; a frame over maxPayload with 1009.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        connection.closedBy ??= { code: 1009, reason: 'Message too big' };
        connections.delete(id);
      } else log(`WS connection error: ${error.code ?? error.name}`);
    });
    socket.on('close', (code, reason) => {
      clearTimeout(connection.idle);
      clearTimeout(connection.expiry);
      connections.delete(id);
      const closed = connection.closedBy ?? { code, reason: reason.toString('utf8') };
      disconnect(id, connectedAt, identity, closed.code, closed.reason);
    });
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const started = Date.now();
    const url = targetUrl(req);
    // An upgrade elsewhere than the stage: API Gateway's answer to a stage that does not exist.
    if (url.pathname !== `/${stage}`) return refuse(socket, 404);
    if (!isWebSocketUpgrade(req)) return refuse(socket, 400);
    if (stopping) return refuse(socket, 503);
    const id = newConnectionId();
    opening.add(id);
    try {
      const connectedAt = Date.now();
      const userAgent = req.headers['user-agent'];
      const identity: WebSocketIdentity = {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        ...(userAgent ? { userAgent } : {}),
      };
      const name = routeOf('$connect');
      let status = 200;
      if (name) {
        const event: WebSocketConnectEvent = {
          ...requestHeaders(req),
          ...queryParameters(url),
          requestContext: {
            routeKey: '$connect',
            eventType: 'CONNECT',
            ...context(id, connectedAt, identity, connectedAt),
          },
          isBase64Encoded: false,
        };
        try {
          const result = await options.invoke(name, event);
          status = statusOf(result);
          const protocol = protocolOf(result);
          if (protocol !== undefined) protocols.set(req, protocol);
        } catch (error) {
          log(`WS $connect failed: ${(error as Error).name}`);
          status = 500;
        }
      }
      log(`WS $connect -> ${status} (${Date.now() - started} ms)`);
      if (status < 200 || status > 299) return refuse(socket, status);
      // Connected as far as the function knows, but gone before the handshake ended.
      if (socket.destroyed || !socket.writable || stopping) {
        socket.destroy();
        return disconnect(id, connectedAt, identity, 1006, 'Connection closed before the handshake completed');
      }
      const upgraded = await new Promise<boolean>((resolve) => {
        // ws destroys the socket without calling back when the handshake cannot complete.
        const lost = () => resolve(false);
        socket.once('close', lost);
        wss.handleUpgrade(req, socket, head, (ws) => {
          socket.off('close', lost);
          opened(ws, id, connectedAt, identity);
          resolve(true);
        });
      });
      if (!upgraded) disconnect(id, connectedAt, identity, 1006, 'Connection closed before the handshake completed');
    } finally {
      opening.delete(id);
    }
  };

  const management = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = awsId();
    const answer = (status: number, body?: unknown, errorType?: string) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'x-amzn-RequestId': requestId,
        ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
      });
      res.end(text);
    };
    const url = targetUrl(req);
    const match = /^\/([^/]+)\/(?:@|%40)connections\/([^/]+)$/.exec(url.pathname);
    if (!match) return answer(404, { message: 'Not Found' }, 'NotFoundException');
    const body = await readBody(req);
    if (match[1] !== stage || !['POST', 'GET', 'DELETE'].includes(req.method ?? ''))
      return answer(403, { message: 'Forbidden' }, 'ForbiddenException');
    // The management API is IAM-authorized: an unsigned request is refused before anything else.
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 '))
      return answer(403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
    let id: string;
    try {
      id = decodeURIComponent(match[2]!);
    } catch {
      id = '';
    }
    if (req.method === 'POST' && body.length > limits.messageBytes)
      return answer(413, { message: 'Message too long' }, 'PayloadTooLargeException');
    const connection = connections.get(id);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN)
      return answer(410, { message: null }, 'GoneException');
    if (req.method === 'GET') {
      return answer(200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: connection.identity,
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    if (req.method === 'DELETE') {
      end(connection, 1000, 'Connection closed by the server');
      return answer(204);
    }
    // A text message, split in frames of frameBytes at most as API Gateway splits larger ones.
    for (let offset = 0; offset === 0 || offset < body.length; offset += limits.frameBytes) {
      connection.socket.send(body.subarray(offset, offset + limits.frameBytes), {
        binary: false,
        fin: offset + limits.frameBytes >= body.length,
      });
    }
    return answer(200);
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    management(req, res)
      .catch((error: Error) => {
        if (!(error instanceof TooLarge)) log(`WS management: ${req.method} failed: ${error.name}`);
        if (!res.headersSent) res.writeHead(error instanceof TooLarge ? 413 : 500, { connection: 'close' });
        res.end();
      })
      .finally(() => log(`${req.method} /${stage}/@connections -> ${res.statusCode} (${Date.now() - started} ms)`));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const onError = () => socket.destroy();
    socket.on('error', onError);
    track(
      upgrade(req, socket, head)
        .catch((error: Error) => {
          log(`WS upgrade failed: ${error.name}`);
          refuse(socket, 500);
        })
        .finally(() => socket.off('error', onError)),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  domainName = `${host}:${port}`;

  return {
    url: `ws://${host}:${port}/${stage}`,
    managementUrl: `http://${host}:${port}`,
    connections: () => [...connections.keys()],
    close: async () => {
      stopping = true;
      // Connections still being decided: let `$connect` finish (they are then refused).
      while (pending.size > 0 && opening.size > 0) await Promise.allSettled([...pending]);
      const sockets = [...wss.clients];
      for (const connection of [...connections.values()]) end(connection, GOING_AWAY.code, GOING_AWAY.reason);
      // A client that does not answer the close frame is cut off (ws would wait 30 s).
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === socket.CLOSED) return resolve();
              const cut = setTimeout(() => socket.terminate(), 1000);
              socket.once('close', () => {
                clearTimeout(cut);
                resolve();
              });
            }),
        ),
      );
      // The `$disconnect` of each, before the runtime stops.
      while (pending.size > 0) await Promise.allSettled([...pending]);
      wss.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
