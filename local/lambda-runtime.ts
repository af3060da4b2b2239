/**
 * Runs the functions of functions/catalogue.ts the way Lambda runs them, each in its own instance:
 * a worker thread (./lambda-worker.ts) started on the function's first invocation (a cold start:
 * its init code runs once) whose process.env is exactly the environment given for that function,
 * so a variable its entry does not declare is missing locally as in AWS, and its logger names its
 * own service. Events and results cross as JSON, as Lambda serializes them; a handler's error
 * comes back as an Error with the name, message and stack Lambda reports.
 *
 * Concurrency: as a Lambda sandbox, an instance runs one invocation at a time; concurrent
 * invocations start more instances, up to `maxInstances` per function (4 by default: enough for
 * races between instances to stay visible, few enough to bound memory), and beyond that wait for
 * a free one (the wait is not counted in the timeout: Lambda would have started another
 * instance). An invocation that exceeds the function's timeout fails with Lambda's
 * `Sandbox.Timedout`, and its instance is discarded as Lambda discards a timed-out sandbox: the
 * next invocation cold-starts a new one. An instance idle for `idleMs` is reclaimed (Lambda does
 * too, after minutes).
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  type FunctionDefinition,
  type FunctionName,
} from '#functions/catalogue.ts';
import type { FromWorker, ReportedError, ToWorker, WorkerData } from './lambda-worker.ts';

export interface LambdaRuntime {
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  /** The functions with a live instance, for tests and the local cloud's log. */
  running(): FunctionName[];
  /** The process.env inside the function's live instance (started if need be): for isolation tests. */
  instanceEnvironment(name: FunctionName): Promise<Record<string, string>>;
  /** Terminates every instance; pending invocations fail. */
  stop(): Promise<void>;
}

export interface LambdaRuntimeOptions {
  readonly root: string;
  readonly account: string;
  readonly definitions: Readonly<Record<FunctionName, FunctionDefinition>>;
  /** The whole environment an instance of the function starts with (nothing else is inherited). */
  readonly environment: (name: FunctionName) => Readonly<Record<string, string>>;
  /** Reclaim an instance idle this long; 5 minutes by default. */
  readonly idleMs?: number;
  /** Instances of one function at most; 4 by default. */
  readonly maxInstances?: number;
  readonly compileCacheDir?: string;
  readonly log?: (line: string) => void;
}

