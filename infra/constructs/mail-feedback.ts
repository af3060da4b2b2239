/**
 * SES's bounces and complaints of the newsletter's mails (docs/adr/0020-newsletter.md), delivered
 * to the function whose catalogue entry says `sesFeedback` (`recordSesFeedback`):
 *
 * - in the **data stack** (`MailFeedbackTopic`), as the alarms topic (./alarms.ts): the SNS topic
 *   `<stack name>-newsletter-feedback`, encrypted with a key of its own (rotated, retained, as
 *   every key of the app) that SES may use for this account only (SES cannot use the AWS managed
 *   `aws/sns` key), refusing plain HTTP, and letting SES publish only for the newsletter's
 *   configuration set of this account. Deployed first, it is named by its deterministic ARN in
 *   the context's stack: no reference, no export, no cycle;
 * - in the **newsletter context's stack** (`MailFeedback`), with the functions that send the mails
 *   and the one that reads their feedback: the SES configuration set `<stack name>-newsletter`,
 *   which every newsletter mail names (NEWSLETTER_CONFIGURATION_SET; only the newsletter's senders
 *   may send with it: ./functions.ts), its event destination (the BOUNCE and COMPLAINT events,
 *   nothing else, to the topic), and the function's subscription, whose dead-letter queue is the
 *   context's (what SNS cannot deliver: the function gone, its permission changed), with the
 *   function's asynchronous invocation (SNS invokes Lambda asynchronously): Lambda's retries, then
 *   the same queue.
 *
 * The notifications hold the recipients' addresses: SNS keeps nothing once delivered, the function
 * logs counts only; a dead letter keeps its event (so the addresses) 14 days at most, encrypted,
 * and the operators' tool never prints a body (docs/adr/0014-operations.md).
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RetryPolicy } from '#events/rules.ts';
import { serviceEncryptedTopic } from './encrypted-topic.ts';
import type { BackendFunction } from './functions.ts';

/** What the configuration set publishes: what ends a subscription (ADR 0020), nothing else. */
export const MAIL_FEEDBACK_EVENTS: readonly ses.EmailSendingEvent[] = [
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
];

/** The name of the configuration set's event destination. */
export const MAIL_FEEDBACK_DESTINATION = 'bounces-and-complaints';

export function mailFeedbackTopicNameOf(namePrefix: string): string {
  return `${namePrefix}-newsletter-feedback`;
}

/** The topic's ARN in `scope`'s account and region, by its deterministic name (no reference, no export). */
export function mailFeedbackTopicArn(scope: Construct, namePrefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'sns',
    resource: mailFeedbackTopicNameOf(namePrefix),
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
}

/** A configuration set's ARN in `scope`'s account and region. */
export function configurationSetArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'ses',
    resource: 'configuration-set',
    resourceName: name,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/**
 * The feedback topic, in the data stack: encrypted with its own key that SES may use, TLS only,
 * SES publishing for the newsletter's configuration set of this account only.
 */
export class MailFeedbackTopic extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly namePrefix: string; readonly configurationSetName: string },
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    ({ key: this.key, topic: this.topic } = serviceEncryptedTopic(this, {
      service: 'ses.amazonaws.com',
      sid: 'AllowSesOfThisAccount',
      keyDescription: 'Encrypts the newsletter feedback topic (SES publishes the bounces and complaints to it)',
      topicName: mailFeedbackTopicNameOf(props.namePrefix),
      displayName: `${props.namePrefix} newsletter bounces and complaints`,
    }));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesOfThisAccountForTheNewsletterConfigurationSet',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': configurationSetArn(this, props.configurationSetName) },
        },
      }),
    );
  }
}

export interface MailFeedbackProps {
  /** The stack name: the topic is `<namePrefix>-newsletter-feedback` (the data stack's). */
  readonly namePrefix: string;
  /** The configuration set's name, the one the newsletter's senders are given (shared/newsletter-config.ts). */
  readonly configurationSetName: string;
  /** The function SNS delivers the events to. */
  readonly target: BackendFunction;
  /** The context's dead-letter queue: the subscription's and the function's asynchronous failures'. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Lambda's asynchronous retries of the function (SNS's own retries to Lambda are AWS's, fixed). */
  readonly retry: RetryPolicy;
}

/**
 * The configuration set, its event destination to the data stack's topic, and the function's
 * subscription to that topic, in the context's stack.
 */
export class MailFeedback extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly eventDestination: ses.ConfigurationSetEventDestination;
  /** The data stack's topic, by its deterministic ARN. */
  readonly topic: sns.ITopic;
  readonly subscription: sns.Subscription;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    this.topic = sns.Topic.fromTopicArn(this, 'Topic', mailFeedbackTopicArn(this, props.namePrefix));
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
    });
    // SES's right to publish is the topic's own policy, in the data stack (an imported topic's
    // policy cannot be added to here): MailFeedbackTopic.
    this.eventDestination = this.configurationSet.addEventDestination('BouncesAndComplaints', {
      configurationSetEventDestinationName: MAIL_FEEDBACK_DESTINATION,
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [...MAIL_FEEDBACK_EVENTS],
    });
    this.subscription = this.topic.addSubscription(
      new subscriptions.LambdaSubscription(props.target.function, { deadLetterQueue: props.deadLetterQueue }),
    );
    props.target.enableAsyncInvocation(
      {
        retryAttempts: props.retry.functionRetryAttempts,
        maxEventAge: Duration.seconds(props.retry.maximumEventAgeSeconds),
      },
      props.deadLetterQueue,
    );
  }
}
