/**
 * The local Stripe emulator: a node:http server answering the Stripe API endpoints the backend
 * calls, in Stripe's wire format, with objects typed by the stripe SDK, and delivering signed
 * webhooks. Point the SDK at it with `new Stripe(key, { host, port, protocol: 'http' })`.
 * Why it exists and what it leaves out: docs/adr/0003-local-stripe-emulator.md.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi, type HttpAnswer, type HttpCall } from './api/pipeline.ts';
import type { EmulationCore } from './context.ts';
import { createControlHandler } from './control-routes.ts';
import { createControls, type EmulatorControls } from './controls.ts';
import { createStateWriter, loadSnapshot, type StateWriter } from './persistence.ts';
import { createStore, restoreStore, snapshotOf } from './store.ts';
import { createWebhookDispatcher, type RetryPolicy } from './webhooks/dispatcher.ts';

export type { EmulatorControls, WebhookControls } from './controls.ts';
export type { DisputeReason } from './objects/dispute.ts';
export type { DeclineCode } from './test-cards.ts';
export { TEST_CARDS } from './test-cards.ts';
export type { RetryPolicy, WebhookDelivery } from './webhooks/dispatcher.ts';

export interface StripeEmulatorOptions {
  /** 0 or absent: an ephemeral port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where events are POSTed; absent: events are recorded and retrievable, not delivered. */
  readonly webhookUrl?: string;
  /** The endpoint's signing secret (`whsec_…`), the one the backend verifies with. */
  readonly webhookSecret: string;
  /** The clock of the objects' `created` and of link expiries; webhook signatures use the real time. */
  readonly now?: () => Date;
  readonly webhookRetry?: Partial<RetryPolicy>;
  /** Deliver every event this many times (default 1), to exercise the consumer's deduplication. */
  readonly deliveriesPerEvent?: number;
  /**
   * A folder to keep the whole state in (persistence.ts), reloaded at start; events the endpoint
   * had not yet accepted are sent again. Absent: in memory, lost on stop.
   */
  readonly dataDir?: string;
}

/** The publishable key a local front end uses with Stripe.js against the emulator (any `pk_test_…` is accepted). */
export const EMULATOR_PUBLISHABLE_KEY = 'pk_test_local';

/** The API is called from browsers (Stripe.js): Stripe answers CORS, so does the emulator. */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, Stripe-Account, Stripe-Version',
  'Access-Control-Max-Age': '300',
};

export interface StripeEmulator extends EmulatorControls {
  /** `http://<host>:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops delivering webhooks and closes the server. */
  close(): Promise<void>;
}

/** The controls, each noting a change of state once done (the webhook levers change none). */
function persisting(controls: EmulatorControls, writer: StateWriter): EmulatorControls {
  const wrapped: Record<string, unknown> = { ...controls };
  for (const [name, value] of Object.entries(controls)) {
    if (typeof value !== 'function' || name === 'events') continue;
    wrapped[name] = (...args: unknown[]) => {
      try {
        return (value as (...a: unknown[]) => unknown)(...args);
      } finally {
        writer.changed();
      }
    };
  }
  return wrapped as unknown as EmulatorControls;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startStripeEmulator(options: StripeEmulatorOptions): Promise<StripeEmulator> {
  if (!options.webhookSecret) throw new Error('startStripeEmulator: webhookSecret is required');
  const store = createStore();
  const saved = options.dataDir ? loadSnapshot(options.dataDir) : null;
  if (saved) restoreStore(store, saved);
  const writer: StateWriter = options.dataDir
    ? createStateWriter(options.dataDir, () => snapshotOf(store))
    : { changed: () => {}, flush: () => {} };
  let baseUrl = '';
  const dispatcher = createWebhookDispatcher({
    url: options.webhookUrl,
    secret: options.webhookSecret,
    retry: options.webhookRetry,
    deliveriesPerEvent: options.deliveriesPerEvent,
    onDelivered: (eventId) => {
      const event = store.events.get(eventId);
      if (event) event.pending_webhooks = 0;
      store.undelivered.delete(eventId);
      writer.changed();
    },
    onGaveUp: (eventId) => {
      store.undelivered.delete(eventId);
      writer.changed();
    },
  });
  const core: EmulationCore = {
    store,
    now: options.now ?? (() => new Date()),
    baseUrl: () => baseUrl,
    endpointCount: () => (dispatcher.endpoint() ? 1 : 0),
    publish: (event) => {
      if (dispatcher.endpoint()) store.undelivered.add(event.id);
      dispatcher.enqueue(event);
      writer.changed();
    },
  };
  const controls = persisting(createControls(core, dispatcher), writer);
  const api = createApi(core);
  const control = createControlHandler(core, controls);

  const server = createServer(async (request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS).end();
      return;
    }
    let answer: HttpAnswer;
    try {
      const url = new URL(request.url ?? '/', 'http://stripe-emulator');
      const call: HttpCall = {
        method: request.method ?? 'GET',
        pathname: url.pathname,
        query: url.search.slice(1),
        body: await readBody(request),
        headers: request.headers,
      };
      answer = url.pathname.startsWith('/_emulator/') ? await control(call) : api(call);
      writer.changed();
    } catch (error) {
      console.error('[stripe-emulator] unexpected error', error);
      const message = `The Stripe emulator failed: ${error instanceof Error ? error.message : String(error)}`;
      answer = {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ error: { type: 'api_error', message } }),
      };
    }
    response.writeHead(answer.status, { ...CORS_HEADERS, ...answer.headers }).end(answer.body);
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;
  // What the endpoint had not accepted before the restart is owed to it still.
  for (const eventId of [...store.undelivered]) {
    const event = store.events.get(eventId);
    if (event && dispatcher.endpoint()) dispatcher.enqueue(event);
    else store.undelivered.delete(eventId);
  }

  return {
    ...controls,
    url: baseUrl,
    host,
    port,
    close() {
      dispatcher.close();
      writer.flush();
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
