/**
 * The synthesized templates hold what the sources of truth declare: tables, event rules, routes,
 * functions, and the promises of the privacy policy (retention, encryption, EU only), wherever
 * each lives: the data stack, the backend stack or a bounded context's nested stack.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRetry, eventPattern, rules } from '#events/rules.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { contextOf, functionEnvironment } from '#functions/environment.ts';
import { routes } from '#functions/routes.ts';
import { schedules } from '#functions/schedules.ts';
import { routeKey } from '#infra/constructs/api.ts';
import { PITR_RECOVERY_DAYS, physicalTableName } from '#infra/constructs/data.ts';
import { ARCHIVE_RETENTION_DAYS, eventBusNameOf, type RoutedRule } from '#infra/constructs/events.ts';
import { MANAGED_RULE_GROUPS, RATE_LIMITS } from '#infra/constructs/firewall.ts';
import { EU_REGIONS } from '#infra/region-guard.ts';
import { CONNECTION_LOG_DAYS, TECHNICAL_LOG_DAYS } from '#infra/retention.ts';
import { STACK_TAGS } from '#infra/stacks/data-stack.ts';
import { roles as ROLES } from '#shared/http/contract.ts';
import { CORS_ORIGINS_ENV } from '#shared/http/cors.ts';
import { MEDIATOR_ADDRESS_ENV, MEDIATOR_NAME_ENV } from '#shared/mail/mediator.ts';
import { NEWSLETTER_CONFIGURATION_SET_ENV, newsletterEnvNames } from '#shared/newsletter-config.ts';
import { stripeEnvNames } from '#shared/payments-config.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';
import { oneTimeScheduleEnvNames } from '#shared/scheduling/one-time-schedules.ts';
import { type TableName, tables } from '#shared/tables.ts';
import {
  functionNamed,
  logicalId,
  resourceOf,
  resourcesOfType,
  resourcesOfTypeBeside,
  type Synthesized,
  synthesize,
  templateOf,
  validationReport,
  withoutBundling,
} from './synth.ts';

let synth: Synthesized;

beforeAll(() => {
  // Templates only: deployed-artifact.test.ts bundles and starts every function.
  synth = synthesize({ context: withoutBundling() });
  console.info(`backend app constructed and synthesized in ${Math.round(synth.millis)} ms`);
});

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const tableNames = Object.keys(tables) as TableName[];
const functionEntries = Object.entries(functions) as [FunctionName, FunctionDefinition][];

function fnId(name: FunctionName): string {
  return logicalId(functionNamed(synth, name).function);
}

/**
 * What a value of a nested template stands for in its parent (a parameter the parent passes),
 * and what a weak reference to the data stack stands for there (the output it reads).
 */
function origin(inside: IConstruct, value: unknown): unknown {
  const stack = Stack.of(inside);
  const ref = (value as { Ref?: string }).Ref;
  const nested = stack.nestedStackResource;
  if (ref && nested && templateOf(synth, stack).json.Parameters) {
    const parameters = (templateOf(synth, stack).json.Parameters ?? {}) as Record<string, unknown>;
    if (ref in parameters) {
      const passed = (resourceOf(synth, nested).Properties?.Parameters as Record<string, unknown> | undefined)?.[ref];
      return origin(nested, passed);
    }
  }
  const weak = (value as { 'Fn::GetStackOutput'?: { StackName: string; OutputName: string } })['Fn::GetStackOutput'];
  if (weak) {
    const producer = synth.stacks.find((entry) => entry.stack.stackName === weak.StackName && !entry.stack.nested);
    return (producer?.json.Outputs?.[weak.OutputName] as { Value: unknown } | undefined)?.Value;
  }
  return value;
}

function policyStatementsOf(
  name: FunctionName,
): { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const role = functionNamed(synth, name).role;
  const roleId = logicalId(role);
  return resourcesOfTypeBeside(synth, role, 'AWS::IAM::Policy')
    .filter(([, props]) => JSON.stringify(props.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, props]) => (props.PolicyDocument as { Statement: [] }).Statement);
}

