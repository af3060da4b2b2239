/**
 * The local EventBridge bus (DESIGN.md §4, docs/adr/0004): PutEvents with EventBridge's entry
 * validation, the rules of events/rules.ts matched on exactly the pattern subset that
 * `eventPattern(rule)` produces, asynchronous delivery to the rule's target function, and Lambda
 * asynchronous invocation's retries (rule.retry.functionRetryAttempts, bounded by
 * maximumEventAgeSeconds) ending in the target's dead-letter queue (`deadLetters`: Lambda's
 * on-failure record in the context's queue, local/sqs-dead-letters.ts), as the target function's
 * asynchronous invocation does in AWS. `deadLetters()` lists this process's, for tests.
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { type EventRule, eventPattern } from '#events/rules.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import type { DeadLetterSink } from './sqs-dead-letters.ts';

/** Runs a function's real handler with an event; a rejection is a handler failure. */
export type Invoke = (fn: FunctionName, event: unknown) => Promise<unknown>;

/** The event EventBridge hands to a Lambda target. */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

export interface DeadLetter {
  readonly rule: string;
  readonly target: FunctionName;
  readonly event: EventBridgeEvent;
  /** Invocations made, the first one included. */
  readonly attempts: number;
  /** Why the retries stopped. */
  readonly reason: 'retries-exhausted' | 'maximum-event-age' | 'bus-closed';
  readonly error: { readonly name: string; readonly message: string };
  readonly failedAt: string;
}

export interface LocalEventBus {
  readonly busName: string;
  readonly busArn: string;
  /** EventBridge PutEvents: one result per entry, in order; throws AwsServiceError for a bad request. */
  putEvents(entries: PutEventsRequestEntry[]): PutEventsResultEntry[];
  /** The dead letters of this process (for tests); the durable copy is in the target's dead-letter queue. */
  deadLetters(): readonly DeadLetter[];
  /** Resolves when no delivery or retry is pending. */
  idle(): Promise<void>;
  /** Refuses new events, cancels pending retries (their events become dead letters), waits for running handlers. */
  close(): Promise<void>;
}

export interface LocalEventBusOptions {
  busName: string;
  rules: readonly EventRule[];
  invoke: Invoke;
  region?: string;
  account?: string;
  /** Delay before retry `attempt` (1 = first retry). Lambda waits about 1 then 2 minutes; locally 200 ms · 2^(attempt-1). */
  retryDelayMs?: (attempt: number) => number;
  /** Where an event goes once its target's retries are over (the context's dead-letter queue). */
  deadLetters?: Pick<DeadLetterSink, 'asyncFailure'>;
  log?: (line: string) => void;
  now?: () => Date;
}

/** An AWS API error: `name` is the AWS error code (`__type`), `statusCode` the HTTP status. */
export class AwsServiceError extends Error {
  readonly statusCode: number;
  /** Extra response headers (SQS's `x-amzn-query-error`). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(name: string, message: string, statusCode = 400, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

export const LOCAL_REGION = 'eu-west-3';
export const LOCAL_ACCOUNT = '000000000000';
/** PutEvents quotas: 10 entries a request, entries totalling less than 256 KB (sized as EventBridge documents). */
export const MAX_ENTRIES_PER_REQUEST = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

export const defaultRetryDelayMs = (attempt: number): number => 200 * 2 ** (attempt - 1);

// ---------------------------------------------------------------------------------------------
// Pattern matching: exactly the subset eventPattern(rule) produces.

export type EventPattern = Readonly<Record<string, unknown>>;

const SUPPORTED_PATTERN_KEYS = ['source', 'detail-type'] as const;

/**
 * Checks that a pattern stays in the subset the local bus matches exactly: only `source` and
 * `detail-type`, each a non-empty array of strings (EventBridge's exact string match). Anything
 * else (detail, prefix, anything-but, numeric, exists…) throws, so a richer pattern cannot reach
 * AWS untested.
 */
export function assertSupportedPattern(pattern: EventPattern): void {
  for (const [key, values] of Object.entries(pattern)) {
    if (!(SUPPORTED_PATTERN_KEYS as readonly string[]).includes(key)) {
      throw new Error(
        `Event pattern key "${key}" is outside the subset the local bus matches (${SUPPORTED_PATTERN_KEYS.join(', ')}).`,
      );
    }
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      throw new Error(`Event pattern "${key}" must be a non-empty array of strings (exact match only).`);
    }
  }
}

