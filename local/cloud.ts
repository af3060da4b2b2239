/**
 * The local cloud: the whole backend on one machine, with the same handlers Lambda runs.
 * DynamoDB Local, the SES, Cognito and Stripe emulators, and our local API gateway, event bus
 * and scheduler, all built from the same sources of truth as the CDK app. Used by `npm start`
 * (local/main.ts) and by the integration and end-to-end tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRetry, rules } from '#events/rules.ts';
import { DEFAULT_CGU_VERSION } from '#functions/accounts/contract.ts';
import { functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { schedules } from '#functions/schedules.ts';
import { streamConsumers } from '#functions/streams.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { stripeEnv } from '#shared/payments-config.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { cognitoAuthorizer } from './authorizer.ts';
import { startAwsEndpoint } from './aws-endpoint.ts';
import { createLocalEventBus } from './event-bus.ts';
import { createGateway } from './gateway.ts';
import { createLambdaRuntime } from './lambda-runtime.ts';
import { freePort } from './ports.ts';
import { createLocalScheduler, localOneTimeScheduleEnv } from './scheduler.ts';
import { seedDemoData } from './seed.ts';
import { startCognitoLocal } from './services/cognito.ts';
import { startCognitoMailBridge } from './services/cognito-mail-bridge.ts';
import { ensureTables, localDynamoClient, missingIndexes, startDynamoDbLocal } from './services/dynamodb.ts';
import { startSesLocal } from './services/ses.ts';
import { createStreamPoller, dynamoDbStreamsApi, type StreamPoller } from './stream-poller.ts';
import { startStripeEmulator } from './stripe/server.ts';

export const REGION = 'eu-west-3';
export const ACCOUNT = '000000000000';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The local Stripe emulator's keys: test-mode shaped, known to nobody else. */
export const LOCAL_SECRET_KEY = 'sk_test_local';
export const LOCAL_WEBHOOK_SECRET = 'whsec_local';

export interface LocalCloudOptions {
  /** 0 picks a free port. */
  readonly ports: { api: number; aws: number; dynamodb: number; ses: number; cognito: number; stripe: number };
  /** Keep DynamoDB and Cognito data here between runs; in memory / a temp folder when absent. */
  readonly dataDir?: string;
  readonly seed?: boolean;
  readonly log?: (line: string) => void;
}