function actionsOf(name: FunctionName): string[] {
  return policyStatementsOf(name).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

function contextStackOf(name: FunctionName) {
  const context = synth.backend.contexts[contextOf(functions[name].entry)];
  if (!context) throw new Error(`No context stack for ${name}`);
  return context;
}

function routedRule(name: string): RoutedRule {
  for (const context of Object.values(synth.backend.contexts)) {
    const found = context.rules?.rules[name];
    if (found) return found;
  }
  throw new Error(`No rule ${name}`);
}

describe('data', () => {
  it('has one table per entry of shared/tables.ts', () => {
    expect(resourcesOfType(synth, 'AWS::DynamoDB::Table')).toHaveLength(tableNames.length);
    expect(resourcesOfTypeBeside(synth, synth.data.data, 'AWS::DynamoDB::Table')).toHaveLength(tableNames.length);
  });

  it.each(tableNames)('table %s: on demand, TTL on expiresAt, stream, PITR, CMK, its indexes, retained', (name) => {
    const definition = tables[name];
    const keyId = logicalId(synth.data.data.key);
    const table = resourceOf(synth, synth.data.data.tables[name]);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      TableName: physicalTableName(synth.config.stackName, definition),
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: PITR_RECOVERY_DAYS },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(keyId) },
      DeletionProtectionEnabled: true,
    });
    expect(definition.ttlAttribute).toBe('expiresAt');
    const indexes = (table.Properties!.GlobalSecondaryIndexes as { IndexName: string }[]).map((index) => index);
    expect(indexes).toEqual(
      definition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        Projection: {
          ProjectionType: index.projection,
          ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
        },
      })),
    );
  });

  it('keeps backups within the documented window (1 to 35 days, the technical-operation period)', () => {
    expect(PITR_RECOVERY_DAYS).toBeGreaterThanOrEqual(1);
    expect(PITR_RECOVERY_DAYS).toBeLessThanOrEqual(35);
    expect(PITR_RECOVERY_DAYS).toBe(retentionCatalogue['technical-operation'].keep.days);
  });

  it('rotates every customer-managed key and retains it', () => {
    const keys = resourcesOfType(synth, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const [id, props, stack] of keys) {
      expect(stack).toBe(synth.data);
      expect(props.EnableKeyRotation).toBe(true);
      expect(templateOf(synth, stack).json.Resources[id]!.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('events', () => {
  it('has one custom bus and an archive with a finite retention', () => {
    expect(resourcesOfType(synth, 'AWS::Events::EventBus')).toHaveLength(1);
    const archives = resourcesOfType(synth, 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    const retention = archives[0]![1].RetentionDays;
    expect(retention).toBe(ARCHIVE_RETENTION_DAYS);
    expect(retention).toBeGreaterThan(0);
    expect(retention).toBeLessThanOrEqual(TECHNICAL_LOG_DAYS);
  });

  it('has one rule per entry of events/rules.ts', () => {
    expect(resourcesOfType(synth, 'AWS::Events::Rule')).toHaveLength(rules.length);
  });

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    "rule %s: in its target's context stack, its pattern, its function, EventBridge retries and a dead-letter queue",
    (_name, rule) => {
      const routed = routedRule(rule.name);
      expect(Stack.of(routed.rule)).toBe(contextStackOf(rule.target));
      const props = resourceOf(synth, routed.rule).Properties!;
      expect(props.EventBusName).toBe(eventBusNameOf(synth.config.stackName));
      expect(resourceOf(synth, synth.data.events.bus).Properties!.Name).toBe(eventBusNameOf(synth.config.stackName));
      expect(props.EventPattern).toEqual(eventPattern(rule));
      expect(props.Targets).toEqual([
        expect.objectContaining({
          Arn: getAtt(fnId(rule.target)),
          RetryPolicy: {
            MaximumRetryAttempts: rule.retry.maximumRetryAttempts,
            MaximumEventAgeInSeconds: rule.retry.maximumEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: getAtt(logicalId(routed.deadLetterQueue)) },
        }),
      ]);
    },
  );

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    'rule %s: its function retries a failing handler, then sends the event to a dead-letter queue',
    (_name, rule) => {
      const routed = routedRule(rule.name);
      templateOf(synth, routed.rule).template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(rule.target) },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: rule.retry.functionRetryAttempts,
        MaximumEventAgeInSeconds: rule.retry.maximumEventAgeSeconds,
        DestinationConfig: {
          OnFailure: { Destination: getAtt(logicalId(routed.deadLetterQueue)) },
        },
      });
    },
  );

  it('has one dead-letter queue per context invoked asynchronously, encrypted, refusing plain-HTTP access', () => {
    const queues = resourcesOfType(synth, 'AWS::SQS::Queue');
    const contextsWithQueue = Object.values(synth.backend.contexts).filter((context) => context.deadLetterQueue);
    expect(queues).toHaveLength(contextsWithQueue.length);
    for (const context of contextsWithQueue) {
      expect(resourcesOfTypeBeside(synth, context.deadLetterQueue!, 'AWS::SQS::Queue')).toHaveLength(1);
    }
    for (const [id, props, stack] of queues) {
      expect(props.SqsManagedSseEnabled ?? props.KmsMasterKeyId).toBeTruthy();
      templateOf(synth, stack).template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it("has one schedule per entry of the schedule table, in its target's context stack", () => {
    expect(resourcesOfType(synth, 'AWS::Scheduler::Schedule')).toHaveLength(schedules.length);
    for (const schedule of schedules) {
      const built = contextStackOf(schedule.target).schedules?.schedules[schedule.name];
      expect(built, schedule.name).toBeDefined();
    }
  });
});

describe('one-time schedules (reminders)', () => {
  const creators = functionEntries.filter(([, definition]) => definition.oneTimeSchedules);

  it('has one schedule group in the data stack (retained), and per target context a role Scheduler assumes for that group in this account only', () => {
    expect(creators.length).toBeGreaterThan(0);
    const [[groupId, group, groupStack]] = resourcesOfType(synth, 'AWS::Scheduler::ScheduleGroup') as [
      [string, Record<string, unknown>, Stack],
    ];
    expect(groupStack).toBe(synth.data);
    expect(group.Name).toBe(synth.data.oneTimeScheduleGroupName);
    expect(templateOf(synth, groupStack).json.Resources[groupId]!.DeletionPolicy).toBe('Retain');
    for (const [, definition] of creators) {
      const targets = contextStackOf(definition.oneTimeSchedules!.target as FunctionName).oneTimeScheduleTargets!;
      const role = resourceOf(synth, targets.role).Properties!;
      expect(role.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnEquals: {
                'aws:SourceArn': `arn:aws:scheduler:eu-west-3:123456789012:schedule-group/${synth.data.oneTimeScheduleGroupName}`,
              },
            },
          },
        ],
      });
    }
  });

  it.each(creators)(
    '%s: creates and deletes schedules of its group only, passes the role to Scheduler only',
    (name, definition) => {
      const target = definition.oneTimeSchedules!.target as FunctionName;
      const targets = contextStackOf(target).oneTimeScheduleTargets!;
      const statements = policyStatementsOf(name);
      const manage = statements.find((s) => JSON.stringify(s.Action).includes('scheduler:'))!;
      expect(manage.Action).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(JSON.stringify(manage.Resource)).toContain(`:schedule/${synth.data.oneTimeScheduleGroupName}/*`);
      const roleArn = statements.find((s) => s.Action === 'iam:PassRole')!;
      expect(roleArn).toMatchObject({
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      });
      const creator = functionNamed(synth, name);
      expect(origin(creator.role, roleArn.Resource)).toEqual(origin(targets.role, getAtt(logicalId(targets.role))));
      const variables = (
        resourceOf(synth, creator.function).Properties!.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(variables).toMatchObject({
        SCHEDULE_GROUP_NAME: synth.data.oneTimeScheduleGroupName,
        SCHEDULE_MAX_RETRY_ATTEMPTS: String(defaultRetry.maximumRetryAttempts),
        SCHEDULE_MAX_EVENT_AGE_SECONDS: String(defaultRetry.maximumEventAgeSeconds),
      });
      expect(origin(creator.function, variables.SCHEDULE_TARGET_ARN)).toEqual(getAtt(fnId(target)));
      expect(origin(creator.function, variables.SCHEDULE_ROLE_ARN)).toEqual(getAtt(logicalId(targets.role)));
      expect(origin(creator.function, variables.SCHEDULE_DEAD_LETTER_ARN)).toEqual(
        getAtt(logicalId(contextStackOf(target).deadLetterQueue!)),
      );
      // Scheduler may invoke the target (and nothing else), which retries a failing handler into its context's queue.
      const roleId = logicalId(targets.role);
      const invoke = resourcesOfTypeBeside(synth, targets.role, 'AWS::IAM::Policy')
        .filter(([, props]) => JSON.stringify(props.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          ([, props]) => (props.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
        )
        .filter((s) => s.Action === 'lambda:InvokeFunction');
      expect(JSON.stringify(invoke)).toContain(fnId(target));
      templateOf(synth, targets.role).template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(target) },
        MaximumRetryAttempts: defaultRetry.functionRetryAttempts,
      });
    },
  );
});

