/**
 * The dead-letter queues of the backend: one per bounded context, where its EventBridge rule
 * targets, Lambda asynchronous failures, Scheduler targets and stream on-failure records all end.
 * One queue per context rather than per rule and per function: each message still names its
 * source (EventBridge and Scheduler set the RULE_ARN / SCHEDULE_ARN and TARGET_ARN message
 * attributes; Lambda's on-failure records carry requestContext.functionArn, and a stream's its
 * streamArn), so an alarm on the queue and a redrive filtered by that name stay as precise.
 * Messages carry identifiers only (events never hold personal data), are encrypted at rest
 * (SQS-managed SSE) and in transit (TLS enforced), and are kept for SQS's maximum of 14 days:
 * the time operators have to inspect and redrive them (`npm run dead-letters`,
 * docs/runbooks/dead-letters.md); an alarm fires as soon as one holds a message (./alarms.ts).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';

export const DEAD_LETTER_RETENTION = Duration.days(14);
export const DEAD_LETTER_QUEUE_SUFFIX = '-dead-letters';

/**
 * The queue's name: deterministic (`<stackName>-<context>-dead-letters`), so that the operator's
 * tool (`npm run dead-letters -- --aws`, local/dead-letters.ts) finds every context's queue by
 * ListQueues with the stack name as prefix, and the local cloud names its queues alike
 * (`mpbe-local-<context>-dead-letters`, local/sqs-dead-letters.ts).
 */
export function deadLetterQueueNameOf(namePrefix: string, context: string): string {
  return `${namePrefix}-${context}${DEAD_LETTER_QUEUE_SUFFIX}`;
}

export function deadLetterQueue(scope: Construct, id: string, props: { readonly queueName: string }): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    queueName: props.queueName,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const reason =
    'This queue is itself a dead-letter queue (of an EventBridge target, a Scheduler target or Lambda asynchronous failures, which cdk-nag does not recognise as DLQ users). A dead-letter queue of a dead-letter queue would only move the problem: its messages stay 14 days for operators to inspect and redrive.';
  acknowledge(queue, 'AwsSolutions-SQS3', reason);
  acknowledge(queue, 'Serverless-SQSRedrivePolicy', reason);
  return queue;
}
