/**
 * The local cloud: the whole backend on one machine, with the same handlers Lambda runs.
 * DynamoDB Local, the SES, Cognito and Stripe emulators, and our local API gateway, WebSocket
 * gateway, event bus and scheduler, all built from the same sources of truth as the CDK app. Used
 * by `npm start` (local/main.ts) and by the integration and end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRetry } from '#events/rules.ts';
import { DEFAULT_CGU_VERSION } from '#functions/accounts/contract.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { functionEnvironment } from '#functions/environment.ts';
import { once } from '#shared/aws-clients.ts';
import { LOCAL_CORS_ORIGINS, parseAllowedOrigins } from '#shared/http/cors.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { LOCAL_WEBSOCKET_API_ID } from './access-policy.ts';
import { cognitoAuthorizer } from './authorizer.ts';
import { startAwsEndpoint } from './aws-endpoint.ts';
import { answerClientError } from './client-error.ts';
import { createLocalEventBus } from './event-bus.ts';
import { createGateway } from './gateway.ts';
import { type FunctionPrincipal, type IamProxy, type ObservedCall, startIamProxy } from './iam-proxy.ts';
import { createAsyncInvoker } from './lambda-async.ts';
import { createLambdaRuntime, type LambdaRuntime } from './lambda-runtime.ts';
import { freePort } from './ports.ts';
import { createLocalScheduler, localOneTimeScheduleEnv } from './scheduler.ts';
import { seedDemoData } from './seed.ts';
import { startCognitoLocal } from './services/cognito.ts';
import { startCognitoMailBridge } from './services/cognito-mail-bridge.ts';
import { ensureTables, localDynamoClient, missingIndexes, startDynamoDbLocal } from './services/dynamodb.ts';
import { startSesLocal } from './services/ses.ts';
import { createLocalQueues } from './sqs.ts';
import { createDeadLetterSink, deadLetterRouting } from './sqs-dead-letters.ts';
import { createStreamPoller, dynamoDbStreamsApi, type StreamPoller } from './stream-poller.ts';
import { EMULATOR_PUBLISHABLE_KEY, startStripeEmulator } from './stripe/server.ts';
import { createWebSocketGateway } from './web-socket-gateway.ts';
import {
  catalogueSources,
  LOCAL_BUS_NAME,
  LOCAL_MAIL,
  LOCAL_STRIPE_PARAMETERS,
  LOCAL_TABLE_PREFIX,
  LOCAL_WEBSOCKET_STAGE,
  type LocalSources,
  type LocalWiring,
  localNewsletterSettings,
  localResources,
  localWiring,
} from './wiring.ts';

export const REGION = 'eu-west-3';
export const ACCOUNT = '000000000000';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The local Stripe emulator's keys: test-mode shaped, known to nobody else. */
export const LOCAL_SECRET_KEY = 'sk_test_local';
/** What a frontend gives Stripe.js locally: scoped by Stripe to the PaymentIntents whose client secret it holds. */
export const LOCAL_PUBLISHABLE_KEY = EMULATOR_PUBLISHABLE_KEY;
export const LOCAL_WEBHOOK_SECRET = 'whsec_local';

export interface LocalCloudOptions {
  /** 0 picks a free port. */
  readonly ports: {
    api: number;
    aws: number;
    dynamodb: number;
    ses: number;
    cognito: number;
    stripe: number;
    /** The WebSocket API and its management API; a free one when absent. */
    webSocket?: number;
  };
  /** Keep DynamoDB and Cognito data here between runs; in memory / a temp folder when absent. */
  readonly dataDir?: string;
  readonly seed?: boolean;
  readonly log?: (line: string) => void;
  /** The catalogue, routes, rules… to run (the real ones by default; a test may substitute an entry). */
  readonly sources?: LocalSources;
  /** Reclaim a function instance idle this long (Lambda does, after minutes). */
  readonly lambdaIdleMs?: number;
  /** Told of every AWS call a function or tool makes through the IAM proxy, timed on the wire (benchmarks). */
  readonly observeAwsCalls?: (call: ObservedCall) => void;
}