describe('functions', () => {
  it('has one function per entry of functions/catalogue.ts', () => {
    expect(resourcesOfType(synth, 'AWS::Lambda::Function')).toHaveLength(functionEntries.length);
  });

  it.each(functionEntries)(
    '%s: lives in the stack of its context (a user pool trigger with the pool)',
    (name, definition) => {
      const stack = Stack.of(functionNamed(synth, name).function);
      if (definition.identity?.trigger) expect(stack).toBe(synth.data);
      else expect(stack).toBe(contextStackOf(name));
    },
  );

  it.each(functionEntries.map(([name]) => name))(
    '%s: nodejs24.x on arm64, traced, logging into an encrypted log group that expires',
    (name) => {
      const fn = functionNamed(synth, name).function;
      const props = resourceOf(synth, fn).Properties!;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroup = templateOf(synth, fn).json.Resources[logGroupId]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties!.RetentionInDays).toBe(TECHNICAL_LOG_DAYS);
      expect(logGroup.Properties!.KmsKeyId).toBeDefined();
    },
  );

  it.each(functionEntries)(
    '%s: its environment is exactly functionEnvironment(entry, deployed resources)',
    (name, definition) => {
      const fn = functionNamed(synth, name).function;
      const variables = (resourceOf(synth, fn).Properties!.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const resources = definition.identity?.trigger ? synth.data.functionResources : synth.backend.functionResources;
      const expected = Stack.of(fn).resolve(functionEnvironment(definition, resources)) as Record<string, unknown>;
      expect(variables).toEqual({ ...expected, NODE_OPTIONS: '--enable-source-maps' });
    },
  );

  it.each(functionEntries)('%s: its environment holds exactly what its catalogue entry needs', (name, definition) => {
    const fn = functionNamed(synth, name).function;
    const variables = (resourceOf(synth, fn).Properties!.Environment as { Variables: Record<string, unknown> })
      .Variables;
    const expected = [
      'POWERTOOLS_SERVICE_NAME',
      'NODE_OPTIONS',
      ...Object.keys(definition.tables ?? {}).map((table) => tables[table as TableName].envVar),
      ...(definition.publishesEvents ? ['EVENT_BUS_NAME'] : []),
      ...(definition.sendsMail ? ['MAIL_FROM', 'PLATFORM_INBOX'] : []),
      // A pool trigger reads the pool from its event (naming it would be a dependency cycle).
      ...(definition.identity ? ['CGU_VERSION', ...(definition.identity.trigger ? [] : ['COGNITO_USER_POOL_ID'])] : []),
      ...(definition.oneTimeSchedules ? oneTimeScheduleEnvNames : []),
      // The web origins browsers may call the API from, for the functions serving routes.
      ...(definition.http ? [CORS_ORIGINS_ENV] : []),
      // The pool's issuer and app client, for the functions verifying ID tokens themselves ($connect).
      ...(definition.verifiesTokens ? ['COGNITO_ISSUER', 'COGNITO_APP_CLIENT_ID'] : []),
      // The WebSocket API's management endpoint, for the functions posting to or closing connections.
      ...(definition.managesConnections ? ['WEBSOCKET_ENDPOINT'] : []),
      // The consumer mediator an unresolved complaint's closing mail names (support, ADR 0019).
      ...(definition.mediator ? [MEDIATOR_NAME_ENV, MEDIATOR_ADDRESS_ENV] : []),
      // The newsletter's links, their allowed targets and its pepper parameter, never the pepper (ADR 0020).
      ...(definition.newsletter ? Object.values(newsletterEnvNames) : []),
      // The SES configuration set of the newsletter's mails, for its functions that send them.
      ...(definition.newsletter && definition.sendsMail ? [NEWSLETTER_CONFIGURATION_SET_ENV] : []),
      // The names of the Stripe key parameters and the fee, never the keys; no API base in AWS.
      ...(definition.stripe
        ? [stripeEnvNames.secretKeyParameter, stripeEnvNames.webhookSecretParameter, stripeEnvNames.feeBasisPoints]
        : []),
    ];
    expect(Object.keys(variables).sort()).toEqual(expected.sort());
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    for (const table of Object.keys(definition.tables ?? {}) as TableName[]) {
      expect(variables[tables[table].envVar]).toBe(physicalTableName(synth.config.stackName, tables[table]));
    }
  });

  it.each(functionEntries)('%s: least privilege from its catalogue entry', (name, definition) => {
    const actions = actionsOf(name);
    const access = Object.values(definition.tables ?? {});
    expect(actions.some((a) => a === 'dynamodb:PutItem')).toBe(access.some((a) => a !== 'read'));
    expect(actions.some((a) => a === 'dynamodb:GetItem')).toBe(access.some((a) => a !== 'write'));
    expect(actions.includes('events:PutEvents')).toBe(definition.publishesEvents === true);
    expect(actions.includes('ses:SendEmail')).toBe(definition.sendsMail === true);
    expect(actions.includes('ssm:GetParameters')).toBe(definition.stripe === true || definition.newsletter === true);
    if (definition.newsletter) {
      // The pepper's parameter only (ADR 0020).
      const parameters = policyStatementsOf(name).find((s) => s.Sid === 'ReadTheNewsletterPepperOnly');
      expect(JSON.stringify(parameters?.Resource)).toContain(`:parameter${synth.config.newsletter.pepperParameter}`);
    }
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    for (const statement of policyStatementsOf(name)) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      expect(resources).not.toContain('*');
    }
    if (definition.sendsMail) {
      expect(policyStatementsOf(name)).toContainEqual(
        expect.objectContaining({
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Condition: { StringEquals: { 'ses:FromAddress': synth.config.mailFrom } },
        }),
      );
    }
    if (definition.publishesEvents) {
      const putEvents = policyStatementsOf(name).find((s) => s.Action === 'events:PutEvents');
      expect(JSON.stringify(putEvents?.Resource)).toContain(`:event-bus/${eventBusNameOf(synth.config.stackName)}`);
    }
  });

  it('uses no AWS managed policy for functions (X-Ray goes through one shared customer policy)', () => {
    for (const [name] of functionEntries) {
      const role = resourceOf(synth, functionNamed(synth, name).role).Properties!;
      expect(JSON.stringify(role.ManagedPolicyArns ?? [])).not.toContain(':aws:policy/');
    }
  });

  it('expires every log group of every stack within the technical-operation period, encrypted', () => {
    for (const [, props] of resourcesOfType(synth, 'AWS::Logs::LogGroup')) {
      expect(props.RetentionInDays).toBeGreaterThan(0);
      expect(props.RetentionInDays).toBeLessThanOrEqual(Math.min(TECHNICAL_LOG_DAYS, CONNECTION_LOG_DAYS));
      expect(props.KmsKeyId).toBeDefined();
    }
  });
});

