/**
 * Every function of the catalogue initializes in its own instance with nothing but the
 * environment the local cloud (and the CDK app, through functions/environment.ts) gives it: a
 * composition root that reads a variable its entry does not declare fails here, as it would fail
 * in Lambda, instead of passing on an environment shared with other functions.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FunctionName } from '#functions/catalogue.ts';
import { createLambdaRuntime } from '#local/lambda-runtime.ts';
import { localWiring } from '#local/wiring.ts';

const wiring = localWiring();
const newRuntime = () =>
  createLambdaRuntime({
    root: join(import.meta.dirname, '..', '..'),
    account: '000000000000',
    definitions: wiring.sources.functions,
    environment: (name) => wiring.environmentOf(name),
  });

describe('every function of the catalogue', () => {
  it('initializes with only its own environment', { timeout: 300_000 }, async () => {
    const names = Object.keys(wiring.functions) as FunctionName[];
    const failures: string[] = [];
    // A few at a time: each instance compiles the SDK on its own.
    for (let i = 0; i < names.length; i += 4) {
      const batch = names.slice(i, i + 4);
      const runtime = newRuntime();
      await Promise.all(
        batch.map((name) =>
          runtime.instanceEnvironment(name).catch((error: Error) => failures.push(`${name}: ${error.message}`)),
        ),
      );
      await runtime.stop();
    }
    expect(failures).toEqual([]);
  });
});
