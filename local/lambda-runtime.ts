/**
 * Runs the functions of functions/catalogue.ts the way Lambda runs them, each in its own instance:
 * a worker thread (./lambda-worker.ts) started on the function's first invocation (a cold start:
 * its init code runs once) whose process.env is exactly the environment given for that function,
 * so a variable its entry does not declare is missing locally as in AWS, and its logger names its
 * own service. Events and results cross as JSON, as Lambda serializes them; a handler's error
 * comes back as an Error with the name, message and stack Lambda reports.
 *
 * Concurrency: one instance per function serves concurrent invocations (Lambda would start more
 * instances; one keeps memory bounded and still lets the invocations interleave, so races between
 * them stay visible). An invocation that exceeds the function's timeout fails with Lambda's
 * `Sandbox.Timedout`, and its instance is retired as Lambda discards a timed-out sandbox: the next
 * invocation cold-starts a new one, and the old one is terminated once its other invocations end.
 * An instance idle for `idleMs` is reclaimed (Lambda does too, after minutes).
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
  readonly pending: Map<number, Pending>;
  readonly inspections: Map<number, (environment: Record<string, string>) => void>;
  retired: boolean;
  idleTimer?: NodeJS.Timeout;
}

export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const log = options.log ?? (() => undefined);
  const idleMs = options.idleMs ?? 5 * 60_000;
  const compileCacheDir = options.compileCacheDir ?? join(tmpdir(), 'mpbe-lambda-compile-cache');
  const current = new Map<FunctionName, Instance>();
  const all = new Set<Instance>();
  let nextId = 1;
  let stopped = false;

  function retire(name: FunctionName, instance: Instance): void {
    instance.retired = true;
    if (current.get(name) === instance) current.delete(name);
    clearTimeout(instance.idleTimer);
    if (instance.pending.size === 0) void terminate(instance);
  }

  async function terminate(instance: Instance): Promise<void> {
    all.delete(instance);
    clearTimeout(instance.idleTimer);
    await instance.worker.terminate();
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
    // A failed init is reported to the invocations that waited for it; nobody else need listen.
    ready.catch(() => undefined);
    const instance: Instance = { worker, ready, pending, inspections: new Map(), retired: false };
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
      settle(name, instance);
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
      all.delete(instance);
      if (current.get(name) === instance) current.delete(name);
      const error = stopped
        ? new Error('The local Lambda runtime stopped')
        : functionError({ name: 'Runtime.ExitError', message: `The instance exited with code ${code}` });
      failInit(error);
      failAll(instance, error);
    });
    current.set(name, instance);
    all.add(instance);
    return instance;
  }

  /** After an invocation: terminate a retired instance once idle, or arm the idle reclaim. */
  function settle(name: FunctionName, instance: Instance): void {
    if (instance.pending.size > 0) return;
    if (instance.retired) {
      void terminate(instance);
      return;
    }
    clearTimeout(instance.idleTimer);
    instance.idleTimer = setTimeout(() => {
      if (instance.pending.size === 0) retire(name, instance);
    }, idleMs);
    instance.idleTimer.unref();
  }

  async function invoke(name: FunctionName, event: unknown): Promise<unknown> {
    if (stopped) throw new Error('The local Lambda runtime is stopped');
    const definition = options.definitions[name];
    if (!definition) throw functionError({ name: 'ResourceNotFoundException', message: `Function not found: ${name}` });
    const payload = JSON.stringify(event ?? null);
    let instance = current.get(name) ?? start(name);
    await instance.ready;
    // Retired while this call waited for its init (another call timed out): use a fresh one.
    while (instance.retired) {
      instance = current.get(name) ?? start(name);
      await instance.ready;
    }
    clearTimeout(instance.idleTimer);
    const timeoutSeconds = definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const requestId = randomUUID();
    const id = nextId++;
    const target = instance;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        target.pending.delete(id);
        log(`lambda: ${name} timed out after ${timeoutSeconds} s (request ${requestId}); its instance is retired`);
        reject(
          functionError({
            name: 'Sandbox.Timedout',
            message: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
          }),
        );
        retire(name, target);
      }, timeoutSeconds * 1000);
      target.pending.set(id, { resolve, reject, timer });
      target.worker.postMessage({
        type: 'invoke',
        id,
        event: payload,
        requestId,
        deadline: Date.now() + timeoutSeconds * 1000,
      } satisfies ToWorker);
    });
  }

  return {
    invoke,
    running: () => [...current.keys()],
    async instanceEnvironment(name) {
      const instance = current.get(name) ?? start(name);
      await instance.ready;
      const id = nextId++;
      return new Promise((resolve) => {
        instance.inspections.set(id, resolve);
        instance.worker.postMessage({ type: 'environment', id } satisfies ToWorker);
      });
    },
    async stop() {
      stopped = true;
      const stopping = [...all];
      current.clear();
      for (const instance of stopping) {
        failAll(instance, new Error('The local Lambda runtime stopped'));
      }
      await Promise.all(stopping.map((instance) => terminate(instance)));
    },
  };
}