describe('api', () => {
  it("has one method per route of functions/routes.ts, in the stack of its function's context", () => {
    // Besides the CORS preflights (OPTIONS, one per route path: test/infra/browsers.test.ts).
    const methods = resourcesOfType(synth, 'AWS::ApiGateway::Method').filter(([, p]) => p.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(routes.length);
    for (const route of routes) {
      expect(Stack.of(synth.backend.api.methods[routeKey(route)]!)).toBe(contextStackOf(route.function));
    }
  });

  it('creates every path resource once, in the backend stack', () => {
    const paths = new Set(
      routes.flatMap((route) =>
        route.path
          .split('/')
          .slice(1)
          .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
      ),
    );
    const resources = resourcesOfType(synth, 'AWS::ApiGateway::Resource');
    expect(resources).toHaveLength(paths.size);
    for (const [, , stack] of resources) expect(stack).toBe(synth.backend);
  });

  it('deploys the stage after every context stack, under a deployment id that changes with the route table', () => {
    const [[deploymentId]] = resourcesOfTypeBeside(synth, synth.backend.api.restApi, 'AWS::ApiGateway::Deployment') as [
      [string, Record<string, unknown>],
    ];
    const deployment = templateOf(synth, synth.backend.api.restApi).json.Resources[deploymentId]!;
    const contextStacks = Object.values(synth.backend.contexts).map((context) =>
      logicalId(context.nestedStackResource!),
    );
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(contextStacks));
    const other = synthesize({ context: withoutBundling(), sources: { routes: routes.slice(1) }, nag: false });
    const [[otherId]] = resourcesOfTypeBeside(other, other.backend.api.restApi, 'AWS::ApiGateway::Deployment') as [
      [string, Record<string, unknown>],
    ];
    expect(otherId).not.toBe(deploymentId);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: a Lambda proxy integration of its function, authorized by its access',
    (key, route) => {
      const method = synth.backend.api.methods[key]!;
      expect(method.resource.path).toBe(route.path);
      const props = resourceOf(synth, method).Properties!;
      expect(origin(method, props.ResourceId)).toEqual({ Ref: logicalId(method.resource as unknown as IConstruct) });
      expect(props.HttpMethod).toBe(route.method);
      expect(props.AuthorizationType).toBe(route.operation.access.kind === 'public' ? 'NONE' : 'COGNITO_USER_POOLS');
      expect(props.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(JSON.stringify(props.Integration)).toContain(fnId(route.function));
      if (route.operation.access.kind !== 'public') {
        expect(origin(method, props.AuthorizerId)).toEqual({ Ref: logicalId(synth.backend.api.authorizer!) });
      }
    },
  );

  it('is regional, TLS 1.2+ only, and its stage is traced, throttled and logged without bodies', () => {
    const api = templateOf(synth, synth.backend.api.restApi).template;
    api.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: Match.stringLikeRegexp('^SecurityPolicy_TLS13'),
      EndpointAccessMode: 'STRICT',
    });
    api.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: synth.config.apiStageName,
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ],
    });
    const format = JSON.parse(
      (resourcesOfType(synth, 'AWS::ApiGateway::Stage')[0]![1].AccessLogSetting as { Format: string }).Format,
    ) as Record<string, string>;
    expect(Object.values(format).join(' ')).not.toMatch(/body|requestOverride|header/i);
  });

  it('validates requests', () => {
    templateOf(synth, synth.backend.api.restApi).template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('answers its own errors as problem+json', () => {
    templateOf(synth, synth.backend.api.restApi).template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    });
  });

  it('is protected by a regional WAF with rate limits and the AWS managed rule groups', () => {
    const [[aclId, acl]] = resourcesOfType(synth, 'AWS::WAFv2::WebACL') as unknown as [
      [string, Record<string, unknown>],
    ];
    expect(acl.Scope).toBe('REGIONAL');
    const aclRules = acl.Rules as { Statement: Record<string, { Name?: string; Limit?: number }> }[];
    const managed = aclRules.flatMap((r) => r.Statement.ManagedRuleGroupStatement?.Name ?? []);
    expect(managed).toEqual([...MANAGED_RULE_GROUPS]);
    expect(managed).toEqual(
      expect.arrayContaining([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
      ]),
    );
    const limits = aclRules.flatMap((r) => r.Statement.RateBasedStatement?.Limit ?? []);
    expect(limits).toEqual([RATE_LIMITS.allRequestsPerIp, RATE_LIMITS.writesPerIp]);
    const stageId = logicalId(synth.backend.api.stage!);
    const poolId = logicalId(synth.data.identity.userPool);
    const associations = resourcesOfType(synth, 'AWS::WAFv2::WebACLAssociation').map(([, props]) => props);
    expect(associations).toHaveLength(2);
    for (const association of associations) expect(association.WebACLArn).toEqual(getAtt(aclId));
    expect(associations.map((a) => JSON.stringify(origin(synth.backend, a.ResourceArn)))).toEqual(
      expect.arrayContaining([expect.stringContaining(stageId), JSON.stringify(getAtt(poolId))]),
    );
    templateOf(synth, synth.backend).template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: getAtt(aclId),
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });
});

