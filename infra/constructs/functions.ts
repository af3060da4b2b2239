/**
 * Functions: one Lambda function per entry of the function catalogue (functions/catalogue.ts),
 * built by `BackendFunction` with the backend's defaults. `catalogueFunction` gives it exactly
 * what its entry declares, both derived from that one entry: its environment
 * (`functionEnvironment`, functions/environment.ts, the same derivation the local cloud uses) and
 * its grants (least privilege): its tables in their access mode, the bus when it publishes events,
 * SES for its sender identity when it sends mail (and the newsletter's configuration set when it
 * sends newsletter mail), the Stripe parameters, the user pool's admin
 * actions, the one-time schedules of its group, the WebSocket stage's connections.
 */
import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { Charset, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  type FunctionDefinition,
  type TableAccess,
} from '#functions/catalogue.ts';
import { type FunctionResources, functionEnvironment, tableAccessOf } from '#functions/environment.ts';
import type { StripeSettings } from '#shared/payments-config.ts';
import type { TableDefinition, TableName } from '#shared/tables.ts';
import { bundleAliases, bundleBanner, bundleMainFields, bundleTarget } from '../bundling.ts';
import { acknowledge, findingName, wildcardArn } from '../nag.ts';
import type { OperationalLogs } from './logs.ts';

/** Lambda's asynchronous-invocation layer: retries of a handler that throws, and the event's age limit. */
export interface AsyncInvocationPolicy {
  /** 0, 1 or 2. */
  readonly retryAttempts: number;
  /** 60 s to 6 h. */
  readonly maxEventAge: Duration;
}

const TRACING_POLICY_ID = 'LambdaTracingPolicy';

/**
 * X-Ray's write actions, shared by every function of the stack. X-Ray has no resource-level
 * permissions, so the statement needs `Resource: *`: keeping it in this one managed policy keeps
 * every function's own policy free of wildcards, where a new one would show up in cdk-nag.
 */
export function tracingPolicy(scope: Construct): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(TRACING_POLICY_ID);
  if (existing) return existing as iam.ManagedPolicy;
  const policy = new iam.ManagedPolicy(stack, TRACING_POLICY_ID, {
    description: 'Lets Lambda functions send X-Ray traces',
    statements: [
      new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ],
  });
  acknowledge(
    policy,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permission (AWS service authorization reference): Resource must be *. Only these two write actions are granted.',
  );
  return policy;
}

export interface BackendFunctionProps {
  readonly definition: FunctionDefinition;
  /** The project root: catalogue entries are relative to it, and so are package.json and the lock file. */
  readonly projectRoot: string;
  readonly logs: OperationalLogs;
  /** Exactly `functionEnvironment(definition, resources)`; NODE_OPTIONS is added here. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * A Lambda function with our defaults: Node.js 24 on arm64, an ESM bundle built by the local
 * esbuild (minified, with source maps), X-Ray tracing, JSON logs into an encrypted log group that
 * expires, and its own role holding nothing but what it is granted.
 */
export class BackendFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private asyncInvocation: { readonly policy: AsyncInvocationPolicy; readonly failures: sqs.IQueue } | undefined;