export interface LocalCloud {
  readonly urls: {
    api: string;
    openApi: string;
    docs: string;
    mailViewer: string;
    mailStore: string;
    dynamodb: string;
    cognito: string;
    stripe: string;
    aws: string;
  };
  readonly cognito: { userPoolId: string; clientId: string };
  /** The environment the handlers run with (endpoints, table names, bus): for tests and tools. */
  readonly env: Record<string, string>;
  readonly bus: ReturnType<typeof createLocalEventBus>;
  /** The DynamoDB stream consumers (functions/streams.ts), as Lambda's event source mappings. */
  readonly streams: StreamPoller;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
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
    const [dynamo, ses, cognito] = await Promise.all([
      port(options.ports.dynamodb).then((p) =>
        startDynamoDbLocal({ port: p, ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}) }),
      ),
      startSesLocal({ port: options.ports.ses }),
      port(options.ports.cognito).then((p) =>
        startCognitoLocal({ port: p, dataDir: cognitoDir, lambdaEndpoint: `http://127.0.0.1:${awsPort}` }),
      ),
    ]);
    stops.push(dynamo.stop, ses.stop, cognito.stop);

    const tableNames = await ensureTables(dynamo.endpoint, 'mpbe-local-');
    const lacking = await missingIndexes(dynamo.endpoint, 'mpbe-local-');
    if (lacking.length > 0)
      log(
        `warning: tables kept in the data folder lack indexes added since (${lacking.join(', ')}); the routes that use them fail until the folder is removed (its tables are then created afresh)`,
      );
    // Stripe: the emulator, unless real Stripe test keys are given (STRIPE_SECRET_KEY and
    // STRIPE_WEBHOOK_SECRET, e.g. from `stripe listen`): then the same code talks to Stripe.
    const realStripe = Boolean(process.env.STRIPE_SECRET_KEY && process.env.STRIPE_WEBHOOK_SECRET);
    const webhookSecret = realStripe ? (process.env.STRIPE_WEBHOOK_SECRET as string) : LOCAL_WEBHOOK_SECRET;
    const stripe = await startStripeEmulator({ port: options.ports.stripe, webhookSecret });
    stops.push(() => stripe.close());
    const stripeSettings = {
      secretKeyParameter: '/mpbe/local/stripe/secret-key',
      webhookSecretParameter: '/mpbe/local/stripe/webhook-secret',
      feeBasisPoints: Number(process.env.MPBE_PLATFORM_FEE_BASIS_POINTS ?? 1000),
      ...(realStripe ? {} : { apiBase: stripe.url }),
    };
    // The local SSM parameters the Stripe-calling functions read, as in AWS.
    const parameters = {
      [stripeSettings.secretKeyParameter]: realStripe ? (process.env.STRIPE_SECRET_KEY as string) : LOCAL_SECRET_KEY,
      [stripeSettings.webhookSecretParameter]: webhookSecret,
    };

    const busName = 'mpbe-local';
    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_SCHEDULER: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${awsPort}`,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      COGNITO_USER_POOL_ID: cognito.userPoolId,
      CGU_VERSION: process.env.CGU_VERSION ?? DEFAULT_CGU_VERSION,
      ...tableNames,
      EVENT_BUS_NAME: busName,
      MAIL_FROM: 'no-reply@monprodubienetre.fr',
      PLATFORM_INBOX: 'contact@monprodubienetre.fr',
      POWERTOOLS_SERVICE_NAME: 'mpbe-local',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      // The group, target and role of the one-time schedules (reminders), as the CDK app gives them.
      ...localOneTimeScheduleEnv(functions, defaultRetry, REGION, ACCOUNT),
      ...stripeEnv(stripeSettings),
    };
    // The handlers run in this process and read their configuration from the environment, as in Lambda.
    Object.assign(process.env, env);
    const mailBridge = startCognitoMailBridge({
      subscribe: cognito.onCodeDelivery,
      sesEndpoint: ses.endpoint,
      from: env.MAIL_FROM as string,
      region: REGION,
      currentEmail: cognito.currentEmail,
      log,
    });
    stops.push(mailBridge.stop);

    const runtime = createLambdaRuntime({ root: ROOT, region: REGION, account: ACCOUNT });
    const bus = createLocalEventBus({ busName, rules, invoke: runtime.invoke, region: REGION, account: ACCOUNT, log });
    stops.push(() => bus.close());
    const scheduler = createLocalScheduler({ schedules, invoke: runtime.invoke, log });
    const aws = await startAwsEndpoint({
      port: awsPort,
      host: '127.0.0.1',
      bus,
      scheduler,
      invoke: runtime.invoke,
      parameters,
    });
    stops.push(() => aws.close());
    scheduler.start();
    stops.push(() => scheduler.stop());

    const streamsClient = localDynamoClient(dynamo.endpoint);
    const streams = createStreamPoller({
      consumers: streamConsumers,
      tableNames: Object.fromEntries(
        (Object.keys(tables) as TableName[]).map((name) => [name, tableNames[tables[name].envVar] as string]),
      ) as Record<TableName, string>,
      api: dynamoDbStreamsApi(streamsClient),
      invoke: runtime.invoke,
      region: REGION,
      account: ACCOUNT,
      log,
    });
    streams.start();
    stops.push(async () => {
      await streams.stop();
      streamsClient.destroy();
    });

    const authorizer = cognitoAuthorizer({
      issuer: cognito.issuer,
      jwksUrl: cognito.jwksUrl,
      clientId: cognito.clientId,
    });
    let apiUrl = '';
    const gateway = createServer(
      createGateway({
        routes,
        runtime,
        authorizer,
        account: ACCOUNT,
        openApi: () => openApiDocument(routes, apiUrl),
        log,
      }),
    );
    const apiPort = await listen(gateway, options.ports.api);
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
        openApi: `${apiUrl}/openapi.json`,
        docs: `${apiUrl}/docs`,
        mailViewer: ses.endpoint,
        mailStore: `${ses.endpoint}/store`,
        dynamodb: dynamo.endpoint,
        cognito: cognito.endpoint,
        stripe: stripe.url,
        aws: aws.url,
      },
      cognito: { userPoolId: cognito.userPoolId, clientId: cognito.clientId },
      env,
      bus,
      streams,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