describe('identity', () => {
  it('has a user pool with email sign-in, a strong password policy, optional TOTP and threat protection', () => {
    const [[id, pool, stack]] = resourcesOfType(synth, 'AWS::Cognito::UserPool') as [
      [string, Record<string, unknown>, Stack],
    ];
    expect(stack).toBe(synth.data);
    expect(templateOf(synth, stack).json.Resources[id]!.DeletionPolicy).toBe('Retain');
    expect(pool).toMatchObject({
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('blocks compromised credentials and risky sign-ins', () => {
    templateOf(synth, synth.data).template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: { Actions: { HighAction: { EventAction: 'BLOCK' } } },
    });
  });

  it('keeps the accepted CGU version and the account type in immutable custom attributes, requires the names', () => {
    const [[, pool]] = resourcesOfType(synth, 'AWS::Cognito::UserPool') as unknown as [
      [string, Record<string, unknown>],
    ];
    expect(pool.Schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'cgu_version', AttributeDataType: 'String', Mutable: false }),
        expect.objectContaining({ Name: 'account_type', AttributeDataType: 'String', Mutable: false }),
        expect.objectContaining({ Name: 'given_name', Required: true, Mutable: true }),
        expect.objectContaining({ Name: 'family_name', Required: true, Mutable: true }),
      ]),
    );
    const [[, client]] = resourcesOfType(synth, 'AWS::Cognito::UserPoolClient') as unknown as [
      [string, Record<string, unknown>],
    ];
    expect((client.WriteAttributes as string[]).sort()).toEqual(
      ['custom:account_type', 'custom:cgu_version', 'email', 'family_name', 'given_name', 'phone_number'].sort(),
    );
  });

  it('runs the catalogue triggers on sign-up and confirmation, invokable by Cognito for this pool only', () => {
    const poolId = logicalId(synth.data.identity.userPool);
    const [[, pool]] = resourcesOfType(synth, 'AWS::Cognito::UserPool') as unknown as [
      [string, Record<string, unknown>],
    ];
    const triggers = functionEntries.filter(([, d]) => d.identity?.trigger);
    expect(triggers.map(([name]) => name).sort()).toEqual(['postConfirmation', 'preSignUp']);
    for (const [name, definition] of triggers) {
      const key = definition.identity?.trigger === 'PreSignUp' ? 'PreSignUp' : 'PostConfirmation';
      expect((pool.LambdaConfig as Record<string, unknown>)[key]).toEqual(getAtt(fnId(name)));
      templateOf(synth, synth.data).template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: getAtt(fnId(name)),
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: getAtt(poolId),
      });
    }
  });

  it.each(functionEntries)(
    '%s: Cognito admin actions from its catalogue entry, on the pool only',
    (name, definition) => {
      const poolId = logicalId(synth.data.identity.userPool);
      const statements = policyStatementsOf(name).filter((s) => JSON.stringify(s.Action).includes('cognito-idp:'));
      const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(actions.sort()).toEqual((definition.identity?.actions ?? []).map((a) => `cognito-idp:${a}`).sort());
      const role = functionNamed(synth, name).role;
      for (const statement of statements) expect(origin(role, statement.Resource)).toEqual(getAtt(poolId));
    },
  );

  it('has one group per role', () => {
    const groups = resourcesOfType(synth, 'AWS::Cognito::UserPoolGroup').map(([, props]) => props.GroupName);
    expect(groups.sort()).toEqual([...ROLES].sort());
    expect(ROLES).toEqual(['client', 'practitioner', 'moderator', 'support', 'dpo']);
  });
});

