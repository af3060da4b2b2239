/**
 * The resource budget: every stack of the app, nested ones included, holds at most 400 resources
 * (CloudFormation refuses 500) and a template of at most 800 KB, today and with the ~150
 * functions planned (five more bounded contexts: messaging, reviews, support, newsletter,
 * privacy). Synthesis itself fails above the budget, naming the stack.
 */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactRequestReceived } from '#events/catalogue.ts';
import { defaultRetry, type EventRule, rules } from '#events/rules.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { getHealth } from '#functions/platform/contract.ts';
import { type Route, routes } from '#functions/routes.ts';
import { applyResourceBudget, RESOURCE_BUDGET, TEMPLATE_SIZE_BUDGET_BYTES } from '#infra/resource-budget.ts';
import type { TableName } from '#shared/tables.ts';
import { type Synthesized, synthesize, withoutBundling } from './synth.ts';

function describeStacks(synth: Synthesized): string {
  return synth.stacks
    .map(
      ({ stack, json, bytes }) =>
        `${stack.node.path}: ${Object.keys(json.Resources).length} resources, ${Math.round(bytes / 1024)} KB`,
    )
    .join('\n');
}

function expectWithinBudget(synth: Synthesized): void {
  for (const { stack, json, bytes } of synth.stacks) {
    expect(Object.keys(json.Resources).length, stack.node.path).toBeLessThanOrEqual(RESOURCE_BUDGET);
    expect(bytes, stack.node.path).toBeLessThanOrEqual(TEMPLATE_SIZE_BUDGET_BYTES);
  }
}

describe('the resource budget guard', () => {
  function appWith(resources: number): App {
    const app = new App();
    applyResourceBudget(app);
    const stack = new Stack(app, 'Probe', { env: { region: 'eu-west-3', account: '123456789012' } });
    for (let i = 0; i < resources; i++) {
      new CfnResource(stack, `Handle${i}`, { type: 'AWS::CloudFormation::WaitConditionHandle' });
    }
    return app;
  }

  it('lets a stack of 400 resources through', () => {
    expect(() => appWith(RESOURCE_BUDGET).synth()).not.toThrow();
  });

  it('fails synthesis of a stack of 401 resources, naming it', () => {
    expect(() => appWith(RESOURCE_BUDGET + 1).synth()).toThrow(/Probe holds 401 resources, above the budget of 400/);
  });

  it('is applied by the backend app: a budget lower than a context stack names that context', () => {
    expect(() => synthesize({ context: withoutBundling(), nag: false, resourceBudget: 100 })).toThrow(
      /MonProDuBienEtre-Backend\/BookingsContext holds \d+ resources, above the budget of 100.*split this bounded context/,
    );
  });
});

describe('the app today', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({ context: withoutBundling(), nag: false });
    console.info(`stacks today:\n${describeStacks(synth)}`);
  });

  it('keeps every stack, nested ones included, within 400 resources and 800 KB', () => {
    expect(synth.stacks.length).toBeGreaterThanOrEqual(3);
    expectWithinBudget(synth);
  });
});

/**
 * ~150 functions of the default shape (its role, policy and log group; an authenticated route
 * for two in three, an event rule for the others; a table of its context and the security table),
 * spread over the contexts of today and the five planned ones. Bundling is skipped: the entries
 * only need to exist, and a planned context's folder does not yet, so they resolve to an existing
 * handler through `..` while `contextOf` reads the planned context from the path.
 */
describe('the app at ~150 functions', () => {
  const planned: Record<string, number> = {
    messaging: 20,
    reviews: 15,
    support: 15,
    newsletter: 10,
    privacy: 12,
    bookings: 13,
    accounts: 5,
    practitioners: 5,
  };
  const dummyFunctions: Record<string, FunctionDefinition> = {};
  const dummyRoutes: Route[] = [];
  const dummyRules: EventRule[] = [];
  for (const [context, count] of Object.entries(planned)) {
    for (let i = 0; i < count; i++) {
      const name = `${context}Dummy${i}`;
      const isRoute = i % 3 !== 2;
      dummyFunctions[name] = {
        entry: `functions/${context}/handlers/../../platform/handlers/get-health.ts`,
        description: `Budget probe ${name}`,
        tables: { contact: 'read-write', ...(isRoute ? { security: 'read-write' } : {}) } as Partial<
          Record<TableName, 'read-write' | 'write'>
        >,
        publishesEvents: isRoute,
      };
      if (isRoute) {
        dummyRoutes.push({
          method: i % 2 === 0 ? 'GET' : 'POST',
          path: `/${context}/items-${Math.floor(i / 2)}/{itemId}`,
          operation: { ...getHealth, operationId: name, access: { kind: 'authenticated' } },
          function: name as FunctionName,
        });
      } else {
        dummyRules.push({
          name: `${context}-dummy-${i}`,
          description: `Budget probe ${name}`,
          events: [ContactRequestReceived],
          target: name as FunctionName,
          retry: defaultRetry,
        });
      }
    }
  }

  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({
      context: withoutBundling(),
      nag: false,
      sources: {
        functions: { ...functions, ...dummyFunctions } as Record<FunctionName, FunctionDefinition>,
        routes: [...routes, ...dummyRoutes],
        rules: [...rules, ...dummyRules],
      },
    });
    console.info(`stacks at ${Object.keys(synth.functions).length} functions:\n${describeStacks(synth)}`);
  });

  it('has ~150 functions over 11 contexts', () => {
    expect(Object.keys(synth.functions).length).toBeGreaterThanOrEqual(145);
    expect(Object.keys(synth.backend.contexts)).toHaveLength(11);
  });

  it('keeps every stack, nested ones included, within 400 resources and 800 KB', () => {
    expectWithinBudget(synth);
  });
});
