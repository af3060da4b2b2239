/**
 * The AWS SDK clients, each built once per process on first use. Endpoints are never set here:
 * in Lambda the SDK uses AWS's; locally the local cloud sets AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_SES, AWS_ENDPOINT_URL_SSM…, which the SDK reads itself. So no
 * production code knows whether it runs locally.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESClient } from '@aws-sdk/client-ses';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A value made on first use, then kept for the life of the process (a Lambda instance). */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

/**
 * Every AWS client's network budget: a connection within 1 s, an answer within 2.5 s
 * (`throwOnRequestTimeout`: without it the SDK only warns), 3 attempts (the SDK's standard
 * retries with backoff). A frozen or unreachable service thus fails a call in about 8 s, inside
 * the functions' 10 s timeout, so the API answers 503 with Retry-After
 * (shared/http/unavailable.ts) rather than Lambda's timeout (a 502 from API Gateway). DynamoDB,
 * EventBridge, SES, SSM, Cognito and Scheduler answer in milliseconds when well.
 */
export const clientConfig = {
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_500, throwOnRequestTimeout: true },
  maxAttempts: 3,
} as const;

export const documentClient = /* @__PURE__ */ once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);

export const eventBridgeClient = /* @__PURE__ */ once(() => new EventBridgeClient(clientConfig));

export const sesClient = /* @__PURE__ */ once(() => new SESClient(clientConfig));

export const ssmClient = /* @__PURE__ */ once(() => new SSMClient(clientConfig));