describe('stacks', () => {
  it('are the data stack and the backend stack with one nested stack per bounded context, all in eu-west-3', () => {
    expect(synth.data.stackName).toBe(`${synth.config.stackName}-Data`);
    expect(synth.backend.stackName).toBe(`${synth.config.stackName}-Backend`);
    const contexts = [
      ...new Set(functionEntries.filter(([, d]) => !d.identity?.trigger).map(([, d]) => contextOf(d.entry))),
    ];
    expect(Object.keys(synth.backend.contexts).sort()).toEqual(contexts.sort());
    for (const context of Object.values(synth.backend.contexts)) expect(context.nestedStackParent).toBe(synth.backend);
    for (const { stack } of synth.stacks) expect(stack.region).toBe('eu-west-3');
    const regions = new Set(
      synth.stacks.flatMap(({ json }) =>
        [...JSON.stringify(json).matchAll(/\b([a-z]{2}(?:-[a-z]+)+-\d)\b/g)].map((m) => m[1]),
      ),
    );
    for (const region of regions) expect(EU_REGIONS as readonly string[]).toContain(region);
  });

  it('protects the data stack from termination and deploys the backend after it', () => {
    expect(synth.data.terminationProtection).toBe(true);
    expect(synth.backend.dependencies).toContain(synth.data);
    const manifest = synth.assembly.getStackByName(synth.backend.stackName);
    expect(manifest.dependencies.map((d) => d.id)).toContain(synth.data.artifactId);
  });

  it('reads no value of another stack through an export (no Fn::ImportValue, no Export)', () => {
    for (const { stack, json } of synth.stacks) {
      expect(JSON.stringify(json), stack.node.path).not.toContain('Fn::ImportValue');
      for (const output of Object.values(json.Outputs ?? {})) expect(output).not.toHaveProperty('Export');
    }
  });

  it('retains every data resource', () => {
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::KMS::Key',
      'AWS::Cognito::UserPool',
      'AWS::Scheduler::ScheduleGroup',
    ]) {
      for (const [id, , stack] of resourcesOfType(synth, type)) {
        expect(stack, type).toBe(synth.data);
        expect(templateOf(synth, stack).json.Resources[id]!.DeletionPolicy, `${type} ${id}`).toBe('Retain');
      }
    }
  });

  it('are tagged with the project and the data classification', () => {
    expect(synth.data.tags.tagValues()).toMatchObject(STACK_TAGS);
    expect(synth.backend.tags.tagValues()).toMatchObject(STACK_TAGS);
  });

  it('output the API URLs (REST, WebSocket), the user pool and client ids and the bus name', () => {
    expect(Object.keys(templateOf(synth, synth.backend).json.Outputs ?? {})).toEqual(
      expect.arrayContaining(['ApiUrl', 'WebSocketUrl']),
    );
    expect(Object.keys(templateOf(synth, synth.data).json.Outputs ?? {})).toEqual(
      expect.arrayContaining(['UserPoolId', 'UserPoolClientId', 'EventBusName']),
    );
  });
});