/** An Error as Lambda reports a function's failure (errorType, errorMessage, trace). */
export function functionError(reported: ReportedError): Error {
  const error = new Error(reported.message);
  error.name = reported.name;
  if (reported.stack) error.stack = reported.stack;
  return error;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Instance {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  /** The invocation it runs: one at a time, as a Lambda sandbox. */
  readonly pending: Map<number, Pending>;
  readonly inspections: Map<number, (environment: Record<string, string>) => void>;
  busy: boolean;
  retired: boolean;
  idleTimer?: NodeJS.Timeout;
}

/** A function's instances, and the invocations waiting for one to be free. */
interface Pool {
  readonly instances: Set<Instance>;
  /** Each gets a free instance (already marked busy), or undefined to look again. */
  readonly waiting: ((instance: Instance | undefined) => void)[];
}

export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const log = options.log ?? (() => undefined);
  const idleMs = options.idleMs ?? 5 * 60_000;
  const maxInstances = options.maxInstances ?? 4;
  const compileCacheDir = options.compileCacheDir ?? join(tmpdir(), 'mpbe-lambda-compile-cache');
  const pools = new Map<FunctionName, Pool>();
  let nextId = 1;
  let stopped = false;
  const stoppedError = () => new Error('The local Lambda runtime stopped');

  const poolOf = (name: FunctionName): Pool => {
    let pool = pools.get(name);
    if (!pool) {
      pool = { instances: new Set(), waiting: [] };
      pools.set(name, pool);
    }
    return pool;
  };

  /** Takes an instance out of service; it is ended at once (it runs one invocation at most). */
  function retire(name: FunctionName, instance: Instance): void {
    if (instance.retired) return;
    instance.retired = true;
    clearTimeout(instance.idleTimer);
    poolOf(name).instances.delete(instance);
    void instance.worker.terminate();
    // An invocation waiting for a free instance may now start a new one.
    if (!instance.busy) poolOf(name).waiting.shift()?.(undefined);
  }

  function failAll(instance: Instance, error: Error): void {
    for (const [id, pending] of instance.pending) {
      clearTimeout(pending.timer);
      instance.pending.delete(id);
      pending.reject(error);
    }
  }

  function start(name: FunctionName): Instance {
    const definition = options.definitions[name];
    const started = performance.now();
    const worker = new Worker(new URL('./lambda-worker.ts', import.meta.url), {
      // Exactly this environment: nothing of the local cloud's own process.env leaks in.
      env: { ...options.environment(name) },
      workerData: {
        entryPath: join(options.root, definition.entry),
        account: options.account,
        compileCacheDir,
      } satisfies WorkerData,
      // The function's memory as the heap's ceiling (Lambda's limit covers more than the heap).
      resourceLimits: { maxOldGenerationSizeMb: definition.memoryMb ?? DEFAULT_MEMORY_MB },
    });
    const pending = new Map<number, Pending>();
    let markReady: () => void = () => undefined;
    let failInit: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failInit = reject;
    });
    // A failed init is reported to the invocation that waited for it; nobody else need listen.
    ready.catch(() => undefined);
    const instance: Instance = { worker, ready, pending, inspections: new Map(), busy: false, retired: false };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        log(`lambda: ${name} cold start ${Math.round(performance.now() - started)} ms`);
        markReady();
        return;
      }
      if (message.type === 'init-error') {
        // Lambda discards an instance whose init failed: the next invocation initializes again.
        log(`lambda: ${name} init failed: ${message.error.name}: ${message.error.message}`);
        failInit(functionError(message.error));
        retire(name, instance);
        return;
      }
      if (message.type === 'environment') {
        instance.inspections.get(message.id)?.(message.environment);
        instance.inspections.delete(message.id);
        return;
      }
      const call = pending.get(message.id);
      if (!call) return; // timed out already
      pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.type === 'result') call.resolve(JSON.parse(message.payload));
      else call.reject(functionError(message.error));
    });
    worker.on('error', (error) => {
      // An uncaught exception or unhandled rejection ends the runtime, as in Lambda.
      const reported = functionError({ name: `Runtime.${error.name}`, message: error.message });
      log(`lambda: ${name} instance crashed: ${error.name}`);
      failInit(reported);
      failAll(instance, reported);
      retire(name, instance);
    });
    worker.on('exit', (code) => {
      const error = stopped
        ? stoppedError()
        : functionError({ name: 'Runtime.ExitError', message: `The instance exited with code ${code}` });
      failInit(error);
      failAll(instance, error);
      retire(name, instance);
    });
    poolOf(name).instances.add(instance);
    return instance;
  }

  /**
   * A free instance of the function, marked busy: an idle one, else a new one while the function
   * has fewer than `maxInstances`, else the next one freed (the wait is not part of the timeout).
   */
  async function acquire(name: FunctionName): Promise<Instance> {
    for (;;) {
      if (stopped) throw stoppedError();
      const pool = poolOf(name);
      let instance = [...pool.instances].find((i) => !i.busy && !i.retired);
      if (!instance && pool.instances.size < maxInstances) instance = start(name);
      if (instance) instance.busy = true;
      else instance = await new Promise<Instance | undefined>((resolve) => pool.waiting.push(resolve));
      if (!instance) continue;
      clearTimeout(instance.idleTimer);
      try {
        await instance.ready;
      } catch (error) {
        release(name, instance);
        throw error;
      }
      if (!instance.retired) return instance;
      release(name, instance);
    }
  }

  /** After an invocation: the instance goes to a waiting invocation, or idles until reclaimed. */
  function release(name: FunctionName, instance: Instance): void {
    instance.busy = false;
    const pool = poolOf(name);
    const next = pool.waiting.shift();
    if (instance.retired) {
      next?.(undefined);
      return;
    }
    if (next) {
      instance.busy = true;
      next(instance);
      return;
    }
    instance.idleTimer = setTimeout(() => {
      if (!instance.busy) retire(name, instance);
    }, idleMs);
    instance.idleTimer.unref();
  }

  function run(name: FunctionName, instance: Instance, payload: string): Promise<unknown> {
    const definition = options.definitions[name];
    const timeoutSeconds = definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const requestId = randomUUID();
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        instance.pending.delete(id);
        log(`lambda: ${name} timed out after ${timeoutSeconds} s (request ${requestId}); its instance is retired`);
        reject(
          functionError({
            name: 'Sandbox.Timedout',
            message: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
          }),
        );
        retire(name, instance);
      }, timeoutSeconds * 1000);
      instance.pending.set(id, { resolve, reject, timer });
      instance.worker.postMessage({
        type: 'invoke',
        id,
        event: payload,
        requestId,
        deadline: Date.now() + timeoutSeconds * 1000,
      } satisfies ToWorker);
    });
  }

  async function invoke(name: FunctionName, event: unknown): Promise<unknown> {
    if (stopped) throw new Error('The local Lambda runtime is stopped');
    if (!options.definitions[name])
      throw functionError({ name: 'ResourceNotFoundException', message: `Function not found: ${name}` });
    const payload = JSON.stringify(event ?? null);
    const instance = await acquire(name);
    try {
      return await run(name, instance, payload);
    } finally {
      release(name, instance);
    }
  }

  return {
    invoke,
    running: () => [...pools].filter(([, pool]) => pool.instances.size > 0).map(([name]) => name),
    async instanceEnvironment(name) {
      const instance = [...poolOf(name).instances].find((i) => !i.retired) ?? start(name);
      await instance.ready;
      const id = nextId++;
      return new Promise((resolve) => {
        instance.inspections.set(id, resolve);
        instance.worker.postMessage({ type: 'environment', id } satisfies ToWorker);
      });
    },
    async stop() {
      stopped = true;
      const stopping = [...pools.values()].flatMap((pool) => {
        for (const waiter of pool.waiting.splice(0)) waiter(undefined);
        return [...pool.instances];
      });
      for (const instance of stopping) {
        instance.retired = true;
        failAll(instance, stoppedError());
      }
      await Promise.all(stopping.map((instance) => instance.worker.terminate()));
      pools.clear();
    },
  };
}
