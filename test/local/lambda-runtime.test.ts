/**
 * The local Lambda runtime: each function in its own instance (a worker thread) with exactly its
 * wired environment, init code run once, JSON in and out, errors and timeouts as Lambda reports
 * them, one invocation at a time per instance (more instances up to a limit, then a queue),
 * instances retired after a timeout and terminated on stop().
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FunctionDefinition, FunctionName } from '#functions/catalogue.ts';
import { functionEnvironment } from '#functions/environment.ts';
import { createLambdaRuntime, type LambdaRuntime } from '#local/lambda-runtime.ts';
import { localResources, localWiring } from '#local/wiring.ts';
import { tables } from '#shared/tables.ts';

const root = join(import.meta.dirname, '..', '..');
const wiring = localWiring();
const runtimes: LambdaRuntime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
});

/** A runtime over fixture handlers (test/local/fixtures), each with its own environment. */
function fixtureRuntime(
  definitions: Record<string, Partial<FunctionDefinition> & { entry: string }>,
  environment: (name: string) => Record<string, string> = () => ({ AWS_REGION: 'eu-west-3' }),
  more: { maxInstances?: number } = {},
): LambdaRuntime {
  const runtime = createLambdaRuntime({
    ...more,
    root,
    account: '000000000000',
    definitions: definitions as unknown as Record<FunctionName, FunctionDefinition>,
    environment: (name) => environment(name),
  });
  runtimes.push(runtime);
  return runtime;
}
const fixture = (file: string) => `test/local/fixtures/${file}`;
const invoke = (runtime: LambdaRuntime, name: string, event: unknown) => runtime.invoke(name as FunctionName, event);

describe('each function in its own instance', () => {
  const canary = 'MPBE_TEST_CANARY_OF_THE_PARENT_PROCESS';
  process.env[canary] = 'must not reach a function';
  afterAll(() => delete process.env[canary]);

  it('runs a real handler whose process.env is exactly functionEnvironment plus the runtime’s variables', async () => {
    const runtime = createLambdaRuntime({
      root,
      account: '000000000000',
      definitions: wiring.sources.functions,
      environment: (name) => wiring.environmentOf(name),
    });
    runtimes.push(runtime);
    const answer = (await runtime.invoke('getHealth', {
      httpMethod: 'GET',
      path: '/health',
      resource: '/health',
      headers: {},
      requestContext: { requestId: 'r-1' },
    })) as { statusCode: number };
    expect(answer.statusCode).toBe(200);

    const seen = await runtime.instanceEnvironment('getHealth');
    const expected = {
      ...functionEnvironment(wiring.sources.functions.getHealth, localResources()),
      ...wiring.functions.getHealth.runtimeEnvironment,
    };
    // Powertools adds its user-agent id to process.env itself when the handler module loads.
    expect(seen).toEqual({ ...expected, AWS_SDK_UA_APP_ID: expect.stringMatching(/^PT\//) });
    expect(Object.keys(seen).filter((key) => key.startsWith('TABLE_') || key === 'EVENT_BUS_NAME')).toEqual([]);
    expect(seen[canary]).toBeUndefined();
    expect(seen.POWERTOOLS_SERVICE_NAME).toBe('platform');
    expect(seen.AWS_LAMBDA_FUNCTION_NAME).toBe('mpbe-local-getHealth');

    // Another function's instance has its own tables and nothing of getHealth's.
    const bookings = await runtime.instanceEnvironment('listFreeSlots');
    expect(bookings[tables.bookings.envVar]).toBe('mpbe-local-bookings');
    expect(bookings.AWS_LAMBDA_FUNCTION_NAME).toBe('mpbe-local-listFreeSlots');
    expect(bookings.POWERTOOLS_SERVICE_NAME).toBe('bookings');
    expect(bookings.AWS_ACCESS_KEY_ID).not.toBe(seen.AWS_ACCESS_KEY_ID);
    expect(runtime.running().sort()).toEqual(['getHealth', 'listFreeSlots']);
  });

  it('fails a handler whose init needs a variable its entry does not give, and initializes again next time', async () => {
    const runtime = fixtureRuntime({ probe: { entry: fixture('init-fails.ts') } });
    for (let i = 0; i < 2; i++) {
      await expect(invoke(runtime, 'probe', {})).rejects.toMatchObject({
        name: 'Error',
        message: 'Missing environment variable TABLE_PRACTITIONERS (table practitioners)',
      });
    }
    const given = fixtureRuntime({ probe: { entry: fixture('init-fails.ts') } }, () => ({ TABLE_PRACTITIONERS: 't' }));
    await expect(invoke(given, 'probe', {})).resolves.toEqual({ required: 't' });
  });
});

describe('invocations', () => {
  it('runs init once per instance, and answers in JSON', async () => {
    const runtime = fixtureRuntime({ probe: { entry: fixture('instance.ts') } });
    const first = (await invoke(runtime, 'probe', {})) as { instanceId: string; invocations: number };
    const second = (await invoke(runtime, 'probe', {})) as { instanceId: string; invocations: number };
    expect(second.instanceId).toBe(first.instanceId);
    expect([first.invocations, second.invocations]).toEqual([1, 2]);
    // Lambda serializes the result: a Date is a string, undefined properties are gone.
    expect(second).toEqual({
      instanceId: first.instanceId,
      invocations: 2,
      mostAtOnce: 1,
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('runs one invocation at a time per instance, starts more up to the limit, and queues beyond it', async () => {
    const runtime = fixtureRuntime({ probe: { entry: fixture('instance.ts') } }, undefined, { maxInstances: 2 });
    const answers = (await Promise.all(
      Array.from({ length: 6 }, () => invoke(runtime, 'probe', { sleepMs: 100 })),
    )) as { instanceId: string; invocations: number; mostAtOnce: number }[];
    const instances = new Set(answers.map((a) => a.instanceId));
    expect(instances.size).toBe(2);
    expect(answers.every((a) => a.mostAtOnce === 1)).toBe(true);
    expect(answers.reduce((most, a) => Math.max(most, a.invocations), 0)).toBe(3);
  });

  it('gives back a thrown error with its name, message and stack', async () => {
    const runtime = fixtureRuntime({ probe: { entry: fixture('instance.ts') } });
    const error = (await invoke(runtime, 'probe', { fail: 'ConditionalCheckFailedException' }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConditionalCheckFailedException');
    expect(error.message).toBe('failed on purpose: ConditionalCheckFailedException');
    expect(error.stack).toContain('fixtures/instance.ts');
  });

  it('times out as Lambda does, and retires the instance: the next invocation is a cold start', async () => {
    const runtime = fixtureRuntime({ probe: { entry: fixture('instance.ts'), timeoutSeconds: 1 } });
    const first = (await invoke(runtime, 'probe', {})) as { instanceId: string };
    const started = Date.now();
    await expect(invoke(runtime, 'probe', { sleepMs: 5000 })).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    const next = (await invoke(runtime, 'probe', {})) as { instanceId: string; invocations: number };
    expect(next.instanceId).not.toBe(first.instanceId);
    expect(next.invocations).toBe(1);
  });

  it('terminates every instance on stop(); later invocations fail', async () => {
    const runtime = fixtureRuntime({ probe: { entry: fixture('instance.ts') } });
    const pending = invoke(runtime, 'probe', { sleepMs: 2000 }).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runtime.running()).toEqual(['probe']);
    await runtime.stop();
    expect(await pending).toBe('The local Lambda runtime stopped');
    expect(runtime.running()).toEqual([]);
    await expect(invoke(runtime, 'probe', {})).rejects.toThrow('stopped');
  });
});