/** EventBridge matching for the supported subset: every pattern key matches when the event's value is one of its strings. */
export function matches(
  pattern: EventPattern,
  event: { readonly source: string; readonly 'detail-type': string },
): boolean {
  assertSupportedPattern(pattern);
  for (const key of SUPPORTED_PATTERN_KEYS) {
    const values = pattern[key] as readonly string[] | undefined;
    if (values !== undefined && !values.includes(event[key])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Retries shared with the scheduler.

export interface RetryLoopOptions {
  /** Retries after the first invocation. */
  readonly retries: number;
  readonly maximumEventAgeSeconds: number;
  /** When the event was received (ms since epoch). */
  readonly receivedAt: number;
  readonly delayMs: (attempt: number) => number;
  readonly now: () => number;
  /** Resolves true after the delay, false when cancelled (shutdown). */
  readonly sleep: (ms: number) => Promise<boolean>;
}

export type RetryOutcome =
  | { readonly ok: true; readonly attempts: number; readonly value: unknown }
  | {
      readonly ok: false;
      readonly attempts: number;
      readonly error: unknown;
      readonly reason: 'retries-exhausted' | 'maximum-event-age' | 'bus-closed';
    };

/** Lambda asynchronous invocation's retries: up to `retries` more tries, none once the event would be too old. */
export async function invokeWithRetries(
  call: (attempt: number) => Promise<unknown>,
  options: RetryLoopOptions,
): Promise<RetryOutcome> {
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      return { ok: true, attempts, value: await call(attempts) };
    } catch (error) {
      if (attempts > options.retries) return { ok: false, attempts, error, reason: 'retries-exhausted' };
      const delay = options.delayMs(attempts);
      if (options.now() + delay - options.receivedAt > options.maximumEventAgeSeconds * 1000) {
        return { ok: false, attempts, error, reason: 'maximum-event-age' };
      }
      if (!(await options.sleep(delay))) return { ok: false, attempts, error, reason: 'bus-closed' };
    }
  }
}

/** The name and message of a thrown value, never its other properties (which could hold data). */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'NonError', message: typeof error === 'string' ? error : 'a non-Error value was thrown' };
}

/** Arms a one-shot timer and returns its cancel function. */
export type SetTimer = (callback: () => void, delayMs: number) => () => void;

export const realSetTimer: SetTimer = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
};

