/**
 * An SNS topic one AWS service publishes to (CloudWatch alarms, SES events), encrypted with its
 * own customer-managed key (rotated, kept on removal) that this service of this account may use:
 * an AWS managed key cannot be given to a service. TLS only. The topic's own policy, which says
 * what the service may publish from, is the caller's (./alarms.ts, ./mail-feedback.ts).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

export interface ServiceEncryptedTopicProps {
  /** The publishing service's principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** The key policy statement's id. */
  readonly sid: string;
  readonly keyDescription: string;
  readonly topicName: string;
  readonly displayName: string;
}

/** The key (`Key`) and the topic (`Topic`), created in `scope`. */
export function serviceEncryptedTopic(
  scope: Construct,
  props: ServiceEncryptedTopicProps,
): { key: kms.Key; topic: sns.Topic } {
  const key = new kms.Key(scope, 'Key', {
    description: props.keyDescription,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // The service encrypts what it publishes to the topic with this key.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: props.sid,
      principals: [new iam.ServicePrincipal(props.service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  const topic = new sns.Topic(scope, 'Topic', {
    topicName: props.topicName,
    displayName: props.displayName,
    masterKey: key,
    enforceSSL: true,
  });
  return { key, topic };
}
