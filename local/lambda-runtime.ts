/**
 * Runs the functions of functions/catalogue.ts in this process, the way Lambda runs them: the
 * handler module is loaded once (its init code runs once, like a cold start) and called with the
 * event and a Lambda context. Invocations of one function are not serialised: like Lambda,
 * several may run at once.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '#functions/catalogue.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaRuntime {
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
}

export function createLambdaRuntime(options: { root: string; region: string; account: string }): LambdaRuntime {
  const loaded = new Map<FunctionName, Promise<Handler>>();

  const load = (name: FunctionName): Promise<Handler> => {
    let handler = loaded.get(name);
    if (!handler) {
      const url = pathToFileURL(join(options.root, functions[name].entry)).href;
      handler = import(url).then((module: { handler?: Handler }) => {
        if (typeof module.handler !== 'function') throw new Error(`${functions[name].entry} exports no handler`);
        return module.handler;
      });
      loaded.set(name, handler);
    }
    return handler;
  };

  return {
    async invoke(name, event) {
      const handler = await load(name);
      const definition = functions[name] as { timeoutSeconds?: number; memoryMb?: number };
      const timeoutMs = (definition.timeoutSeconds ?? 10) * 1000;
      const started = Date.now();
      const context: Context = {
        callbackWaitsForEmptyEventLoop: false,
        functionName: `mpbe-local-${name}`,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.account}:function:${name}`,
        memoryLimitInMB: String(definition.memoryMb ?? 256),
        awsRequestId: randomUUID(),
        logGroupName: `/aws/lambda/mpbe-local-${name}`,
        logStreamName: 'local',
        getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      };
      return handler(event, context);
    },
  };
}
