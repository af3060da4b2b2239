/**
 * Lambda's asynchronous invocation, locally (`Invoke` with `X-Amz-Invocation-Type: Event` on
 * local/aws-endpoint.ts): accepted at once (202), then the function runs in the local runtime with
 * its asynchronous retries (its EventInvokeConfig: the rule's or the schedules' retry policy,
 * Lambda's defaults of 2 retries and 6 hours otherwise), and a handler that still fails goes to
 * its on-failure queue, or is dropped when it has none, as Lambda does (local/sqs-dead-letters.ts).
 * This is what `npm run dead-letters -- --redrive` calls to hand an event back to its function.
 */
import type { FunctionName } from '#functions/catalogue.ts';
import { createTaskTracker, defaultRetryDelayMs, describeError, type Invoke, invokeWithRetries } from './event-bus.ts';
import type { DeadLetterRouting, DeadLetterSink } from './sqs-dead-letters.ts';

/** Lambda's asynchronous-invocation defaults, for a function without an EventInvokeConfig. */
export const LAMBDA_ASYNC_DEFAULTS = { retries: 2, maximumEventAgeSeconds: 6 * 3600 } as const;

export interface AsyncInvoker {
  /** Queues an invocation and returns at once; the outcome is logged, a failure dead-lettered. */
  invokeAsync(fn: FunctionName, payload: unknown): void;
  /** Resolves when no invocation or retry is pending. */
  idle(): Promise<void>;
  /** Cancels pending retries (their events are dead-lettered) and waits for running handlers. */
  close(): Promise<void>;
}

export interface AsyncInvokerOptions {
  readonly invoke: Invoke;
  readonly routing: DeadLetterRouting;
  readonly deadLetters: DeadLetterSink;
  readonly retryDelayMs?: (attempt: number) => number;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

export function createAsyncInvoker(options: AsyncInvokerOptions): AsyncInvoker {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const tasks = createTaskTracker();
  let closed = false;

  async function run(fn: FunctionName, payload: unknown, receivedAt: number): Promise<void> {
    // Invoke has answered 202 before the handler runs, as in Lambda.
    await new Promise((resolve) => setImmediate(resolve));
    const config = options.routing.asyncInvocation(fn) ?? LAMBDA_ASYNC_DEFAULTS;
    const outcome = await invokeWithRetries(() => options.invoke(fn, structuredClone(payload)), {
      retries: config.retries,
      maximumEventAgeSeconds: config.maximumEventAgeSeconds,
      receivedAt,
      delayMs: options.retryDelayMs ?? defaultRetryDelayMs,
      now: () => now().getTime(),
      sleep: tasks.sleep,
    });
    if (outcome.ok) {
      log(`lambda: invoke ${fn} (asynchronous) outcome=ok attempts=${outcome.attempts}`);
      return;
    }
    const error = describeError(outcome.error);
    log(
      `lambda: invoke ${fn} (asynchronous) outcome=failed reason=${outcome.reason} attempts=${outcome.attempts} error=${error.name}`,
    );
    await options.deadLetters.asyncFailure(fn, { payload, attempts: outcome.attempts, reason: outcome.reason, error });
  }

  return {
    invokeAsync(fn, payload) {
      if (closed) throw new Error('The local Lambda service is stopping');
      tasks.track(run(fn, payload, now().getTime()));
    },
    idle: () => tasks.idle(),
    async close() {
      closed = true;
      tasks.cancelSleeps();
      await tasks.idle();
    },
  };
}
