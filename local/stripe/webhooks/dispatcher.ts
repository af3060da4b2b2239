/**
 * Webhook delivery as Stripe does it, scaled down for a laptop: each event is POSTed, signed, to
 * the endpoint after the API call that caused it has answered; a non-2xx answer, a network error
 * or a timeout is retried with exponential backoff, up to `maxAttempts` (Stripe retries for up
 * to three days; here 5 attempts over about 4 s by default). Every delivery of one event, retries
 * and duplicates alike, carries the same event id and body, so that a consumer can deduplicate.
 *
 * Deliveries are sent one at a time, in the order the events were emitted; a retried event goes
 * back in line when its delay has passed, so later events may overtake it, as in production.
 * For tests: `enqueue(event, copies)` delivers duplicates, `pause()`/`resume(order)` delivers
 * held events in a chosen order, and `deliveries()` lists every attempt.
 */
import type Stripe from 'stripe';
import { signatureHeader } from './signature.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** How long the endpoint may take to answer one delivery. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 250, maxDelayMs: 4_000, timeoutMs: 5_000 };

export interface WebhookDelivery {
  readonly eventId: string;
  readonly eventType: string;
  /** 1 for the first try of a copy, then 2, 3... for its retries. */
  readonly attempt: number;
  readonly url: string;
  /** The endpoint's HTTP status, or null when it could not be reached in time. */
  readonly status: number | null;
  readonly error: string | null;
  readonly ok: boolean;
  /** True when this attempt failed and no retry will follow. */
  readonly gaveUp: boolean;
  readonly signature: string;
  readonly body: string;
  readonly at: Date;
}

export interface WebhookDispatcherOptions {
  readonly url?: string | undefined;
  readonly secret: string;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Every event is delivered this many times (default 1), to test deduplication. */
  readonly deliveriesPerEvent?: number | undefined;
  /** Called once an event has been accepted (2xx) by the endpoint. */
  readonly onDelivered?: (eventId: string) => void;
  /** Called when the last attempt of an event failed: no more retries. */
  readonly onGaveUp?: (eventId: string) => void;
}

export interface WebhookDispatcher {
  endpoint(): string | undefined;
  setEndpoint(url: string | undefined): void;
  /** Queues `copies` deliveries of the event (default: `deliveriesPerEvent`). */
  enqueue(event: Stripe.Event, copies?: number): void;
  deliveries(): WebhookDelivery[];
  /** Ids of the events waiting to be sent, in sending order (retries waiting for their delay excluded). */
  pending(): string[];
  /** Holds every delivery until `resume`. */
  pause(): void;
  /** Sends the held deliveries, those of the events listed in `order` first and in that order. */
  resume(order?: readonly string[]): void;
  /** Resolves once nothing is queued, in flight or waiting for a retry (never while paused with work held). */
  idle(): Promise<void>;
  close(): void;
}

interface Job {
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  readonly attempt: number;
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const copiesPerEvent = options.deliveriesPerEvent ?? 1;
  const bodies = new Map<string, string>();
  const ready: Job[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const log: WebhookDelivery[] = [];
  const waiters: (() => void)[] = [];
  const abort = new AbortController();
  let url = options.url;
  let paused = false;
  let inFlight = false;
  let closed = false;

  const settleIfIdle = () => {
    if (closed || (ready.length === 0 && !inFlight && timers.size === 0))
      for (const resolve of waiters.splice(0)) resolve();
  };

  const schedule = () => setImmediate(() => void pump());

  async function pump(): Promise<void> {
    if (inFlight || paused || closed) return settleIfIdle();
    const job = ready.shift();
    if (!job) return settleIfIdle();
    inFlight = true;
    try {
      await send(job);
    } finally {
      inFlight = false;
    }
    schedule();
  }

  async function send(job: Job): Promise<void> {
    const target = url;
    if (!target) return;
    const signature = signatureHeader(job.body, options.secret, Math.floor(Date.now() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Stripe-Signature': signature,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: job.body,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(retry.timeoutMs)]),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    if (closed) return;
    const ok = status !== null && status >= 200 && status < 300;
    const gaveUp = !ok && job.attempt >= retry.maxAttempts;
    log.push({ ...job, url: target, status, error, ok, gaveUp, signature, at: new Date() });
    if (ok) options.onDelivered?.(job.eventId);
    if (gaveUp) options.onGaveUp?.(job.eventId);
    if (ok || gaveUp) return;
    const delay = Math.min(retry.initialDelayMs * 2 ** (job.attempt - 1), retry.maxDelayMs);
    const timer = setTimeout(() => {
      timers.delete(timer);
      ready.push({ ...job, attempt: job.attempt + 1 });
      schedule();
    }, delay);
    timer.unref();
    timers.add(timer);
  }

  return {
    endpoint: () => url,
    setEndpoint(next) {
      url = next;
    },
    enqueue(event, copies = copiesPerEvent) {
      if (!url || closed) return;
      const body = bodies.get(event.id) ?? JSON.stringify(event, null, 2);
      bodies.set(event.id, body);
      for (let i = 0; i < copies; i++) ready.push({ eventId: event.id, eventType: event.type, body, attempt: 1 });
      schedule();
    },
    deliveries: () => [...log],
    pending: () => ready.map((job) => job.eventId),
    pause() {
      paused = true;
    },
    resume(order = []) {
      const rank = (job: Job) => {
        const index = order.indexOf(job.eventId);
        return index === -1 ? order.length : index;
      };
      const sorted = [...ready].sort((a, b) => rank(a) - rank(b));
      ready.splice(0, ready.length, ...sorted);
      paused = false;
      schedule();
    },
    idle() {
      return new Promise((resolve) => {
        waiters.push(resolve);
        settleIfIdle();
      });
    },
    close() {
      closed = true;
      abort.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      ready.length = 0;
      settleIfIdle();
    },
  };
}
