/**
 * The backend stack: it only composes the constructs, each reading its source of truth.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { defaultRetry, type EventRule, type RetryPolicy, rules } from '#events/rules.ts';
import { DEFAULT_CGU_VERSION } from '#functions/accounts/contract.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { type Route, routes } from '#functions/routes.ts';
import { type ScheduleDefinition, schedules } from '#functions/schedules.ts';
import { type StreamConsumer, streamConsumers } from '#functions/streams.ts';
import { type TableDefinition, type TableName, tables } from '#shared/tables.ts';
import type { DeploymentConfig } from '../config.ts';
import { Api } from '../constructs/api.ts';
import { Data } from '../constructs/data.ts';
import { Events } from '../constructs/events.ts';
import { WebFirewall } from '../constructs/firewall.ts';
import { Functions } from '../constructs/functions.ts';
import { Identity } from '../constructs/identity.ts';
import { OperationalLogs } from '../constructs/logs.ts';
import { OneTimeSchedules, Schedules } from '../constructs/schedules.ts';
import { Streams } from '../constructs/streams.ts';

/** The sources of truth the stack is built from; tests may substitute one. */
export interface BackendSources {
  readonly functions: Readonly<Record<FunctionName, FunctionDefinition>>;
  readonly routes: readonly Route[];
  readonly rules: readonly EventRule[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly scheduleRetry: RetryPolicy;
  readonly tables: Readonly<Record<TableName, TableDefinition>>;
  readonly streamConsumers: readonly StreamConsumer[];
}

export const projectSources: BackendSources = {
  functions,
  routes,
  rules,
  schedules,
  scheduleRetry: defaultRetry,
  tables,
  streamConsumers,
};

/** Stack tags: CloudFormation applies them to every resource of the stack that takes tags. */
export const STACK_TAGS = {
  project: 'monprodubienetre',
  'data-classification': 'personal-data',
  'data-residency': 'eu',
} as const;

export interface BackendStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly projectRoot: string;
  readonly sources?: Partial<BackendSources>;
}

export class BackendStack extends Stack {
  readonly logs: OperationalLogs;
  readonly data: Data;
  readonly events: Events;
  readonly functions: Functions;
  readonly identity: Identity;
  readonly api: Api;
  readonly firewall: WebFirewall;
  readonly schedules: Schedules;
  readonly oneTimeSchedules: OneTimeSchedules;
  readonly streams: Streams;

  constructor(scope: Construct, id: string, props: BackendStackProps) {
    super(scope, id, { ...props, tags: { ...STACK_TAGS, ...props.tags } });
    const sources = { ...projectSources, ...props.sources };
    const { config } = props;

    this.logs = new OperationalLogs(this, 'Logs');
    this.data = new Data(this, 'Data', { tables: sources.tables });
    this.events = new Events(this, 'Events');
    this.functions = new Functions(this, 'Functions', {
      definitions: sources.functions,
      tableDefinitions: sources.tables,
      tables: this.data.tables,
      bus: this.events.bus,
      mail: { from: config.mailFrom, platformInbox: config.platformInbox, sesIdentity: config.sesIdentity },
      stripe: config.stripe,
      logs: this.logs,
      projectRoot: props.projectRoot,
    });
    this.events.route(sources.rules, this.functions.byName);
    this.schedules = new Schedules(this, 'Schedules', {
      schedules: sources.schedules,
      functions: this.functions.byName,
      retry: sources.scheduleRetry,
    });
    this.oneTimeSchedules = new OneTimeSchedules(this, 'OneTimeSchedules', {
      definitions: sources.functions,
      functions: this.functions.byName,
      retry: sources.scheduleRetry,
    });
    this.streams = new Streams(this, 'Streams', {
      consumers: sources.streamConsumers,
      tables: this.data.tables,
      functions: this.functions.byName,
    });
    this.identity = new Identity(this, 'Identity', {
      mailFrom: config.mailFrom,
      sesIdentity: config.sesIdentity,
      cguVersion: (this.node.tryGetContext('cguVersion') as string | undefined) ?? DEFAULT_CGU_VERSION,
      functions: { definitions: sources.functions, byName: this.functions.byName },
    });
    this.api = new Api(this, 'Api', {
      routes: sources.routes,
      functions: this.functions.byName,
      userPool: this.identity.userPool,
      logs: this.logs,
      stageName: config.apiStageName,
    });
    this.firewall = new WebFirewall(this, 'Firewall', { stage: this.api.restApi.deploymentStage, logs: this.logs });
    this.identity.protectWith(this.firewall.webAcl.attrArn);

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL of the REST API stage' });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
  }
}