  constructor(scope: Construct, id: string, props: BackendFunctionProps) {
    super(scope, id);
    const { definition, projectRoot } = props;
    this.logGroup = props.logs.logGroup(this, 'Logs');
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${definition.entry}`,
      managedPolicies: [tracingPolicy(this)],
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(projectRoot, definition.entry),
      handler: 'handler',
      description: definition.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: definition.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      // Tracing is set on the resource below: the `tracing` prop would put X-Ray's wildcard
      // statement into this function's own policy.
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
      },
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: bundleTarget,
        platform: 'node',
        mainFields: bundleMainFields,
        banner: bundleBanner,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        charset: Charset.UTF8,
        logLevel: LogLevel.WARNING,
        // The AWS SDK is bundled too: the exact version the tests ran against, tree-shaken.
        externalModules: [],
        esbuildArgs: {
          '--alias': Object.entries(bundleAliases).map(([module, replacement]) => `${module}=${replacement}`),
        },
        tsconfig: path.join(projectRoot, 'tsconfig.json'),
      },
    });
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };

    acknowledge(
      this.function,
      'HIPAA.Security-LambdaInsideVPC',
      'The functions reach only AWS public service endpoints (DynamoDB, EventBridge, SES, Cognito), always over TLS and authorized by IAM; there is no private resource to reach. A VPC would add NAT or endpoint costs and cold-start latency without reducing exposure.',
    );
    acknowledge(
      this.function,
      'HIPAA.Security-LambdaConcurrency',
      "No reserved concurrency: it would carve the account's regional pool (as low as 10 on new accounts) and cap the API at a guessed value. The load reaching functions is bounded by the API stage throttling and the WAF per-IP rate limits.",
    );
    const dlqReason =
      'Lambda dead-letter queues only concern asynchronous invocations. Functions invoked asynchronously (EventBridge rules, Scheduler) get an on-failure destination to an encrypted SQS queue (EventInvokeConfig, see enableAsyncInvocation), which supersedes the legacy DLQ and also records the error; the infra tests assert it for every rule target. The other functions are invoked synchronously by API Gateway, whose caller receives the error.';
    acknowledge(this.function, 'HIPAA.Security-LambdaDLQ', dlqReason);
    acknowledge(this.function, 'Serverless-LambdaDLQ', dlqReason);
    acknowledge(
      this.role,
      'HIPAA.Security-IAMNoInlinePolicy',
      "The inline policy is the function's own least-privilege policy, generated from its catalogue entry (functions/catalogue.ts) by CDK grants, attached to this role only and deleted with it; a standalone managed policy would only invite reuse by other principals.",
    );
  }

  /**
   * Configures Lambda's asynchronous invocation (EventBridge and Scheduler targets invoke
   * asynchronously): retries of a failing handler, then the event goes to the context's
   * dead-letter queue (the on-failure record names this function). A function has one such
   * configuration, so every caller must ask for the same policy.
   */
  enableAsyncInvocation(policy: AsyncInvocationPolicy, failures: sqs.IQueue): sqs.IQueue {
    if (this.asyncInvocation) {
      const current = this.asyncInvocation.policy;
      if (
        current.retryAttempts !== policy.retryAttempts ||
        current.maxEventAge.toSeconds() !== policy.maxEventAge.toSeconds()
      ) {
        throw new Error(
          `${this.node.path}: conflicting asynchronous invocation policies (retries ${current.retryAttempts} vs ${policy.retryAttempts}, max age ${current.maxEventAge.toSeconds()} s vs ${policy.maxEventAge.toSeconds()} s)`,
        );
      }
      if (this.asyncInvocation.failures !== failures) throw new Error(`${this.node.path}: two failure queues`);
      return this.asyncInvocation.failures;
    }
    this.function.configureAsyncInvoke({
      retryAttempts: policy.retryAttempts,
      maxEventAge: policy.maxEventAge,
      onFailure: new destinations.SqsDestination(failures),
    });
    this.asyncInvocation = { policy, failures };
    return failures;
  }

  /** The asynchronous-failure queue, once `enableAsyncInvocation` was called. */
  get asyncFailureQueue(): sqs.IQueue | undefined {
    return this.asyncInvocation?.failures;
  }
}

export interface MailSettings {
  readonly from: string;
  readonly platformInbox: string;
  /** The SES identity (domain or address) the functions may send from. */
  readonly sesIdentity: string;
}

/**
 * A newsletter function reads its pepper (ADR 0020), an SSM SecureString created out of band, and
 * nothing else of Parameter Store; decrypting it only through SSM, as for the Stripe keys.
 */
function grantNewsletterPepper(fn: BackendFunction, parameter: string): void {
  grantSecureStrings(fn, {
    sid: 'TheNewsletterPepper',
    parameters: [parameter],
    what: 'The newsletter pepper is an SSM SecureString parameter',
  });
}

/**
 * Reading SecureString parameters created out of band: GetParameters on those ARNs only, and
 * decrypt with the key SSM encrypted them with (AWS's `aws/ssm` key unless the operator chose
 * another), only through SSM in this region. `sid` names the statements (`ReadThe…Only`,
 * `DecryptThe…ThroughSsm`); `what` begins the nag acknowledgement.
 */
function grantSecureStrings(
  fn: BackendFunction,
  grant: { readonly sid: string; readonly parameters: readonly string[]; readonly what: string },
): void {
  const stack = Stack.of(fn);
  const parameterArn = (name: string) =>
    stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: name.replace(/^\//, ''),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: `Read${grant.sid}Only`,
      actions: ['ssm:GetParameters'],
      resources: grant.parameters.map(parameterArn),
    }),
  );
  const keys = wildcardArn(stack, 'kms', 'key/*');
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: `Decrypt${grant.sid}ThroughSsm`,
      actions: ['kms:Decrypt'],
      resources: [keys.arn],
      conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com` } },
    }),
  );
  acknowledge(
    fn.role,
    `AwsSolutions-IAM5[Resource::${keys.findingName}]`,
    `${grant.what} created out of band, encrypted with a key the operator chooses (aws/ssm by default, whose id is not known at synthesis). Decrypt is allowed only when SSM calls it in this region (kms:ViaService), so it reaches nothing but SSM parameters this role may already read.`,
  );
}