/** Sleeps that a shutdown can cut short, and a set of pending work to wait for. */
export function createTaskTracker(setTimer: SetTimer = realSetTimer) {
  const pending = new Set<Promise<unknown>>();
  const sleepers = new Set<{ cancel: () => void; resolve: (completed: boolean) => void }>();
  let cancelled = false;
  return {
    track<T>(promise: Promise<T>): Promise<T> {
      pending.add(promise);
      const remove = () => pending.delete(promise);
      promise.then(remove, remove);
      return promise;
    },
    sleep(ms: number): Promise<boolean> {
      if (cancelled) return Promise.resolve(false);
      return new Promise((resolve) => {
        const sleeper = {
          cancel: setTimer(() => {
            sleepers.delete(sleeper);
            resolve(true);
          }, ms),
          resolve,
        };
        sleepers.add(sleeper);
      });
    },
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    cancelSleeps(): void {
      cancelled = true;
      for (const s of sleepers) {
        s.cancel();
        s.resolve(false);
      }
      sleepers.clear();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The bus.

/** EventBridge's entry size: Time 14 bytes, Source, DetailType, Detail and each Resource in UTF-8. */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const s of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (typeof s === 'string') size += Buffer.byteLength(s, 'utf8');
  }
  return size;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createLocalEventBus(options: LocalEventBusOptions): LocalEventBus {
  const region = options.region ?? LOCAL_REGION;
  const account = options.account ?? LOCAL_ACCOUNT;
  const busName = options.busName;
  const busArn = `arn:aws:events:${region}:${account}:event-bus/${busName}`;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => new Date());
  const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;

  const names = new Set<string>();
  const rules = options.rules.map((rule) => {
    if (names.has(rule.name)) throw new Error(`Duplicate event rule name "${rule.name}".`);
    names.add(rule.name);
    const pattern = eventPattern(rule);
    assertSupportedPattern(pattern);
    return { rule, pattern };
  });

  const tasks = createTaskTracker();
  const dead: DeadLetter[] = [];
  let closed = false;

  function busOf(entry: PutEventsRequestEntry): 'ours' | 'default' | undefined {
    const name = entry.EventBusName;
    if (name === undefined || name === '' || name === 'default') return 'default';
    if (name === busName || name === busArn) return 'ours';
    if (name === `arn:aws:events:${region}:${account}:event-bus/default`) return 'default';
    return undefined;
  }

  type Checked = { ok: true; detail: Record<string, unknown> } | { ok: false; result: PutEventsResultEntry };

  function reject(code: string, message: string): Checked {
    return { ok: false, result: { ErrorCode: code, ErrorMessage: message } };
  }

  function validate(entry: PutEventsRequestEntry): Checked {
    if (typeof entry.Source !== 'string' || entry.Source.trim() === '') {
      return reject('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    }
    if (typeof entry.DetailType !== 'string' || entry.DetailType.trim() === '') {
      return reject('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    }
    if (typeof entry.Detail !== 'string' || entry.Detail === '') {
      return reject('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return reject('MalformedDetail', 'Detail is malformed.');
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return reject('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
    }
    if (busOf(entry) === undefined) {
      return reject('InvalidArgument', `Event bus ${entry.EventBusName} does not exist.`);
    }
    return { ok: true, detail: detail as Record<string, unknown> };
  }

  function deliver(rule: EventRule, event: EventBridgeEvent, receivedAt: number): Promise<void> {
    const what = `rule=${rule.name} detail-type=${event['detail-type']} id=${event.id} target=${rule.target}`;
    const run = async () => {
      // putEvents has returned before any handler runs, as with EventBridge.
      await new Promise((resolve) => setImmediate(resolve));
      const outcome = await invokeWithRetries(
        // Each invocation gets its own copy, as a serialized Lambda payload would be.
        () => options.invoke(rule.target, structuredClone(event)),
        {
          retries: rule.retry.functionRetryAttempts,
          maximumEventAgeSeconds: rule.retry.maximumEventAgeSeconds,
          receivedAt,
          delayMs: retryDelayMs,
          now: () => now().getTime(),
          sleep: tasks.sleep,
        },
      );
      if (outcome.ok) {
        log(`event-bus: ${what} outcome=delivered attempts=${outcome.attempts}`);
        return;
      }
      const error = describeError(outcome.error);
      dead.push({
        rule: rule.name,
        target: rule.target,
        event,
        attempts: outcome.attempts,
        reason: outcome.reason,
        error,
        failedAt: now().toISOString(),
      });
      log(
        `event-bus: ${what} outcome=dead-letter reason=${outcome.reason} attempts=${outcome.attempts} error=${error.name}`,
      );
      await options.deadLetters?.asyncFailure(rule.target, {
        payload: event,
        attempts: outcome.attempts,
        reason: outcome.reason,
        error,
      });
    };
    return run();
  }

  return {
    busName,
    busArn,
    putEvents(entries) {
      if (closed) throw new AwsServiceError('InternalException', 'The local event bus is closed.', 500);
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES_PER_REQUEST) {
        throw new AwsServiceError(
          'ValidationException',
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES_PER_REQUEST}`,
        );
      }
      if (entries.reduce((sum, e) => sum + entrySize(e), 0) >= MAX_REQUEST_BYTES) {
        throw new AwsServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
      }
      return entries.map((entry) => {
        const checked = validate(entry);
        if (!checked.ok) return checked.result;
        const receivedAt = now();
        const event: EventBridgeEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': entry.DetailType as string,
          source: entry.Source as string,
          account,
          time: isoSeconds(entry.Time ?? receivedAt),
          region,
          resources: [...(entry.Resources ?? [])],
          detail: checked.detail,
        };
        const head = `detail-type=${event['detail-type']} id=${event.id}`;
        if (busOf(entry) === 'default') {
          log(`event-bus: ${head} outcome=no-rule (put on the default bus; set EventBusName to ${busName})`);
        } else {
          const matching = rules.filter(({ pattern }) => matches(pattern, event));
          if (matching.length === 0) log(`event-bus: ${head} outcome=no-rule`);
          for (const { rule } of matching) tasks.track(deliver(rule, event, receivedAt.getTime()));
        }
        return { EventId: event.id };
      });
    },
    deadLetters: () => [...dead],
    idle: () => tasks.idle(),
    async close() {
      closed = true;
      tasks.cancelSleeps();
      await tasks.idle();
    },
  };
}

/** `{ FailedEntryCount, Entries }` as PutEvents answers. */
export function putEventsResponse(entries: PutEventsResultEntry[]): {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
} {
  return { FailedEntryCount: entries.filter((e) => e.ErrorCode !== undefined).length, Entries: entries };
}
