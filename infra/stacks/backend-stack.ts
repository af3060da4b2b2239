/**
 * The backend stack (`<stackName>-Backend`): everything stateless. It holds the REST API (every
 * path resource, the validator, the authorizer, the deployment and stage), the WebSocket API (the
 * API and its stage), the WAF, and one nested stack per bounded context (./context-stack.ts) with
 * that context's functions, rules, schedules, stream mappings, API methods and WebSocket routes.
 * It reads the data stack's values by deterministic names (tables, bus, schedule group) or weak
 * references (`Fn::GetStackOutput`: keys, table streams, the user pool and its client), so either
 * stack can change a value without an export deadlock; it is deployed after the data stack (an
 * explicit dependency).
 */
import { CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { FunctionDefinition, FunctionName } from '#functions/catalogue.ts';
import { contextOf, type FunctionResources } from '#functions/environment.ts';
import { newsletterConfigurationSetNameOf } from '#shared/newsletter-config.ts';
import type { OneTimeScheduleSettings } from '#shared/scheduling/one-time-schedules.ts';
import type { DeploymentConfig } from '../config.ts';
import { Alarms } from '../constructs/alarms.ts';
import { Api, routeTableFingerprint } from '../constructs/api.ts';
import { tableReferences } from '../constructs/data.ts';
import { eventBusNameOf } from '../constructs/events.ts';
import { WebFirewall } from '../constructs/firewall.ts';
import type { BackendFunction, FunctionDependencies } from '../constructs/functions.ts';
import { WebSocketApi } from '../constructs/web-socket-api.ts';
import { type ContextSources, ContextStack } from './context-stack.ts';
import { cognitoIssuer, type DataStack, deployedFunctionResources, STACK_TAGS } from './data-stack.ts';
import type { BackendSources } from './sources.ts';

export interface BackendStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly projectRoot: string;
  readonly sources: BackendSources;
  readonly cguVersion: string;
  readonly data: DataStack;
}

/** The construct id of a context's nested stack: `bookings` → `BookingsContext`. */
export function contextStackId(context: string): string {
  return `${context.replace(/(^|-)(\w)/g, (_m, _dash, letter: string) => letter.toUpperCase())}Context`;
}

/** The functions of each bounded context, and what targets them, from the sources of truth. */
export function contextSources(sources: BackendSources): Map<string, ContextSources> {
  const entries = (Object.entries(sources.functions) as [FunctionName, FunctionDefinition][]).filter(
    // User pool triggers live with the pool, in the data stack.
    ([, definition]) => !definition.identity?.trigger,
  );
  const feedback = entries.filter(([, definition]) => definition.sesFeedback).map(([name]) => name);
  if (feedback.length > 1)
    throw new Error(
      `sesFeedback: ${feedback.join(', ')}: one function at most receives SES's bounces and complaints (the newsletter's one configuration set)`,
    );
  const contextByFunction = new Map(entries.map(([name, definition]) => [name, contextOf(definition.entry)]));
  const contextOfTarget = (target: string, what: string): string => {
    const context = contextByFunction.get(target as FunctionName);
    if (!context) throw new Error(`${what}: ${target} is not a function of the catalogue outside the data stack`);
    return context;
  };
  const byContext = new Map<string, ContextSources>();
  const sourcesOf = (context: string) => {
    let found = byContext.get(context);
    if (!found) {
      found = {
        functions: [],
        routes: [],
        webSocketRoutes: [],
        rules: [],
        schedules: [],
        streamConsumers: [],
        oneTimeScheduleTargets: [],
      };
      byContext.set(context, found);
    }
    return found as { -readonly [K in keyof ContextSources]: ContextSources[K][number][] };
  };
  for (const [name, definition] of entries) sourcesOf(contextOf(definition.entry)).functions.push([name, definition]);
  for (const route of sources.routes) {
    sourcesOf(contextOfTarget(route.function, `Route ${route.method} ${route.path}`)).routes.push(route);
  }
  for (const route of sources.webSocketRoutes) {
    sourcesOf(contextOfTarget(route.function, `WebSocket route ${route.routeKey}`)).webSocketRoutes.push(route);
  }
  for (const rule of sources.rules) sourcesOf(contextOfTarget(rule.target, `Rule ${rule.name}`)).rules.push(rule);
  for (const schedule of sources.schedules) {
    sourcesOf(contextOfTarget(schedule.target, `Schedule ${schedule.name}`)).schedules.push(schedule);
  }
  for (const consumer of sources.streamConsumers) {
    sourcesOf(contextOfTarget(consumer.target, `Stream consumer ${consumer.name}`)).streamConsumers.push(consumer);
  }
  const targets = new Set(entries.flatMap(([, definition]) => definition.oneTimeSchedules?.target ?? []));
  for (const target of targets) {
    const context = contextOfTarget(target, 'oneTimeSchedules target');
    sourcesOf(context).oneTimeScheduleTargets.push(target as FunctionName);
  }
  return byContext;
}

