/**
 * What the local cloud wires, as data: each function with its entry and the environment its
 * instance starts with (the part CDK gives it, functions/environment.ts, apart from the part
 * Lambda's runtime and the local endpoints add), its role's policy, the routes, WebSocket routes,
 * bus rules, schedules, stream consumers and tables. local/cloud.ts starts the gateways, bus,
 * scheduler, stream poller, table creation and Lambda runtime from `sources` and the
 * environments of this very object, and the descriptions use the components' own derivations
 * (eventPattern, staticScheduleInput, createTableInput, isAuthorized), so a drift test comparing
 * it with the synthesized CloudFormation template compares what actually runs.
 */
import { defaultRetry, type EventRule, eventPattern, rules } from '#events/rules.ts';
import { DEFAULT_CGU_VERSION } from '#functions/accounts/contract.ts';
import { DEFAULT_MEMORY_MB, type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { type FunctionResources, functionEnvironment } from '#functions/environment.ts';
import { type Route, routes } from '#functions/routes.ts';
import { type ScheduleDefinition, schedules } from '#functions/schedules.ts';
import { type StreamConsumer, streamConsumers } from '#functions/streams.ts';
import { type WebSocketRoute, webSocketRoutes } from '#functions/web-socket-routes.ts';
import { LOCAL_CORS_ORIGINS } from '#shared/http/cors.ts';
import { DEFAULT_MEDIATOR } from '#shared/mail/mediator.ts';
import {
  DEFAULT_NEWSLETTER_LINK_TARGETS,
  DEFAULT_NEWSLETTER_PEPPER_PARAMETER,
  type NewsletterSettings,
  newsletterConfigurationSetNameOf,
} from '#shared/newsletter-config.ts';
import type { StripeSettings } from '#shared/payments-config.ts';
import { type TableDefinition, type TableName, tables } from '#shared/tables.ts';
import { type Arns, functionPolicy, LOCAL_WEBSOCKET_API_ID, type PolicyStatement } from './access-policy.ts';
import { isAuthorized } from './gateway.ts';
import { localOneTimeScheduleSettings, staticScheduleInput } from './scheduler.ts';
import { createTableInput, physicalTableName } from './services/dynamodb.ts';

export const LOCAL_REGION = 'eu-west-3';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_TABLE_PREFIX = 'mpbe-local-';
export const LOCAL_BUS_NAME = 'mpbe-local';

/** The sources of truth the local cloud is built from (a test may substitute one). */
export interface LocalSources {
  readonly functions: Readonly<Record<FunctionName, FunctionDefinition>>;
  readonly routes: readonly Route[];
  /** The WebSocket API's routes (the local WebSocket gateway, local/web-socket-gateway.ts). */
  readonly webSocketRoutes: readonly WebSocketRoute<FunctionName>[];
  readonly rules: readonly EventRule[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly streamConsumers: readonly StreamConsumer[];
  readonly tables: Readonly<Record<TableName, TableDefinition>>;
}

export const catalogueSources: LocalSources = {
  functions,
  routes,
  webSocketRoutes,
  rules,
  schedules,
  streamConsumers,
  tables,
};

/** The resources of a running local cloud that only exist once it runs (placeholders otherwise). */
export interface LocalResourceSettings {
  readonly userPoolId?: string;
  readonly stripe?: StripeSettings;
  readonly cguVersion?: string;
  readonly tablePrefix?: string;
  /** The web origins browsers may call the local API from (MPBE_CORS_ORIGINS; LOCAL_CORS_ORIGINS by default). */
  readonly corsAllowedOrigins?: readonly string[];
  /** cognito-local's issuer and app client (local/services/cognito.ts). */
  readonly issuer?: string;
  readonly appClientId?: string;
  /** The management endpoint the functions call: the IAM proxy's URL, known once it listens. */
  readonly awsEndpoint?: () => string;
  /** The newsletter's settings: the local API's URL for its links (ADR 0020). */
  readonly newsletter?: NewsletterSettings;
}

/** The local configuration set of the newsletter's mails, the one the local SES emulator knows. */
export const LOCAL_NEWSLETTER_CONFIGURATION_SET = newsletterConfigurationSetNameOf('mpbe-local');

/**
 * The newsletter's local settings: the local gateway's URL, the site as targets, a local pepper
 * parameter, the local configuration set.
 */
export const localNewsletterSettings = (apiUrl = 'http://127.0.0.1:3000'): NewsletterSettings => ({
  linkBase: apiUrl,
  linkTargets: DEFAULT_NEWSLETTER_LINK_TARGETS,
  pepperParameter: DEFAULT_NEWSLETTER_PEPPER_PARAMETER,
  configurationSet: LOCAL_NEWSLETTER_CONFIGURATION_SET,
});

/** The local WebSocket API's stage: its URL is `ws://127.0.0.1:<port>/<stage>`. */
export const LOCAL_WEBSOCKET_STAGE = 'local';

export const LOCAL_MAIL = { from: 'no-reply@monprodubienetre.fr', platformInbox: 'contact@monprodubienetre.fr' };
export const LOCAL_STRIPE_PARAMETERS = {
  secretKeyParameter: '/mpbe/local/stripe/secret-key',
  webhookSecretParameter: '/mpbe/local/stripe/webhook-secret',
} as const;

/** The local resources' names, as functions/environment.ts takes them. */
export function localResources(settings: LocalResourceSettings = {}): FunctionResources {
  const prefix = settings.tablePrefix ?? LOCAL_TABLE_PREFIX;
  return {
    tableName: (table) => physicalTableName(prefix, tables[table]),
    eventBusName: LOCAL_BUS_NAME,
    mail: LOCAL_MAIL,
    stripe: settings.stripe ?? { ...LOCAL_STRIPE_PARAMETERS, feeBasisPoints: 1000 },
    identity: {
      userPoolId: settings.userPoolId ?? 'eu-west-3_local',
      cguVersion: settings.cguVersion ?? DEFAULT_CGU_VERSION,
      issuer: settings.issuer ?? 'http://127.0.0.1:9229/eu-west-3_local',
      appClientId: settings.appClientId ?? 'local-app-client',
    },
    // As in AWS: the management API at `<endpoint>/<stage>`, signed for execute-api (the IAM
    // proxy checks ManageConnections and forwards to the local WebSocket gateway).
    webSocket: () => ({
      endpoint: `${settings.awsEndpoint?.() ?? 'http://127.0.0.1:4566'}/${LOCAL_WEBSOCKET_STAGE}`,
      connectionsArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${LOCAL_WEBSOCKET_API_ID}/${LOCAL_WEBSOCKET_STAGE}/*/@connections/*`,
    }),
    corsAllowedOrigins: settings.corsAllowedOrigins ?? LOCAL_CORS_ORIGINS,
    mediator: DEFAULT_MEDIATOR,
    newsletter: () => settings.newsletter ?? localNewsletterSettings(),
    oneTimeSchedules: (target) =>
      localOneTimeScheduleSettings(
        target,
        {
          maximumRetryAttempts: defaultRetry.maximumRetryAttempts,
          maximumEventAgeSeconds: defaultRetry.maximumEventAgeSeconds,
        },
        LOCAL_REGION,
        LOCAL_ACCOUNT,
      ),
  };
}

/** The services whose SDK endpoint variable a function gets (the SDK's service ids). */
export const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_EVENTBRIDGE',
  'AWS_ENDPOINT_URL_SCHEDULER',
  'AWS_ENDPOINT_URL_SES',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
] as const;

export interface LocalRuntimeSettings {
  /** The local IAM proxy every AWS endpoint of a function points at. */
  readonly awsEndpoint: string;
  readonly credentials: (name: FunctionName) => {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
  };
  /** The operator's POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: string;
}

/** The local name of a function (its Lambda function name). */
export const localFunctionName = (name: FunctionName) => `mpbe-local-${name}`;

/**
 * What Lambda's runtime sets in every function's environment besides the function's own
 * variables, and the local stand-ins for AWS's endpoints (AWS_ENDPOINT_URL for any other service,
 * so that nothing reaches the real AWS), and the operator's log level.
 */
export function lambdaRuntimeEnvironment(
  name: FunctionName,
  definition: FunctionDefinition,
  runtime: LocalRuntimeSettings,
): Record<string, string> {
  const functionName = localFunctionName(name);
  const credentials = runtime.credentials(name);
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memoryMb ?? DEFAULT_MEMORY_MB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_ENDPOINT_URL: runtime.awsEndpoint,
    ...Object.fromEntries(ENDPOINT_VARIABLES.map((variable) => [variable, runtime.awsEndpoint])),
    POWERTOOLS_LOG_LEVEL: runtime.logLevel,
  };
}

export interface FunctionWiring {
  readonly entry: string;
  readonly timeoutSeconds: number | undefined;
  readonly memoryMb: number | undefined;
  /** functionEnvironment(definition, localResources): what CDK gives the function. */
  readonly environment: Readonly<Record<string, string>>;
  /** What Lambda's runtime and the local endpoints add. */
  readonly runtimeEnvironment: Readonly<Record<string, string>>;
  /** Its role's policy, enforced by the local IAM proxy. */
  readonly policy: readonly PolicyStatement[];
}

export interface LocalWiring {
  readonly functions: Readonly<Record<FunctionName, FunctionWiring>>;
  readonly routes: readonly { method: string; path: string; function: FunctionName; authorized: boolean }[];
  readonly webSocketRoutes: readonly { routeKey: string; function: FunctionName }[];
  readonly rules: readonly { name: string; eventPattern: Record<string, unknown>; targets: FunctionName[] }[];
  readonly schedules: readonly {
    name: string;
    expression: string;
    timezone: string;
    target: FunctionName;
    input: unknown;
    flexibleWindowMinutes: number;
  }[];
  readonly streams: readonly {
    name: string;
    tables: string[];
    target: FunctionName;
    filter: { eventNames: readonly string[]; newImageEntities?: readonly string[] };
    batchSize: number;
    maximumRetryAttempts: number;
  }[];
  readonly tables: readonly {
    table: TableName;
    name: string;
    partitionKey: { name: string; type: string };
    sortKey: { name: string; type: string };
    indexes: { name: string; keys: { name: string; type: string; role: 'HASH' | 'RANGE' }[]; projection: unknown }[];
    ttlAttribute: string;
    stream: string | undefined;
  }[];
  /** The objects the components are started from. */
  readonly sources: LocalSources;
  /** The physical table names by logical name. */
  readonly tableNames: Readonly<Record<TableName, string>>;
  /** The whole environment of a function's instance. */
  environmentOf(name: FunctionName): Record<string, string>;
}

const placeholderRuntime: LocalRuntimeSettings = {
  awsEndpoint: 'http://127.0.0.1:0',
  credentials: (name) => ({ accessKeyId: `LocalLambda${name}`, secretAccessKey: 'local', sessionToken: 'local' }),
  logLevel: 'INFO',
};

export function localWiring(
  options: {
    readonly sources?: LocalSources;
    readonly resources?: FunctionResources;
    readonly runtime?: LocalRuntimeSettings;
  } = {},
): LocalWiring {
  const sources = options.sources ?? catalogueSources;
  const resources = options.resources ?? localResources();
  const runtime = options.runtime ?? placeholderRuntime;
  const arns: Arns = { region: LOCAL_REGION, account: LOCAL_ACCOUNT };
  const names = Object.keys(sources.functions) as FunctionName[];
  const fns = Object.fromEntries(
    names.map((name) => {
      const definition = sources.functions[name];
      const wiring: FunctionWiring = {
        entry: definition.entry,
        timeoutSeconds: definition.timeoutSeconds,
        memoryMb: definition.memoryMb,
        environment: functionEnvironment(definition, resources),
        runtimeEnvironment: lambdaRuntimeEnvironment(name, definition, runtime),
        policy: functionPolicy(definition, resources, arns),
      };
      return [name, wiring];
    }),
  ) as Record<FunctionName, FunctionWiring>;
  const tableNames = Object.fromEntries(
    (Object.keys(sources.tables) as TableName[]).map((table) => [table, resources.tableName(table)]),
  ) as Record<TableName, string>;

  return {
    functions: fns,
    routes: sources.routes.map((route) => ({
      method: route.method,
      path: route.path,
      function: route.function,
      authorized: isAuthorized(route),
    })),
    webSocketRoutes: sources.webSocketRoutes.map((route) => ({ routeKey: route.routeKey, function: route.function })),
    rules: sources.rules.map((rule) => ({
      name: rule.name,
      eventPattern: eventPattern(rule) as Record<string, unknown>,
      targets: [rule.target],
    })),
    schedules: sources.schedules.map((def) => {
      const input = staticScheduleInput(def);
      return {
        name: input.name,
        expression: input.expression,
        timezone: input.timezone ?? 'UTC',
        target: input.target,
        input: input.input,
        flexibleWindowMinutes: input.flexibleTimeWindow?.maximumWindowInMinutes ?? 0,
      };
    }),
    streams: sources.streamConsumers.map((consumer) => ({
      name: consumer.name,
      tables: consumer.tables.map((table) => tableNames[table]),
      target: consumer.target,
      filter: {
        eventNames: consumer.eventNames,
        ...(consumer.newImageEntities ? { newImageEntities: consumer.newImageEntities } : {}),
      },
      batchSize: consumer.batchSize,
      maximumRetryAttempts: consumer.maximumRetryAttempts,
    })),
    tables: (Object.keys(sources.tables) as TableName[]).map((table) => {
      const definition = sources.tables[table];
      const input = createTableInput(tableNames[table], definition);
      const typeOf = (attribute: string | undefined) =>
        input.AttributeDefinitions?.find((a) => a.AttributeName === attribute)?.AttributeType ?? '';
      const key = (role: 'HASH' | 'RANGE', schema = input.KeySchema) => {
        const name = schema?.find((k) => k.KeyType === role)?.AttributeName ?? '';
        return { name, type: typeOf(name) };
      };
      return {
        table,
        name: input.TableName ?? tableNames[table],
        partitionKey: key('HASH'),
        sortKey: key('RANGE'),
        indexes: (input.GlobalSecondaryIndexes ?? []).map((index) => ({
          name: index.IndexName ?? '',
          keys: (index.KeySchema ?? []).map((k) => ({
            name: k.AttributeName ?? '',
            type: typeOf(k.AttributeName),
            role: k.KeyType as 'HASH' | 'RANGE',
          })),
          projection: index.Projection,
        })),
        // ensureTables turns TTL on with this attribute (UpdateTimeToLive).
        ttlAttribute: definition.ttlAttribute,
        stream: input.StreamSpecification?.StreamViewType,
      };
    }),
    sources,
    tableNames,
    environmentOf: (name) => ({ ...fns[name].environment, ...fns[name].runtimeEnvironment }),
  };
}
