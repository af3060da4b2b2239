/**
 * Operations alarms (docs/adr/0014-operations.md, docs/runbooks/dead-letters.md): CloudWatch
 * alarms on what an operator must act on, all sent to one SNS topic.
 *
 * | alarm                              | metric                                                        | fires when                                  |
 * | ---------------------------------- | ------------------------------------------------------------- | ------------------------------------------- |
 * | `<stack>-<context>-dead-letters`   | AWS/SQS ApproximateNumberOfMessagesVisible of the context's DLQ | a dead letter waits (max > 0 over 5 min)    |
 * | `<stack>-<function>-errors`        | AWS/Lambda Errors of each function                            | a function failed (sum > 0 over 5 min)      |
 * | `<stack>-api-5xx`                  | AWS/ApiGateway 5XXError of the stage                           | the API answered a 5xx (sum > 0 over 5 min) |
 * | `<stack>-purge-not-completed`      | `<stack>/Retention` RetentionPurgeCompleted (a log metric filter) | no complete purge for 26 h (missing = breaching) |
 *
 * The topic (`<stack>-alarms`) lives in the data stack: deployed first and alone, every stack
 * (the data stack's own Cognito triggers included) names it by its deterministic ARN without an
 * export, and a confirmed email subscription survives the backend stack's replacement. It is
 * encrypted with a key of its own that CloudWatch may use, and refuses plain HTTP. Its email
 * subscription comes from the CDK context `alarmEmail` (`cdk deploy -c alarmEmail=ops@…`); without
 * it, the topic has no subscription (subscribe by hand, or a chat or paging integration).
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { serviceEncryptedTopic } from './encrypted-topic.ts';
import type { BackendFunction } from './functions.ts';

/** The CDK context key of the address the alarms are emailed to. */
export const ALARM_EMAIL_CONTEXT = 'alarmEmail';
/** Every alarm looks at 5-minute periods, but the purge's (1 hour, over 26 hours). */
export const ALARM_PERIOD = Duration.minutes(5);
/** What the purge logs when it has deleted everything due (functions/retention/handlers/purge-expired-items.ts). */
export const PURGE_COMPLETED_LOG_MESSAGE = 'Retention purge completed';
/** The purge runs daily (03:30 Paris): 26 hours cover the 25-hour day of the autumn clock change, and a late start. */
export const PURGE_WINDOW_HOURS = 26;
/** The catalogue function that purges (functions/catalogue.ts). */
export const PURGE_FUNCTION = 'purgeExpiredItems';

export function alarmTopicNameOf(namePrefix: string): string {
  return `${namePrefix}-alarms`;
}

/** The topic's ARN in `scope`'s account and region, by its deterministic name (no reference, no export). */
export function alarmTopicArn(scope: Construct, namePrefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'sns',
    resource: alarmTopicNameOf(namePrefix),
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
}

/** The `alarmEmail` context value: an address, or undefined when absent or empty. */
export function alarmEmailOf(scope: Construct): string | undefined {
  const value: unknown = scope.node.tryGetContext(ALARM_EMAIL_CONTEXT);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new Error(`Context ${ALARM_EMAIL_CONTEXT} must be an email address`);
  }
  return value;
}

/** The alarms' SNS topic, in the data stack: encrypted with its own key, TLS only, emailed to `alarmEmail` when given. */
export class AlarmTopic extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { readonly namePrefix: string; readonly email?: string }) {
    super(scope, id);
    const stack = Stack.of(this);
    ({ key: this.key, topic: this.topic } = serviceEncryptedTopic(this, {
      service: 'cloudwatch.amazonaws.com',
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      keyDescription: 'Encrypts the alarms topic (CloudWatch publishes to it)',
      topicName: alarmTopicNameOf(props.namePrefix),
      displayName: `${props.namePrefix} alarms`,
    }));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}

/** Alarms of one stack, sent to the topic named by `namePrefix`. */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly namePrefix: string;
  private readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: { readonly namePrefix: string }) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    const topic = sns.Topic.fromTopicArn(this, 'Topic', alarmTopicArn(this, props.namePrefix));
    this.action = new actions.SnsAction(topic);
  }

  private add(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** A context's dead-letter queue holds a message. */
  deadLetters(context: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return this.add(`${context}-dead-letters`, {
      alarmName: `${this.namePrefix}-${context}-dead-letters`,
      alarmDescription: `A dead letter waits in ${context}'s queue: list and redrive it (npm run dead-letters -- --aws, docs/runbooks/dead-letters.md).`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** A function failed (an error, a timeout, a crash), whoever invoked it. */
  functionErrors(name: string, fn: BackendFunction): cloudwatch.Alarm {
    return this.add(`${name}-errors`, {
      alarmName: `${this.namePrefix}-${name}-errors`,
      alarmDescription: `${name} failed: see its log group; an asynchronous event that still fails after the retries is in its context's dead-letter queue (docs/runbooks/dead-letters.md).`,
      metric: fn.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The API answered a 5xx (a function error, a dependency down, API Gateway itself). */
  apiServerErrors(stage: apigateway.Stage): cloudwatch.Alarm {
    return this.add('api-5xx', {
      alarmName: `${this.namePrefix}-api-5xx`,
      alarmDescription:
        'The API answered 5xx: see the stage access logs and the functions errors alarms (docs/runbooks/dead-letters.md).',
      metric: stage.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * No complete purge for 26 hours: the purge logs `Retention purge completed` with
   * `complete: true` only when everything due was deleted; a log metric filter counts those lines.
   * A purge that failed, timed out, stopped before the end, or never ran leaves the hours empty,
   * and missing data is breaching: data past its retention is still there.
   */
  purgeNotCompleted(fn: BackendFunction): cloudwatch.Alarm {
    const filter = new logs.MetricFilter(this, 'PurgeCompleted', {
      logGroup: fn.logGroup,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.message', '=', PURGE_COMPLETED_LOG_MESSAGE),
        logs.FilterPattern.booleanValue('$.complete', true),
      ),
      metricNamespace: `${this.namePrefix}/Retention`,
      metricName: 'RetentionPurgeCompleted',
      metricValue: '1',
    });
    return this.add('purge-not-completed', {
      alarmName: `${this.namePrefix}-purge-not-completed`,
      alarmDescription: `No complete retention purge for ${PURGE_WINDOW_HOURS} hours: personal data past its retention is still stored. See the purge's log group and the runbook (docs/runbooks/dead-letters.md).`,
      metric: filter.metric({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: PURGE_WINDOW_HOURS,
      datapointsToAlarm: PURGE_WINDOW_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