export class BackendStack extends Stack {
  readonly api: Api;
  readonly webSocketApi: WebSocketApi;
  readonly firewall: WebFirewall;
  readonly contexts: Record<string, ContextStack> = {};
  /** Every function of the nested context stacks, by name. */
  readonly functions: Partial<Record<FunctionName, BackendFunction>> = {};
  /** What every function's environment here is derived from (functions/environment.ts). */
  readonly functionResources: FunctionResources;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: BackendStackProps) {
    super(scope, id, { ...props, tags: { ...STACK_TAGS, ...props.tags } });
    const { config, sources, data } = props;
    const namePrefix = config.stackName;
    // Values the data stack may change (a key, a stream): weak references, read at each deployment.
    const dataKey = kms.Key.fromKeyArn(this, 'DataKey', data.data.key.keyArn);
    const tables = tableReferences(this, 'Tables', {
      namePrefix,
      definitions: sources.tables,
      key: dataKey,
      streamArns: data.data.streamArns(),
    });
    const bus = events.EventBus.fromEventBusName(this, 'Bus', eventBusNameOf(namePrefix));
    const contexts = contextSources(sources);

    const oneTimeSettings = (target: string): OneTimeScheduleSettings => {
      const groupName = data.oneTimeScheduleGroupName;
      if (!groupName) throw new Error(`One-time schedules of ${target}: the data stack has no schedule group`);
      // The target's context may be built after the creator's: read its settings at synthesis.
      const settingsOf = () => {
        const context = this.contexts[contextOf(sources.functions[target as FunctionName].entry)];
        const settings = context?.oneTimeScheduleTargets?.settings(target);
        if (!settings) throw new Error(`One-time schedules: no target ${target}`);
        return settings;
      };
      return {
        groupName,
        targetArn: Lazy.string({ produce: () => settingsOf().targetArn }),
        roleArn: Lazy.string({ produce: () => settingsOf().roleArn }),
        deadLetterArn: Lazy.string({ produce: () => settingsOf().deadLetterArn }),
        maximumRetryAttempts: sources.scheduleRetry.maximumRetryAttempts,
        maximumEventAgeSeconds: sources.scheduleRetry.maximumEventAgeSeconds,
      };
    };
    this.api = new Api(this, 'Api', {
      routes: sources.routes,
      userPool: data.identity.userPool,
      logs: data.logs,
      restApiName: `${namePrefix}-api`,
      stageName: config.apiStageName,
      corsAllowedOrigins: config.corsAllowedOrigins,
    });
    const stage = this.api.deploy(routeTableFingerprint(sources.routes));
    // The REST API creates the account's CloudWatch Logs role, which any logging stage needs first.
    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `${namePrefix}-ws`,
      stageName: config.apiStageName,
      logs: data.logs,
      accountSettings: this.api.restApi.node.tryFindChild('Account'),
    });
    const webSocketApi = this.webSocketApi;
    this.functionResources = deployedFunctionResources(config, sources, {
      identity: {
        userPoolId: data.identity.userPool.userPoolId,
        cguVersion: props.cguVersion,
        issuer: cognitoIssuer(this, data.identity.userPool.userPoolId),
        appClientId: data.identity.client.userPoolClientId,
      },
      oneTimeSchedules: oneTimeSettings,
      webSocket: () => ({ endpoint: webSocketApi.endpoint, connectionsArn: webSocketApi.connectionsArn }),
      // The mails' links: the configured public URL of the API, else its stage URL (ADR 0020),
      // built from the API's id and the stage's name: a reference to the stage itself would make
      // the context stacks depend on it, and the deployment waits for them.
      newsletter: () => ({
        linkBase:
          config.newsletter.linkBase ??
          `https://${this.api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${config.apiStageName}`,
        linkTargets: config.newsletter.linkTargets,
        pepperParameter: config.newsletter.pepperParameter,
        // Named after the deployment: the senders name it, the newsletter's context stack creates it.
        configurationSet: newsletterConfigurationSetNameOf(namePrefix),
      }),
    });
    const dependencies: FunctionDependencies = {
      projectRoot: props.projectRoot,
      logs: data.logs,
      tables,
      tableDefinitions: sources.tables,
      bus,
      mail: { from: config.mailFrom, platformInbox: config.platformInbox, sesIdentity: config.sesIdentity },
      stripe: config.stripe,
      userPoolArn: data.identity.userPool.userPoolArn,
      oneTimeScheduleGroupName: data.oneTimeScheduleGroupName,
      resources: this.functionResources,
    };

    for (const [context, contextSourcesOf] of [...contexts].sort(([a], [b]) => a.localeCompare(b))) {
      const stack = new ContextStack(this, contextStackId(context), {
        context,
        sources: contextSourcesOf,
        dependencies,
        api: this.api,
        webSocketApi,
        scheduleRetry: sources.scheduleRetry,
        namePrefix,
      });
      this.contexts[context] = stack;
      Object.assign(this.functions, stack.functions);
    }
    this.api.deploymentWaitsFor(...Object.values(this.contexts));
    this.webSocketApi.stageWaitsFor(
      ...Object.values(this.contexts).filter(
        (context) => (contexts.get(context.context)?.webSocketRoutes.length ?? 0) > 0,
      ),
    );

    // The API's 5xx; the functions' and queues' alarms are in the context stacks, the topic in the data stack.
    this.alarms = new Alarms(this, 'Alarms', { namePrefix });
    this.alarms.apiServerErrors(stage);

    this.firewall = new WebFirewall(this, 'Firewall', { stage, logs: data.logs });
    this.firewall.protect('UserPoolFirewall', data.identity.userPool.userPoolArn);

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL of the REST API stage' });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.webSocketApi.url,
      description: 'URL of the WebSocket API stage (wss://…; the ID token as ?token=)',
    });
  }
}
