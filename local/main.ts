/**
 * `npm start`: the local cloud on fixed, configurable ports. Ctrl-C stops everything it started.
 *
 *   MPBE_DATA_DIR=.local-data npm start      keep DynamoDB and Cognito data between runs
 *   MPBE_API_PORT=3000 (and MPBE_WEBSOCKET_PORT=3001, MPBE_AWS_PORT, MPBE_DYNAMODB_PORT,
 *   MPBE_SES_PORT, MPBE_COGNITO_PORT, MPBE_STRIPE_PORT): ports; 0 picks a free one.
 *   MPBE_READY_FILE=path                      write the URLs as JSON there once ready (for tests)
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startLocalCloud } from './cloud.ts';

const started = performance.now();
const env = process.env;
const port = (name: string, fallback: number) => Number(env[`MPBE_${name}_PORT`] ?? fallback);
const dataDir = env.MPBE_DATA_DIR ? resolve(env.MPBE_DATA_DIR) : undefined;
const quiet = env.MPBE_QUIET === '1';

const cloud = await startLocalCloud({
  ports: {
    api: port('API', 3000),
    webSocket: port('WEBSOCKET', 3001),
    aws: port('AWS', 4010),
    dynamodb: port('DYNAMODB', 8000),
    ses: port('SES', 8005),
    cognito: port('COGNITO', 9229),
    stripe: port('STRIPE', 12111),
  },
  ...(dataDir ? { dataDir } : {}),
  log: (line) => {
    if (!quiet) console.log(`[local] ${line}`);
  },
}).catch((error: Error) => {
  console.error(`\n  ✖ The local cloud did not start: ${error.message}\n`);
  process.exit(1);
});

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`
  Mon Pro du Bien-Être — local cloud ready in ${seconds} s (Ctrl-C to stop)

  API              ${cloud.urls.api}        (try ${cloud.urls.api}/health)
  WebSocket        ${cloud.urls.webSocket}   (connect with ?token=<Cognito ID token>)
  OpenAPI          ${cloud.urls.openApi}
  API docs         ${cloud.urls.docs}
  Mail viewer      ${cloud.urls.mailViewer}         (JSON: ${cloud.urls.mailStore})
  DynamoDB Local   ${cloud.urls.dynamodb}
  Cognito          ${cloud.urls.cognito}        user pool ${cloud.cognito.userPoolId}, client ${cloud.cognito.clientId}
  Stripe emulator  ${cloud.urls.stripe}
  EventBridge/Scheduler endpoint ${cloud.urls.aws}
  IAM (local)      ${cloud.urls.iam}        every function's AWS endpoint: checks its catalogue grants
  Data             ${dataDir ?? 'in memory, gone when it stops (set MPBE_DATA_DIR to keep it)'}
`);
if (env.MPBE_READY_FILE) {
  writeFileSync(
    env.MPBE_READY_FILE,
    JSON.stringify({ urls: cloud.urls, cognito: cloud.cognito, env: cloud.env }, null, 2),
  );
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n  ${signal}: stopping the local cloud…`);
  await cloud.stop();
  console.log('  stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