/**
 * A newsletter function that sends mail names the newsletter's configuration set in each mail
 * (ADR 0020): SES then authorizes the send on the identity and on the set, so the role may send
 * with that set, and no other, from MAIL_FROM only. The other functions are granted no set: a mail
 * of theirs naming one is refused.
 */
function grantNewsletterConfigurationSet(fn: BackendFunction, deps: FunctionDependencies): void {
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'SendWithTheNewsletterConfigurationSetOnly',
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [
        Stack.of(fn).formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: deps.resources.newsletter().configurationSet,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': deps.mail.from } },
    }),
  );
}

/** What `catalogueFunction` builds a function from, besides its catalogue entry. */
export interface FunctionDependencies {
  readonly projectRoot: string;
  readonly logs: OperationalLogs;
  /** Every table (real in the data stack, imported by name elsewhere), to grant. */
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly tableDefinitions: Readonly<Record<TableName, TableDefinition>>;
  readonly bus: events.IEventBus;
  readonly mail: MailSettings;
  readonly stripe: StripeSettings;
  /** The user pool's ARN, for the admin actions an entry declares. */
  readonly userPoolArn: string;
  /** The one-time schedule group's name, for the entries that create one-time schedules. */
  readonly oneTimeScheduleGroupName: string | undefined;
  /** The one source of every function's environment. */
  readonly resources: FunctionResources;
}

export { contextOf } from '#functions/environment.ts';

const grantTable: Record<TableAccess, (table: dynamodb.ITable, grantee: iam.IGrantable) => iam.Grant> = {
  read: (table, grantee) => table.grantReadData(grantee),
  write: (table, grantee) => table.grantWriteData(grantee),
  'read-write': (table, grantee) => table.grantReadWriteData(grantee),
};

/** The wildcards a CDK table grant necessarily contains, acknowledged one by one on the role. */
function acknowledgeTableGrant(
  role: iam.Role,
  name: TableName,
  table: dynamodb.ITable,
  access: TableAccess,
  definition: TableDefinition,
): void {
  if (definition.indexes.length > 0) {
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${findingName(Stack.of(role), table.tableArn)}/index/*]`,
      `The ${name} table grant (${access}) extends to the indexes of that table only (${definition.indexes.map((i) => i.name).join(', ')}: shared/tables.ts); index ARNs are table/<name>/index/<index>, and the wildcard never reaches another table.`,
    );
  }
  if (access !== 'read') {
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Action::${action}]`,
        `Writing to the ${name} table encrypts with the data key: CDK's table grant gives ${action} on that key only (the statement's resource is the data key ARN), as DynamoDB needs it for SSE with a customer-managed key.`,
      );
    }
  }
}

/** Reading the two Stripe SecureString parameters (the secret key, the webhook signing secret). */
function grantStripeParameters(fn: BackendFunction, settings: StripeSettings): void {
  grantSecureStrings(fn, {
    sid: 'TheStripeParameters',
    parameters: [settings.secretKeyParameter, settings.webhookSecretParameter],
    what: 'The Stripe keys are SSM SecureString parameters',
  });
}

/**
 * The Cognito admin actions of an entry, on the platform's pool only. A pool trigger gets them in
 * a policy of its own, attached to its role but not part of what the function's creation waits
 * for: the pool names the trigger, so the trigger's creation waiting for the pool would be a cycle.
 */
function grantUserPoolActions(fn: BackendFunction, name: string, definition: FunctionDefinition, poolArn: string) {
  const actions = definition.identity?.actions ?? [];
  if (actions.length === 0) return;
  const statement = new iam.PolicyStatement({
    sid: 'AdministerUsersOfThePlatformPoolOnly',
    actions: actions.map((action) => `cognito-idp:${action}`),
    resources: [poolArn],
  });
  if (!definition.identity?.trigger) {
    fn.role.addToPrincipalPolicy(statement);
    return;
  }
  const policy = new iam.Policy(fn, 'UserPoolAccess', { statements: [statement], roles: [fn.role] });
  acknowledge(
    policy,
    'HIPAA.Security-IAMNoInlinePolicy',
    `The Cognito admin actions of ${name}, from its catalogue entry, on the platform's user pool only; a policy of its own (not the role's default policy) so that a pool trigger's role can name the pool without a dependency cycle. Attached to this one role and deleted with the stack.`,
  );
}

/** Creating and deleting the one-time schedules of its group, and passing their role to Scheduler only. */
function grantOneTimeSchedules(
  fn: BackendFunction,
  name: string,
  definition: FunctionDefinition,
  deps: FunctionDependencies,
) {
  if (!definition.oneTimeSchedules) return;
  const groupName = deps.oneTimeScheduleGroupName;
  if (!groupName) throw new Error(`${name} creates one-time schedules but the app has no schedule group`);
  const schedules = wildcardArn(Stack.of(fn), 'scheduler', `schedule/${groupName}/*`);
  const settings = deps.resources.oneTimeSchedules(definition.oneTimeSchedules.target);
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ManageOneTimeSchedulesOfItsGroupOnly',
      actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
      resources: [schedules.arn],
    }),
  );
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PassTheSchedulerRoleToSchedulerOnly',
      actions: ['iam:PassRole'],
      resources: [settings.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
  acknowledge(
    fn.role,
    `AwsSolutions-IAM5[Resource::${schedules.findingName}]`,
    `${name} creates and deletes one-time schedules named after the appointment they remind of, so their names are not known at deployment: the grant covers the schedules of its own group (${groupName}) only, with CreateSchedule and DeleteSchedule only.`,
  );
}

