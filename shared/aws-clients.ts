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

export const documentClient = /* @__PURE__ */ once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);

export const eventBridgeClient = /* @__PURE__ */ once(() => new EventBridgeClient({}));

export const sesClient = /* @__PURE__ */ once(() => new SESClient({}));

export const ssmClient = /* @__PURE__ */ once(() => new SSMClient({}));
