/**
 * The local WebSocket gateway, driven as AWS's is: real WebSocket clients (ws, and Node's global
 * WebSocket as a browser's), the real ApiGatewayManagementApiClient on the management API, and a
 * recording `invoke` that answers as the `$connect` function would (2xx for `?token=good`, 401
 * otherwise). Nothing here waits for time to pass, only for events (the short idle timeout and
 * maximum duration are the gateway's own timers).
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketRoute } from '#functions/web-socket-routes.ts';
import { LOCAL_WEBSOCKET_API_ID } from '#local/access-policy.ts';
import {
  createWebSocketGateway,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
  type WebSocketLimits,
} from '#local/web-socket-gateway.ts';
import { LOCAL_REGION, LOCAL_WEBSOCKET_STAGE } from '#local/wiring.ts';

const routes: WebSocketRoute[] = [
  { routeKey: '$connect', function: 'connectFn' },
  { routeKey: '$disconnect', function: 'disconnectFn' },
];

// biome-ignore lint/suspicious/noExplicitAny: events are checked by shape.
type Event = any;
interface Invocation {
  readonly name: string;
  readonly event: Event;
}

/** An `invoke` recording every event, answering `$connect` as the real function would. */
function recorder(connectAnswer?: (event: Event) => unknown) {
  const invocations: Invocation[] = [];
  const waiters: { predicate: (i: Invocation) => boolean; resolve: (i: Invocation) => void }[] = [];
  const invoke = async (name: string, event: unknown) => {
    const invocation = { name, event: structuredClone(event) };
    invocations.push(invocation);
    for (const waiter of waiters.filter((w) => w.predicate(invocation))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(invocation);
    }
    if (name === 'connectFn') {
      if (connectAnswer) return connectAnswer(event);
      return { statusCode: (event as Event).queryStringParameters?.token === 'good' ? 200 : 401 };
    }
    return { statusCode: 200 };
  };
  /** The first invocation matching, now or when it comes. */
  const next = (predicate: (i: Invocation) => boolean) =>
    new Promise<Invocation>((resolve) => {
      const found = invocations.find(predicate);
      if (found) resolve(found);
      else waiters.push({ predicate, resolve });
    });
  const disconnectOf = (connectionId: string) =>
    next((i) => i.name === 'disconnectFn' && i.event.requestContext.connectionId === connectionId);
  return { invocations, invoke, next, disconnectOf };
}

async function start(
  recording: ReturnType<typeof recorder>,
  extra: Partial<WebSocketGatewayOptions<string>> & { limits?: Partial<WebSocketLimits> } = {},
) {
  const logged: string[] = [];
  const gateway = await createWebSocketGateway({
    routes,
    invoke: recording.invoke,
    apiId: LOCAL_WEBSOCKET_API_ID,
    stage: LOCAL_WEBSOCKET_STAGE,
    log: (line) => logged.push(line),
    ...extra,
  });
  return { gateway, logged };
}

interface Client {
  readonly socket: WebSocket;
  nextMessage(): Promise<string>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** A connected ws client whose messages are queued from the first one. */
function connect(url: string, protocols?: string[]): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    const messages: string[] = [];
    const readers: ((m: string) => void)[] = [];
    socket.on('message', (data) => {
      const text = data.toString();
      const reader = readers.shift();
      if (reader) reader(text);
      else messages.push(text);
    });
    const closed = new Promise<{ code: number; reason: string }>((resolveClose) =>
      socket.on('close', (code, reason) => resolveClose({ code, reason: reason.toString() })),
    );
    socket.once('open', () =>
      resolve({
        socket,
        closed,
        nextMessage: () =>
          new Promise((resolveMessage) => {
            const queued = messages.shift();
            if (queued !== undefined) resolveMessage(queued);
            else readers.push(resolveMessage);
          }),
      }),
    );
    socket.once('error', reject);
  });
}

/** The status a refused upgrade is answered with, as the client sees it. */
function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('the connection was accepted')));
    socket.once('error', () => undefined);
  });
}

const managementClient = (gateway: WebSocketGateway, stage: string = LOCAL_WEBSOCKET_STAGE) =>
  new ApiGatewayManagementApiClient({
    endpoint: `${gateway.managementUrl}/${stage}`,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected a failure, the call succeeded');
    },
    (error: Error) => error,
  );
}

