/**
 * Mechanisms the sources of truth do not use yet must work all the same. The schedule table is
 * empty: given a one-entry table, the app synthesizes an EventBridge Scheduler schedule in its time
 * zone, with its flexible window, input, retry policy and dead-letter queue, and the target's
 * asynchronous-failure destination. Every route is public: given authenticated and role routes,
 * the API puts them behind the Cognito authorizer.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRetry } from '#events/rules.ts';
import { getHealth } from '#functions/platform/contract.ts';
import { type Route, routes } from '#functions/routes.ts';
import type { ScheduleDefinition } from '#functions/schedules.ts';
import { assertScheduleExpression } from '#infra/constructs/schedules.ts';
import {
  functionNamed,
  logicalId,
  resourceOf,
  resourcesOfType,
  resourcesOfTypeBeside,
  type Synthesized,
  synthesize,
  templateOf,
  withoutBundling,
} from './synth.ts';

const purge: ScheduleDefinition = {
  name: 'purge-contact-requests',
  description: 'Deletes the contact requests whose retention ended.',
  expression: 'cron(15 3 * * ? *)',
  timezone: 'Europe/Paris',
  target: 'notifyPlatformInbox',
  flexibleWindowMinutes: 30,
  input: { job: 'purge', dryRun: false },
};

const privateRoutes: Route[] = [
  {
    method: 'GET',
    path: '/private-probe',
    operation: { ...getHealth, access: { kind: 'authenticated' } },
    function: 'getHealth',
  },
  {
    method: 'DELETE',
    path: '/notes/{noteId}',
    operation: { ...getHealth, access: { kind: 'role', roles: ['moderator'] } },
    function: 'getHealth',
  },
];

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize({
    sources: { schedules: [purge], routes: [...routes, ...privateRoutes] },
    context: withoutBundling(),
  });
});

describe('authenticated routes', () => {
  it.each(privateRoutes.map((route) => [`${route.method} ${route.path}`] as const))(
    '%s goes through the Cognito user-pool authorizer',
    (key) => {
      const construct = synth.backend.api.methods[key]!;
      const method = resourceOf(synth, construct).Properties!;
      expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
      // The authorizer is the backend stack's, passed to the context's nested stack as a parameter.
      const parameter = (method.AuthorizerId as { Ref: string }).Ref;
      const nested = resourceOf(synth, Stack.of(construct).nestedStackResource!);
      expect((nested.Properties!.Parameters as Record<string, unknown>)[parameter]).toEqual({
        Ref: logicalId(synth.backend.api.authorizer!),
      });
    },
  );

  it('has one authorizer, on the user pool, reading the Authorization header', () => {
    const authorizers = resourcesOfType(synth, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]![2]).toBe(synth.backend);
    expect(authorizers[0]![1]).toMatchObject({
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
    // The pool of the data stack, by a weak reference (no export).
    const [provider] = authorizers[0]![1].ProviderARNs as [{ 'Fn::GetStackOutput': { OutputName: string } }];
    const output = templateOf(synth, synth.data).json.Outputs?.[provider['Fn::GetStackOutput'].OutputName];
    expect(output).toEqual({ Value: { 'Fn::GetAtt': [logicalId(synth.data.identity.userPool), 'Arn'] } });
  });

  it('requires the path parameters of a route', () => {
    const method = resourceOf(synth, synth.backend.api.methods['DELETE /notes/{noteId}']!);
    expect(method.Properties!.RequestParameters).toEqual({ 'method.request.path.noteId': true });
  });

  it('keeps the routes of the route table as they are', () => {
    for (const route of routes) {
      const method = resourceOf(synth, synth.backend.api.methods[`${route.method} ${route.path}`]!);
      expect(method.Properties!.AuthorizationType).toBe(
        route.operation.access.kind === 'public' ? 'NONE' : 'COGNITO_USER_POOLS',
      );
    }
  });
});

describe('schedules', () => {
  it('synthesizes one schedule per entry, in its time zone and flexible window, with its input', () => {
    const schedules = resourcesOfType(synth, 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const [, props, stack] = schedules[0]!;
    const fn = functionNamed(synth, 'notifyPlatformInbox').function;
    expect(stack).toBe(Stack.of(fn));
    const fnId = logicalId(fn);
    expect(props).toMatchObject({
      Description: purge.description,
      ScheduleExpression: purge.expression,
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
      State: 'ENABLED',
    });
    const target = props.Target as Record<string, unknown>;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(JSON.parse(target.Input as string)).toEqual(purge.input);
  });

  it('retries delivery, then sends to an encrypted dead-letter queue', () => {
    const [, props] = resourcesOfType(synth, 'AWS::Scheduler::Schedule')[0]!;
    const target = props.Target as Record<string, unknown>;
    expect(target.RetryPolicy).toEqual({
      MaximumRetryAttempts: defaultRetry.maximumRetryAttempts,
      MaximumEventAgeInSeconds: defaultRetry.maximumEventAgeSeconds,
    });
    const context = synth.backend.contexts.contact!;
    const dlqId = logicalId(context.schedules!.deadLetterQueue!);
    expect(context.schedules!.deadLetterQueue).toBe(context.deadLetterQueue);
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    expect(resourceOf(synth, context.deadLetterQueue!).Properties!.SqsManagedSseEnabled).toBe(true);
  });

  it("configures the target's asynchronous retries and failure destination", () => {
    const fn = functionNamed(synth, 'notifyPlatformInbox');
    templateOf(synth, fn.function).template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(fn.function) },
      MaximumRetryAttempts: defaultRetry.functionRetryAttempts,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(fn.asyncFailureQueue!), 'Arn'] } },
      },
    });
  });

  it('lets Scheduler, for this account only, invoke the target function only', () => {
    const fnId = logicalId(functionNamed(synth, 'notifyPlatformInbox').function);
    const role = synth.backend.contexts.contact!.schedules!.role!;
    const roleId = logicalId(role);
    const [, schedule] = resourcesOfType(synth, 'AWS::Scheduler::Schedule')[0]!;
    expect((schedule.Target as { RoleArn: unknown }).RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(JSON.stringify(resourceOf(synth, role).Properties!.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    const statements = resourcesOfTypeBeside(synth, role, 'AWS::IAM::Policy')
      .filter(([, props]) => JSON.stringify(props.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        ([, props]) => (props.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      );
    const invoke = statements.filter((s) => JSON.stringify(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke.length).toBeGreaterThan(0);
    for (const statement of invoke) {
      for (const resource of [statement.Resource].flat()) expect(JSON.stringify(resource)).toContain(fnId);
    }
  });

  it('still passes cdk-nag with a schedule (synthesis would have thrown otherwise)', () => {
    expect(synth.assembly.getStackByName(synth.backend.stackName).template).toBeDefined();
  });

  it('accepts cron() and rate() expressions only', () => {
    expect(() => assertScheduleExpression(purge)).not.toThrow();
    expect(() => assertScheduleExpression({ ...purge, expression: 'rate(1 day)' })).not.toThrow();
    for (const expression of ['0 3 * * *', 'rate(1 week)', 'at(2030-01-01T00:00:00)']) {
      expect(() => assertScheduleExpression({ ...purge, expression })).toThrow(/not a cron\(\) or rate\(\)/);
    }
  });

  it('refuses two asynchronous policies for one function (one EventInvokeConfig per function)', () => {
    // The purge above targets the rule target notifyPlatformInbox with the rules' default retry:
    // a schedule asking for other handler retries must be refused, not silently win.
    const fn = functionNamed(synth, 'notifyPlatformInbox');
    const queue = fn.asyncFailureQueue!;
    const maxEventAge = Duration.seconds(defaultRetry.maximumEventAgeSeconds);
    expect(fn.enableAsyncInvocation({ retryAttempts: defaultRetry.functionRetryAttempts, maxEventAge }, queue)).toBe(
      queue,
    );
    expect(() => fn.enableAsyncInvocation({ retryAttempts: 0, maxEventAge }, queue)).toThrow(
      /conflicting asynchronous invocation policies/,
    );
  });
});
