/**
 * `npm run bench:messages`: sending a message (issue 14: "p95 ≤ 1.5× the p95 of the raw DynamoDB
 * calls it makes").
 *
 * The real `sendMessage` handler (functions/messaging/handlers/send-message.ts, with its guards:
 * revocation list, per-account rate limit) runs in this process against DynamoDB Local, with the
 * environment its catalogue entry gives it, on API Gateway events such as the gateway sends.
 * Every DynamoDB call it makes is timed at the SDK (a middleware around the whole call: the
 * request, its signing, the round trip, the answer's parsing), so each send has two numbers: the
 * handler's time, and the time of the DynamoDB calls it made (the rate-limit counter, the
 * conversation's read, the transaction writing the message and the conversation). The floor is
 * the second: no handler making those calls can be faster. Reports p50 and p95 of each over
 * BENCH_RUNS sends (400) after a warm-up, spread over 20 conversations (the per-account limit is
 * 60 per 5 minutes), and fails (exit 1) when the handler's p95 exceeds 1.5 times the calls' p95.
 *
 *   BENCH_RUNS=1000 npm run bench:messages
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { functions } from '#functions/catalogue.ts';
import { functionEnvironment } from '#functions/environment.ts';
import { startAwsEndpoint } from '#local/aws-endpoint.ts';
import { createLocalEventBus } from '#local/event-bus.ts';
import { freePort } from '#local/ports.ts';
import { ensureTables, localDynamoClient, startDynamoDbLocal } from '#local/services/dynamodb.ts';
import { LOCAL_BUS_NAME, localResources } from '#local/wiring.ts';

const runs = Number(process.env.BENCH_RUNS ?? 400);
const warmUp = 60;
const pairs = 20;
const limit = 1.5;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]!;

const port = await freePort();
const dynamo = await startDynamoDbLocal({ port });
try {
  const tableEnv = await ensureTables(dynamo.endpoint, 'bench-');
  // The local bus, with no rule: the guard's once-a-day activity event goes there, during the warm-up.
  const bus = createLocalEventBus({ busName: LOCAL_BUS_NAME, rules: [], invoke: async () => undefined, log: () => {} });
  const aws = await startAwsEndpoint({ bus, log: () => {} });
  // Exactly the function's environment, with local endpoints.
  const environment = functionEnvironment(functions.sendMessage, localResources({ tablePrefix: 'bench-' }));
  Object.assign(process.env, environment, tableEnv, {
    AWS_REGION: 'eu-west-3',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });

  const { documentClient } = await import('#shared/aws-clients.ts');
  const { dynamoConversationStore } = await import('#functions/messaging/adapters/conversation-store.ts');
  const { conversationIdFor } = await import('#functions/messaging/domain/conversation.ts');
  const { handler } = await import('#functions/messaging/handlers/send-message.ts');

  // Time every DynamoDB call of the handler's client, whole.
  let dynamoMs = 0;
  documentClient().middlewareStack.add(
    (next) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        dynamoMs += performance.now() - started;
      }
    },
    { step: 'initialize', name: 'benchTiming', priority: 'high' },
  );

  // The set-up's own client: its calls are not the handler's.
  const setUpClient = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint));
  const store = dynamoConversationStore({ client: setUpClient, tableName: tableEnv.TABLE_MESSAGING! });
  const conversations: { id: string; clientId: string }[] = [];
  for (let i = 0; i < pairs; i++) {
    const clientId = randomUUID();
    const practitionerId = randomUUID();
    const id = conversationIdFor(clientId, practitionerId);
    await store.open(
      {
        id,
        clientId,
        practitionerId,
        names: { client: 'Zoé M.', practitioner: 'Camille P.' },
        deleted: { client: false, practitioner: false },
        openedAt: new Date(),
        unread: { client: 0, practitioner: 0 },
        notified: { client: false, practitioner: false },
        blockedBy: { client: false, practitioner: false },
      },
      new Date(),
    );
    conversations.push({ id, clientId });
  }

  const eventFor = (n: number) => {
    const { id, clientId } = conversations[n % pairs]!;
    const path = `/conversations/${id}/messages`;
    return {
      resource: '/conversations/{conversationId}/messages',
      path,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'bench' },
      multiValueHeaders: { 'Content-Type': ['application/json'], 'User-Agent': ['bench'] },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { conversationId: id },
      stageVariables: null,
      body: JSON.stringify({ text: `Bonjour, message ${n} : à quelle heure pouvons-nous nous voir ?` }),
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'bench',
        authorizer: { claims: { sub: clientId, 'cognito:groups': 'client' } },
        httpMethod: 'POST',
        identity: { sourceIp: `127.0.${n % pairs}.1`, userAgent: 'bench' },
        path: `/bench${path}`,
        stage: 'bench',
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: 'bench',
        resourcePath: '/conversations/{conversationId}/messages',
      },
    };
  };
  const context = {
    functionName: 'sendMessage',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 10_000,
  };

  const handlerTimes: number[] = [];
  const callTimes: number[] = [];
  for (let n = 0; n < warmUp + runs; n++) {
    dynamoMs = 0;
    const started = performance.now();
    const result = (await handler(eventFor(n) as never, context as never)) as { statusCode: number };
    const elapsed = performance.now() - started;
    if (result.statusCode !== 201) throw new Error(`send ${n} answered ${result.statusCode}`);
    if (n >= warmUp) {
      handlerTimes.push(elapsed);
      callTimes.push(dynamoMs);
    }
  }

  const fmt = (x: number) => `${x.toFixed(2)} ms`;
  const handlerP95 = percentile(handlerTimes, 0.95);
  const callsP95 = percentile(callTimes, 0.95);
  const ratio = handlerP95 / callsP95;
  console.log(`sendMessage over ${runs} sends (${pairs} conversations, DynamoDB Local):`);
  console.log(`  handler            p50 ${fmt(percentile(handlerTimes, 0.5))}  p95 ${fmt(handlerP95)}`);
  console.log(`  its DynamoDB calls p50 ${fmt(percentile(callTimes, 0.5))}  p95 ${fmt(callsP95)}`);
  console.log(`  ratio of the p95s  ${ratio.toFixed(2)} (limit ${limit})`);
  if (ratio > limit) process.exitCode = 1;
  await aws.close();
  await bus.close();
} finally {
  await dynamo.stop();
}