export interface LocalCloud {
  readonly urls: {
    api: string;
    /** The WebSocket API: `ws://127.0.0.1:<port>/local` (a client adds `?token=<ID token>`). */
    webSocket: string;
    openApi: string;
    docs: string;
    mailViewer: string;
    mailStore: string;
    dynamodb: string;
    cognito: string;
    stripe: string;
    aws: string;
    /** The local IAM proxy every function's AWS endpoints point at. */
    iam: string;
  };
  readonly cognito: { userPoolId: string; clientId: string };
  /**
   * For tests and tools, not what any handler runs with: the emulators' own endpoints with the
   * tools' credentials (full access), and the names of every local resource (tables, bus, mail,
   * pool, schedule group…), the union of the functions' environments.
   */
  readonly env: Record<string, string>;
  /** What is wired: each function's environment and policy, routes, rules, schedules, streams, tables. */
  readonly wiring: LocalWiring;
  readonly runtime: LambdaRuntime;
  readonly iam: IamProxy;
  readonly bus: ReturnType<typeof createLocalEventBus>;
  /** The DynamoDB stream consumers (functions/streams.ts), as Lambda's event source mappings. */
  readonly streams: StreamPoller;
  stop(): Promise<void>;
}

/** The DynamoDB operations that write (and so may add stream records). */
const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const sources = options.sources ?? catalogueSources;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: Error) => log(`stop failed: ${e.message}`));
    stops.length = 0;
  };
  try {
    const port = async (p: number) => (p === 0 ? freePort() : p);
    const cognitoDir = options.dataDir
      ? join(options.dataDir, 'cognito')
      : mkdtempSync(join(tmpdir(), 'mpbe-cognito-'));
    if (!options.dataDir) stops.push(async () => rmSync(cognitoDir, { recursive: true, force: true }));
    // Known before Cognito starts: its triggers are invoked through this endpoint.
    const awsPort = await port(options.ports.aws);
    // Known before the IAM proxy starts: it forwards the management API's calls there.
    const webSocketPort = await port(options.ports.webSocket ?? 0);
    // Known before the functions are wired: the newsletter's mails link to the API (ADR 0020).
    const apiPortChosen = await port(options.ports.api);
    const newsletter = localNewsletterSettings(`http://127.0.0.1:${apiPortChosen}`);
    const [dynamo, ses, cognito] = await Promise.all([
      port(options.ports.dynamodb).then((p) =>
        startDynamoDbLocal({
          port: p,
          log,
          ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
        }),
      ),
      // The account's one configuration set, the newsletter's: its senders name it (ADR 0020).
      startSesLocal({ port: options.ports.ses, configurationSets: [newsletter.configurationSet] }),
      port(options.ports.cognito).then((p) =>
        startCognitoLocal({ port: p, dataDir: cognitoDir, lambdaEndpoint: `http://127.0.0.1:${awsPort}` }),
      ),
    ]);
    stops.push(dynamo.stop, ses.stop, cognito.stop);

    const tableNames = await ensureTables(dynamo.endpoint, LOCAL_TABLE_PREFIX, sources.tables);
    // The contexts' dead-letter queues, in DynamoDB Local (so in MPBE_DATA_DIR): where the bus,
    // the scheduler, asynchronous invocations and the stream poller put what still fails.
    const deadLetterRoutes = deadLetterRouting(sources);
    const queuesClient = localDynamoClient(dynamo.endpoint);
    stops.push(async () => queuesClient.destroy());
    const queues = await createLocalQueues({
      client: queuesClient,
      queueNames: deadLetterRoutes.queues,
      region: REGION,
      account: ACCOUNT,
    });
    const deadLetters = createDeadLetterSink({ queues, routing: deadLetterRoutes, log });
    const lacking = await missingIndexes(dynamo.endpoint, LOCAL_TABLE_PREFIX);
    if (lacking.length > 0)
      log(
        `warning: tables kept in the data folder lack indexes added since (${lacking.join(', ')}); the routes that use them fail until the folder is removed (its tables are then created afresh)`,
      );
    // Stripe: the emulator, unless real Stripe test keys are given (STRIPE_SECRET_KEY and
    // STRIPE_WEBHOOK_SECRET, e.g. from `stripe listen`): then the same code talks to Stripe.
    const realStripe = Boolean(process.env.STRIPE_SECRET_KEY && process.env.STRIPE_WEBHOOK_SECRET);
    const webhookSecret = realStripe ? (process.env.STRIPE_WEBHOOK_SECRET as string) : LOCAL_WEBHOOK_SECRET;
    // Its state (payments, accounts, refunds, balances, events owed) is kept with the rest.
    const stripe = await startStripeEmulator({
      port: options.ports.stripe,
      webhookSecret,
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'stripe') } : {}),
    });
    stops.push(() => stripe.close());
    const stripeSettings = {
      ...LOCAL_STRIPE_PARAMETERS,
      feeBasisPoints: Number(process.env.MPBE_PLATFORM_FEE_BASIS_POINTS ?? 1000),
      // Given to the frontends in the checkout answer, for Stripe.js.
      ...(realStripe
        ? process.env.STRIPE_PUBLISHABLE_KEY
          ? { publishableKey: process.env.STRIPE_PUBLISHABLE_KEY }
          : {}
        : { publishableKey: LOCAL_PUBLISHABLE_KEY }),
      ...(realStripe ? {} : { apiBase: stripe.url }),
    };
    // The local SSM parameters the Stripe-calling functions read, as in AWS.
    const parameters = {
      [stripeSettings.secretKeyParameter]: realStripe ? (process.env.STRIPE_SECRET_KEY as string) : LOCAL_SECRET_KEY,
      [stripeSettings.webhookSecretParameter]: webhookSecret,
      // The key of the newsletter's address hashes and link tokens: fixed, so that MPBE_DATA_DIR's
      // subscriptions stay reachable across runs (MPBE_NEWSLETTER_PEPPER to choose another).
      [newsletter.pepperParameter]: process.env.MPBE_NEWSLETTER_PEPPER ?? 'mpbe-local-newsletter-pepper',
    };

    // The web origins browsers may call the API from: a frontend's dev server on any port unless set.
    const corsAllowedOrigins = process.env.MPBE_CORS_ORIGINS
      ? parseAllowedOrigins(process.env.MPBE_CORS_ORIGINS)
      : LOCAL_CORS_ORIGINS;
    const resources = localResources({
      userPoolId: cognito.userPoolId,
      stripe: stripeSettings,
      cguVersion: process.env.CGU_VERSION ?? DEFAULT_CGU_VERSION,
      corsAllowedOrigins,
      issuer: cognito.issuer,
      appClientId: cognito.clientId,
      // WEBSOCKET_ENDPOINT: the management API through the IAM proxy, which listens only later.
      awsEndpoint: () => iam.url,
      newsletter,
    });
    // Each function's own credentials, as its role's session in Lambda: the IAM proxy knows the
    // caller by its access key id.
    const secret = randomBytes(18).toString('base64url');
    const credentials = (name: FunctionName) => ({
      // Letters and digits only: DynamoDB Local refuses any other access key id.
      accessKeyId: `LocalLambda${name}`,
      secretAccessKey: secret,
      sessionToken: `local-session-${name}`,
    });
    const principals = new Map<string, FunctionPrincipal>();
    // Created once the runtime runs; the IAM proxy nudges it on every write of a function.
    let streams: StreamPoller | undefined;
    const iam = await startIamProxy({
      arns: { region: REGION, account: ACCOUNT },
      principal: (accessKeyId) => principals.get(accessKeyId),
      upstreams: {
        dynamodb: dynamo.endpoint,
        ses: ses.endpoint,
        'cognito-idp': cognito.endpoint,
        events: `http://127.0.0.1:${awsPort}`,
        scheduler: `http://127.0.0.1:${awsPort}`,
        ssm: `http://127.0.0.1:${awsPort}`,
        'execute-api': `http://127.0.0.1:${webSocketPort}`,
      },
      log,
      observe: (call) => {
        // A function wrote to a table: its stream consumers read it now, not at their backoff's end.
        if (call.service === 'dynamodb' && DYNAMODB_WRITES.has(call.operation) && call.tables.length > 0)
          streams?.nudge(call.tables);
        options.observeAwsCalls?.(call);
      },
    });
    stops.push(() => iam.close());
    const wiring = localWiring({
      sources,
      resources,
      runtime: {
        awsEndpoint: iam.url,
        credentials,
        logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      },
    });
    for (const name of Object.keys(wiring.functions) as FunctionName[]) {
      principals.set(credentials(name).accessKeyId, { name, policy: wiring.functions[name].policy });
    }

    // Tests and tools: the emulators directly, with full access, and every resource's name.
    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_SCHEDULER: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      ...tableNames,
      ...Object.assign(
        {},
        ...Object.values(sources.functions).map((definition) => {
          const { POWERTOOLS_SERVICE_NAME: _service, ...rest } = functionEnvironment(definition, resources);
          return rest;
        }),
      ),
      EVENT_BUS_NAME: LOCAL_BUS_NAME,
      MAIL_FROM: LOCAL_MAIL.from,
      PLATFORM_INBOX: LOCAL_MAIL.platformInbox,
      COGNITO_USER_POOL_ID: cognito.userPoolId,
      ...localOneTimeScheduleEnv(sources.functions, defaultRetry, REGION, ACCOUNT),
    };
    const mailBridge = startCognitoMailBridge({
      subscribe: cognito.onCodeDelivery,
      sesEndpoint: ses.endpoint,
      from: LOCAL_MAIL.from,
      region: REGION,
      currentEmail: cognito.currentEmail,
      log,
    });
    stops.push(mailBridge.stop);

    // Each function in its own instance with exactly its wired environment (no shared process.env).
    const runtime = createLambdaRuntime({
      root: ROOT,
      account: ACCOUNT,
      definitions: sources.functions,
      environment: (name) => wiring.environmentOf(name),
      ...(options.lambdaIdleMs !== undefined ? { idleMs: options.lambdaIdleMs } : {}),
      log,
    });
    stops.push(() => runtime.stop());
    const bus = createLocalEventBus({
      busName: LOCAL_BUS_NAME,
      rules: sources.rules,
      invoke: runtime.invoke,
      region: REGION,
      account: ACCOUNT,
      deadLetters,
      log,
    });
    stops.push(() => bus.close());
    const scheduler = createLocalScheduler({
      schedules: sources.schedules,
      invoke: runtime.invoke,
      deadLetters,
      log,
    });
    const asyncInvoker = createAsyncInvoker({
      invoke: runtime.invoke,
      routing: deadLetterRoutes,
      deadLetters,
      log,
    });
    stops.push(() => asyncInvoker.close());
    const aws = await startAwsEndpoint({
      port: awsPort,
      host: '127.0.0.1',
      bus,
      scheduler,
      invoke: runtime.invoke,
      parameters,
      asyncInvoker,
      queues,
      services: { ses },
      log,
    });
    stops.push(() => aws.close());
    scheduler.start();
    stops.push(() => scheduler.stop());

    const streamsClient = localDynamoClient(dynamo.endpoint);
    streams = createStreamPoller({
      consumers: sources.streamConsumers,
      tableNames: wiring.tableNames,
      api: dynamoDbStreamsApi(streamsClient),
      invoke: runtime.invoke,
      region: REGION,
      account: ACCOUNT,
      deadLetters,
      log,
    });
    streams.start();
    stops.push(async () => {
      await streams.stop();
      streamsClient.destroy();
    });

    // The WebSocket API: `$connect` and `$disconnect` run in the runtime; closed before it stops.
    const webSocket = await createWebSocketGateway({
      routes: sources.webSocketRoutes,
      invoke: runtime.invoke,
      apiId: LOCAL_WEBSOCKET_API_ID,
      stage: LOCAL_WEBSOCKET_STAGE,
      port: webSocketPort,
      log,
    });
    stops.push(() => webSocket.close());

    const authorizer = cognitoAuthorizer({
      issuer: cognito.issuer,
      jwksUrl: cognito.jwksUrl,
      clientId: cognito.clientId,
    });
    let apiUrl = '';
    const gateway = createServer(
      createGateway({
        routes: sources.routes,
        runtime,
        authorizer,
        account: ACCOUNT,
        corsAllowedOrigins,
        // Built on the first GET /openapi.json, then served as built: the routes do not change.
        openApi: once(() => openApiDocument(sources.routes, apiUrl)),
        log,
      }),
    );
    gateway.on('clientError', answerClientError);
    const apiPort = await listen(gateway, apiPortChosen);
    apiUrl = `http://127.0.0.1:${apiPort}`;
    // The emulator delivers its events to our webhook route, as a Stripe webhook endpoint would.
    if (!realStripe) stripe.webhooks.setEndpoint(`${apiUrl}/webhooks/stripe`);
    stops.push(
      () =>
        new Promise((resolve) => {
          gateway.closeAllConnections();
          gateway.close(() => resolve());
        }),
    );

    if (options.seed ?? true) {
      const seeded = await seedDemoData({ dynamoEndpoint: dynamo.endpoint, tableNames, now: new Date() });
      log(`seeded ${seeded.practitioners} demo practitioners`);
    }

    return {
      urls: {
        api: apiUrl,
        webSocket: webSocket.url,
        openApi: `${apiUrl}/openapi.json`,
        docs: `${apiUrl}/docs`,
        mailViewer: ses.endpoint,
        mailStore: `${ses.endpoint}/store`,
        dynamodb: dynamo.endpoint,
        cognito: cognito.endpoint,
        stripe: stripe.url,
        aws: aws.url,
        iam: iam.url,
      },
      cognito: { userPoolId: cognito.userPoolId, clientId: cognito.clientId },
      env,
      wiring,
      runtime,
      iam,
      bus,
      streams,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
