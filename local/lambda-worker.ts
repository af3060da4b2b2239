/**
 * One Lambda instance of one function (started by ./lambda-runtime.ts as a worker thread whose
 * process.env is exactly that function's environment): imports the handler module once (its init
 * code runs once, a cold start), then runs each invocation it is sent with the JSON event and a
 * Lambda context, and answers with the JSON result or the error as Lambda reports it.
 */
import { enableCompileCache } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';

export interface WorkerData {
  readonly entryPath: string;
  /** For the context's invokedFunctionArn (Lambda puts no account in the environment). */
  readonly account: string;
  readonly compileCacheDir?: string;
}

export type ToWorker =
  | {
      readonly type: 'invoke';
      readonly id: number;
      /** The event as JSON, as Lambda hands it over. */
      readonly event: string;
      readonly requestId: string;
      readonly deadline: number;
    }
  /** A local check, no Lambda counterpart: the instance's process.env, for the isolation tests. */
  | { readonly type: 'environment'; readonly id: number };

export interface ReportedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: ReportedError }
  | { readonly type: 'result'; readonly id: number; readonly payload: string }
  | { readonly type: 'environment'; readonly id: number; readonly environment: Record<string, string> }
  | { readonly type: 'error'; readonly id: number; readonly error: ReportedError };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('lambda-worker.ts runs as a worker thread of the local Lambda runtime');

// Every instance compiles the same SDK and libraries: V8's code cache on disk shortens cold starts.
if (data.compileCacheDir) enableCompileCache(data.compileCacheDir);

const reported = (error: unknown): ReportedError =>
  error instanceof Error
    ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
    : { name: 'Error', message: String(error) };

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';

async function init(): Promise<Handler> {
  const module = (await import(pathToFileURL(data.entryPath).href)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`${data.entryPath} exports no handler`);
  return module.handler;
}

init().then(
  (handler) => {
    port.on('message', (message: ToWorker) => {
      if (message.type === 'environment') {
        port.postMessage({ type: 'environment', id: message.id, environment: { ...process.env } } as FromWorker);
        return;
      }
      const context: Context = {
        callbackWaitsForEmptyEventLoop: false,
        functionName,
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:${data.account}:function:${functionName}`,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
        awsRequestId: message.requestId,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
        getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      };
      Promise.resolve()
        .then(() => handler(JSON.parse(message.event), context))
        .then(
          // Lambda serializes the result as JSON: undefined becomes null, a Date a string.
          (result) => port.postMessage({ type: 'result', id: message.id, payload: JSON.stringify(result ?? null) }),
          (error: unknown) => port.postMessage({ type: 'error', id: message.id, error: reported(error) }),
        )
        .catch((error: unknown) => port.postMessage({ type: 'error', id: message.id, error: reported(error) }));
    });
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  },
  (error: unknown) => port.postMessage({ type: 'init-error', error: reported(error) } satisfies FromWorker),
);