const AWS_ID = /^[A-Za-z0-9_-]{15}=$/;
const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

describe('the local WebSocket gateway', () => {
  const recording = recorder();
  let gateway: WebSocketGateway;
  let logged: string[];
  let management: ApiGatewayManagementApiClient;
  let domainName: string;

  beforeAll(async () => {
    ({ gateway, logged } = await start(recording));
    management = managementClient(gateway);
    domainName = new URL(gateway.url).host;
  });
  afterAll(async () => {
    management?.destroy();
    await gateway?.close();
  });

  /** Connects with `?token=good` and returns the client and its `$connect` event. */
  async function connected(query = '?token=good') {
    const before = recording.invocations.length;
    const client = await connect(`${gateway.url}${query}`);
    const connectEvent = recording.invocations.slice(before).find((i) => i.name === 'connectFn')?.event;
    expect(connectEvent).toBeDefined();
    return { client, connectEvent, connectionId: connectEvent.requestContext.connectionId as string };
  }

  it('runs $connect with the event API Gateway sends, and connects on its 2xx', async () => {
    const { client, connectEvent, connectionId } = await connected('?token=good&lang=fr&lang=en');
    expect(gateway.url).toBe(`ws://${domainName}/local`);
    expect(connectEvent).toEqual({
      headers: expect.objectContaining({ Host: domainName, Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' }),
      multiValueHeaders: expect.objectContaining({ Host: [domainName], Upgrade: ['websocket'] }),
      queryStringParameters: { token: 'good', lang: 'en' },
      multiValueQueryStringParameters: { token: ['good'], lang: ['fr', 'en'] },
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        extendedRequestId: expect.stringMatching(AWS_ID),
        requestTime: expect.stringMatching(REQUEST_TIME),
        messageDirection: 'IN',
        stage: 'local',
        connectedAt: expect.any(Number),
        requestTimeEpoch: connectEvent.requestContext.connectedAt,
        identity: { sourceIp: '127.0.0.1' },
        requestId: expect.stringMatching(AWS_ID),
        domainName,
        connectionId: expect.stringMatching(AWS_ID),
        apiId: 'localws',
      },
      isBase64Encoded: false,
    });
    expect(gateway.connections()).toContain(connectionId);
    client.socket.close();
    await recording.disconnectOf(connectionId);
  });

  it('gives each connection its own id', async () => {
    const a = await connected();
    const b = await connected();
    expect(a.connectionId).not.toBe(b.connectionId);
    a.client.socket.close();
    b.client.socket.close();
    await Promise.all([recording.disconnectOf(a.connectionId), recording.disconnectOf(b.connectionId)]);
  });

  it('refuses the upgrade with the status $connect answers, and no connection exists', async () => {
    const before = recording.invocations.length;
    expect(await refusal(`${gateway.url}?token=forged`)).toBe(401);
    expect(await refusal(gateway.url)).toBe(401);
    const events = recording.invocations.slice(before);
    expect(events.map((i) => i.name)).toEqual(['connectFn', 'connectFn']);
    expect(events[1]?.event.queryStringParameters).toBeNull();
    expect(events[1]?.event.multiValueQueryStringParameters).toBeNull();
    const refused = events[0]?.event.requestContext.connectionId;
    expect(gateway.connections()).not.toContain(refused);
    expect((await rejection(management.send(new GetConnectionCommand({ ConnectionId: refused })))).name).toBe(
      'GoneException',
    );
  });

  it('answers 404 to an upgrade elsewhere than the stage, without running $connect', async () => {
    const before = recording.invocations.length;
    expect(await refusal(gateway.url.replace('/local', '/prod'))).toBe(404);
    expect(await refusal(`${gateway.url}/nested?token=good`)).toBe(404);
    expect(recording.invocations.length).toBe(before);
  });

  it('pushes a message posted through the management API (the real SDK client) to the socket', async () => {
    const { client, connectionId } = await connected();
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'hello-secret' }));
    expect(await client.nextMessage()).toBe('hello-secret');
    // Larger than a frame: split in 32 KB frames, received as one message.
    const large = 'é'.repeat(50 * 1024);
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: large }));
    expect(await client.nextMessage()).toBe(large);
    client.socket.close();
    await recording.disconnectOf(connectionId);
  });

  it('refuses a message over 128 KB (PayloadTooLargeException)', async () => {
    const { client, connectionId } = await connected();
    const error = await rejection(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(128 * 1024 + 1) })),
    );
    expect(error.name).toBe('PayloadTooLargeException');
    expect(error.$metadata?.httpStatusCode).toBe(413);
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(128 * 1024) }));
    expect((await client.nextMessage()).length).toBe(128 * 1024);
    client.socket.close();
    await recording.disconnectOf(connectionId);
  });

  it('describes a connection (GetConnection)', async () => {
    const { client, connectEvent, connectionId } = await connected();
    const description = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(description.ConnectedAt).toEqual(new Date(connectEvent.requestContext.connectedAt));
    expect(description.LastActiveAt).toBeInstanceOf(Date);
    expect(description.Identity).toEqual({ SourceIp: '127.0.0.1' });
    client.socket.close();
    await recording.disconnectOf(connectionId);
  });

  it('closes a connection on DeleteConnection, runs $disconnect, and the connection is gone', async () => {
    const { client, connectEvent, connectionId } = await connected();
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await client.closed).code).toBe(1000);
    const { event } = await recording.disconnectOf(connectionId);
    expect(event).toEqual({
      headers: { Host: domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
      multiValueHeaders: { Host: [domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
      requestContext: {
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        disconnectStatusCode: 1000,
        disconnectReason: 'Connection closed by the server',
        extendedRequestId: expect.stringMatching(AWS_ID),
        requestTime: expect.stringMatching(REQUEST_TIME),
        messageDirection: 'IN',
        stage: 'local',
        connectedAt: connectEvent.requestContext.connectedAt,
        requestTimeEpoch: expect.any(Number),
        identity: { sourceIp: '127.0.0.1' },
        requestId: expect.stringMatching(AWS_ID),
        domainName,
        connectionId,
        apiId: 'localws',
      },
      isBase64Encoded: false,
    });
    expect(gateway.connections()).not.toContain(connectionId);
    const gone = await rejection(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' })),
    );
    expect(gone).toBeInstanceOf(GoneException);
    expect(gone.name).toBe('GoneException');
    expect(gone.$metadata?.httpStatusCode).toBe(410);
    expect((await rejection(management.send(new DeleteConnectionCommand({ ConnectionId: connectionId })))).name).toBe(
      'GoneException',
    );
    expect(
      (await rejection(management.send(new PostToConnectionCommand({ ConnectionId: 'never-seen', Data: 'x' })))).name,
    ).toBe('GoneException');
  });

  it("runs $disconnect with the client's close code when the client closes", async () => {
    const { client, connectionId } = await connected();
    client.socket.close(4001, 'bye');
    const { event } = await recording.disconnectOf(connectionId);
    expect(event.requestContext).toMatchObject({ disconnectStatusCode: 4001, disconnectReason: 'bye' });
    expect(
      (await rejection(management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' })))).name,
    ).toBe('GoneException');
  });

  it('answers a client frame as API Gateway answers one no route matches (Forbidden)', async () => {
    const { client, connectionId } = await connected();
    client.socket.send('{"action":"sendMessage","text":"hello-secret"}');
    const answer = await client.nextMessage();
    expect(answer).toMatch(/^\{"message": "Forbidden", "connectionId":"[^"]+", "requestId":"[^"]+"\}$/);
    expect(JSON.parse(answer)).toEqual({
      message: 'Forbidden',
      connectionId,
      requestId: expect.stringMatching(AWS_ID),
    });
    // No function ran for it.
    expect(recording.invocations.filter((i) => i.event.requestContext.connectionId === connectionId)).toHaveLength(1);
    client.socket.close();
    await recording.disconnectOf(connectionId);
  });

  it("works with a browser's WebSocket (Node's global one)", async () => {
    const socket = new globalThis.WebSocket(`${gateway.url}?token=good`);
    const answer = new Promise<string>((resolve, reject) => {
      socket.addEventListener('open', () => socket.send('ping'));
      socket.addEventListener('message', (event) => resolve(String(event.data)));
      socket.addEventListener('error', () => reject(new Error('the connection failed')));
    });
    expect(JSON.parse(await answer).message).toBe('Forbidden');
    const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
    socket.close(1000);
    expect(await closed).toBe(1000);
  });

  it('closes the connection with 1009 on a frame over 32 KB, and runs $disconnect', async () => {
    const { client, connectionId } = await connected();
    client.socket.send('x'.repeat(32 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
    const { event } = await recording.disconnectOf(connectionId);
    expect(event.requestContext.disconnectStatusCode).toBe(1009);
  });

  it('fails a client that asks for a subprotocol $connect did not choose, as API Gateway does', async () => {
    const before = recording.invocations.length;
    await expect(connect(`${gateway.url}?token=good`, ['chat'])).rejects.toThrow(/subprotocol/);
    const connectionId = recording.invocations.slice(before).find((i) => i.name === 'connectFn')?.event
      .requestContext.connectionId;
    await recording.disconnectOf(connectionId);
  });

  it('refuses an unsigned or misdirected management call', async () => {
    const { client, connectionId } = await connected();
    const unsigned = await fetch(`${gateway.managementUrl}/local/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: 'x',
    });
    expect(unsigned.status).toBe(403);
    const otherStage = await rejection(
      managementClient(gateway, 'prod').send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' })),
    );
    expect(otherStage.name).toBe('ForbiddenException');
    client.socket.close();
    await recording.disconnectOf(connectionId);
  });

  it('never logs the query string (the token) nor a message', () => {
    expect(logged.length).toBeGreaterThan(0);
    const all = logged.join('\n');
    expect(all).not.toContain('token');
    expect(all).not.toContain('good');
    expect(all).not.toContain('hello-secret');
  });
});

describe('the answers of $connect the gateway cannot use', () => {
  it('answers 500 when the function fails or answers without a status, 403 as it answers', async () => {
    const answers: (() => unknown)[] = [
      () => {
        throw new Error('boom');
      },
      () => undefined,
      () => ({ body: 'ok' }),
      () => ({ statusCode: 403 }),
    ];
    const recording = recorder(() => answers.shift()?.());
    const { gateway, logged } = await start(recording);
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push(await refusal(`${gateway.url}?token=good`));
      expect(statuses).toEqual([500, 500, 500, 403]);
      expect(gateway.connections()).toEqual([]);
      expect(recording.invocations.map((i) => i.name)).toEqual(['connectFn', 'connectFn', 'connectFn', 'connectFn']);
      expect(logged).toContain('WS $connect failed: Error');
    } finally {
      await gateway.close();
    }
  });
});

describe('the limits', () => {
  it('closes an idle connection (1001) and runs $disconnect', async () => {
    const recording = recorder();
    const { gateway } = await start(recording, { limits: { idleMs: 200 } });
    try {
      const client = await connect(`${gateway.url}?token=good`);
      const connectionId = recording.invocations[0]?.event.requestContext.connectionId;
      expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
      const { event } = await recording.disconnectOf(connectionId);
      expect(event.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
      expect(gateway.connections()).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  it('closes a connection at its maximum duration (1001) and runs $disconnect', async () => {
    const recording = recorder();
    const { gateway } = await start(recording, { limits: { maxDurationMs: 200 } });
    try {
      const client = await connect(`${gateway.url}?token=good`);
      const connectionId = recording.invocations[0]?.event.requestContext.connectionId;
      expect((await client.closed).code).toBe(1001);
      expect((await recording.disconnectOf(connectionId)).event.requestContext.disconnectStatusCode).toBe(1001);
    } finally {
      await gateway.close();
    }
  });

  it('closes every connection when it stops, and $disconnect has run for each by then', async () => {
    const recording = recorder();
    const { gateway } = await start(recording);
    const clients = [await connect(`${gateway.url}?token=good`), await connect(`${gateway.url}?token=good`)];
    await gateway.close();
    expect((await Promise.all(clients.map((c) => c.closed))).map((c) => c.code)).toEqual([1001, 1001]);
    const disconnects = recording.invocations.filter((i) => i.name === 'disconnectFn');
    expect(disconnects.map((i) => i.event.requestContext.disconnectStatusCode)).toEqual([1001, 1001]);
  });
});