/**
 * Posting to, reading and closing the WebSocket API's connections (the management API), on the
 * connections of its one stage only.
 */
function grantConnections(
  fn: BackendFunction,
  name: string,
  definition: FunctionDefinition,
  deps: FunctionDependencies,
) {
  if (!definition.managesConnections) return;
  const { connectionsArn } = deps.resources.webSocket();
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ManageConnectionsOfTheWebSocketStageOnly',
      actions: ['execute-api:ManageConnections'],
      resources: [connectionsArn],
    }),
  );
  acknowledge(
    fn.role,
    `AwsSolutions-IAM5[Resource::${findingName(Stack.of(fn), connectionsArn)}]`,
    `${name} posts to and closes the WebSocket connections of its recipients: connection ids are random, given by API Gateway at $connect, so the grant covers any connection (and any of the management API's methods) of this one API's one stage, and nothing else.`,
  );
}

/**
 * The Lambda function of one catalogue entry: its environment is exactly
 * `functionEnvironment(definition, deps.resources)` (plus NODE_OPTIONS), and its grants come from
 * the same entry.
 */
export function catalogueFunction(
  scope: Construct,
  name: string,
  definition: FunctionDefinition,
  deps: FunctionDependencies,
): BackendFunction {
  const fn = new BackendFunction(scope, name, {
    definition,
    projectRoot: deps.projectRoot,
    logs: deps.logs,
    environment: functionEnvironment(definition, deps.resources),
  });
  for (const [tableName, access] of tableAccessOf(definition)) {
    const table = deps.tables[tableName];
    grantTable[access](table, fn.function);
    acknowledgeTableGrant(fn.role, tableName, table, access, deps.tableDefinitions[tableName]);
  }
  if (definition.publishesEvents) deps.bus.grantPutEventsTo(fn.function);
  if (definition.sendsMail) {
    const sesIdentityArn = Stack.of(fn).formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: deps.mail.sesIdentity,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendMailFromThePlatformIdentityOnly',
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [sesIdentityArn],
        conditions: { StringEquals: { 'ses:FromAddress': deps.mail.from } },
      }),
    );
    if (definition.newsletter) grantNewsletterConfigurationSet(fn, deps);
  }
  if (definition.stripe) grantStripeParameters(fn, deps.stripe);
  if (definition.newsletter) grantNewsletterPepper(fn, deps.resources.newsletter().pepperParameter);
  grantUserPoolActions(fn, name, definition, deps.userPoolArn);
  grantOneTimeSchedules(fn, name, definition, deps);
  grantConnections(fn, name, definition, deps);
  return fn;
}