describe('cdk-nag (AwsSolutions, HIPAA Security, Serverless)', () => {
  it('synthesizes with no unacknowledged finding in the validation report', () => {
    // An error finding makes synth() throw (beforeAll would fail); warnings only reach the report.
    const report = validationReport(synth);
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((violation) => `${plugin.pluginName} ${violation.severity} ${violation.ruleName}`),
    );
    expect(findings).toEqual([]);
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['HIPAA.Security', () => new HIPAASecurityChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ] as const)('%s finds nothing left, errors and warnings alike', (_pack, make) => {
    const result = make().validateScope(synth.app);
    expect(
      result.violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('gives every acknowledgement a concrete reason', () => {
    const acknowledgements = acknowledgementsOf(synth);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      expect(reason.length, `${path} ${id}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledges only the reviewed rules (a new one needs a reason in docs/adr/0002-cdk-app.md)', () => {
    const rulesAcknowledged = new Set(acknowledgementsOf(synth).map(({ id }) => id.replace(/\[.*$/, '')));
    expect([...rulesAcknowledged].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-COG2',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-SQS3',
        'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        'HIPAA.Security-APIGWSSLEnabled',
        'HIPAA.Security-DynamoDBInBackupPlan',
        'HIPAA.Security-IAMNoInlinePolicy',
        'HIPAA.Security-LambdaConcurrency',
        'HIPAA.Security-LambdaDLQ',
        'HIPAA.Security-LambdaInsideVPC',
        'Serverless-LambdaDLQ',
        'Serverless-SQSRedrivePolicy',
      ].sort(),
    );
  });

  it('lets the Stripe-calling functions read the two Stripe parameters only, and decrypt only through SSM', () => {
    const stripeFunctions = functionEntries.filter(([, d]) => d.stripe).map(([name]) => name);
    expect(stripeFunctions.length).toBeGreaterThan(0);
    for (const name of stripeFunctions) {
      const statements = policyStatementsOf(name);
      const read = statements.find((st) => st.Sid === 'ReadTheStripeParametersOnly')!;
      expect(JSON.stringify(read.Resource)).toContain('parameter/mpbe/stripe/secret-key');
      expect(JSON.stringify(read.Resource)).toContain('parameter/mpbe/stripe/webhook-secret');
      expect((read.Resource as unknown[]).length).toBe(2);
      const decrypt = statements.find((st) => st.Sid === 'DecryptTheStripeParametersThroughSsm')!;
      expect(decrypt.Action).toBe('kms:Decrypt');
      expect(JSON.stringify(decrypt.Condition)).toContain('kms:ViaService');
    }
  });

  it('acknowledges wildcard resources only for X-Ray, table indexes, scheduled function versions, the one-time schedules of their group, SSM-held keys and the WebSocket stage’s connections', () => {
    const wildcards = acknowledgementsOf(synth)
      .map(({ id }) => id)
      .filter((id) => id.includes('IAM5[Resource::'));
    for (const id of wildcards) {
      expect(id).toMatch(
        /IAM5\[Resource::(\*|arn:aws:dynamodb:eu-west-3:123456789012:table\/MonProDuBienEtre-[\w-]+\/index\/\*|<\w+Function\w+\.Arn>:\*|arn:<AWS::Partition>:scheduler:[\w-]+:\d+:schedule\/[\w-]+\/\*|arn:<AWS::Partition>:kms:[\w-]+:\d+:key\/\*|arn:aws:execute-api:[\w-]+:\d+:<referenceto\w+WebSocketApi\w+Ref>\/[\w-]+\/\*\/@connections\/\*)\]$/,
      );
    }
  });
});

function acknowledgementsOf(synthesized: Synthesized): { path: string; id: string; reason: string }[] {
  return synthesized.app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
