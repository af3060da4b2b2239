/**
 * A dependency that does not answer costs the caller a 503 with Retry-After, within the SDK's
 * timeouts (shared/aws-clients.ts), never Lambda's timeout (API Gateway's 502). The function runs
 * in its own instance with exactly its catalogue environment, its AWS endpoint a server that
 * accepts connections and never answers: a frozen DynamoDB.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaRuntime, type LambdaRuntime } from '#local/lambda-runtime.ts';
import { localWiring } from '#local/wiring.ts';

let frozen: Server;
const sockets: Socket[] = [];
let runtime: LambdaRuntime;

beforeAll(async () => {
  frozen = createServer((socket) => sockets.push(socket)); // reads nothing, answers nothing
  await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
  const wiring = localWiring({
    runtime: {
      awsEndpoint: `http://127.0.0.1:${(frozen.address() as AddressInfo).port}`,
      credentials: (name) => ({ accessKeyId: `LocalLambda${name}`, secretAccessKey: 'local', sessionToken: 'local' }),
      logLevel: 'SILENT',
    },
  });
  runtime = createLambdaRuntime({
    root: join(import.meta.dirname, '..', '..'),
    account: '000000000000',
    definitions: wiring.sources.functions,
    environment: (name) => wiring.environmentOf(name),
  });
});

afterAll(async () => {
  await runtime?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => frozen.close(resolve));
});

const event = (path: string, practitionerId: string) => ({
  resource: '/practitioners/{practitionerId}',
  path,
  httpMethod: 'GET',
  headers: {},
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: { practitionerId },
  stageVariables: null,
  body: null,
  isBase64Encoded: false,
  requestContext: { requestId: 'frozen-dynamodb', identity: { sourceIp: '127.0.0.1' } },
});

describe('a frozen DynamoDB', () => {
  it('answers 503 with Retry-After: the SDK gives up before the function’s own timeout', {
    timeout: 60_000,
  }, async () => {
    const result = (await runtime.invoke('getPractitioner', event('/practitioners/p1', 'p1'))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(503);
    expect(result.headers['Retry-After']).toMatch(/^\d+$/);
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(result.body)).toMatchObject({ status: 503, title: 'Service unavailable' });
    // The 503 itself says the SDK gave up first: had the function's timeout come first, the
    // runtime would have ended the invocation with no answer of the handler at all.
    expect(sockets.length).toBeGreaterThanOrEqual(3); // the SDK's 3 attempts
  });
});
