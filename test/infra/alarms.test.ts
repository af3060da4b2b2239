/**
 * The operations alarms in the synthesized templates (infra/constructs/alarms.ts): one SNS topic
 * in the data stack (its own KMS key that CloudWatch may use, TLS only, an email subscription
 * from the `alarmEmail` context and only from it), and alarms sent to it on every dead-letter
 * queue, on every function of the catalogue (in its own stack), on the API stage's 5xx and on a
 * purge that did not complete; the dead-letter queues named as the local cloud names its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRetry } from '#events/rules.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { contextOf } from '#functions/environment.ts';
import {
  ALARM_PERIOD,
  PURGE_COMPLETED_LOG_MESSAGE,
  PURGE_FUNCTION,
  PURGE_WINDOW_HOURS,
} from '#infra/constructs/alarms.ts';
import { DEAD_LETTER_RETENTION } from '#infra/constructs/dead-letter-queue.ts';
import { localOneTimeScheduleSettings } from '#local/scheduler.ts';
import { QUEUE_RETENTION_SECONDS } from '#local/sqs.ts';
import { deadLetterRouting } from '#local/sqs-dead-letters.ts';
import { catalogueSources } from '#local/wiring.ts';
import {
  type CfnResourceJson,
  functionNamed,
  logicalId,
  resourceOf,
  resourcesOfType,
  type Synthesized,
  synthesize,
  templateOf,
  withoutBundling,
} from './synth.ts';

let synth: Synthesized;

beforeAll(() => {
  // With the cdk-nag packs: synthesis fails on any unacknowledged finding of the new resources.
  synth = synthesize({ context: withoutBundling() });
});

const TOPIC_ARN = 'arn:aws:sns:eu-west-3:123456789012:MonProDuBienEtre-alarms';
const root = join(import.meta.dirname, '..', '..');

/** A value of a template as a plain string: `Fn::Join` of strings, and the partition as `aws`. */
function flat(value: unknown): unknown {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v['Fn::Join']) {
    const parts = v['Fn::Join'][1].map(flat);
    return parts.every((p) => typeof p === 'string') ? parts.join(v['Fn::Join'][0]) : value;
  }
  return value;
}

const alarms = () => resourcesOfType(synth, 'AWS::CloudWatch::Alarm');

function alarmsIn(stack: Stack): Record<string, unknown>[] {
  return Object.values(templateOf(synth, stack).json.Resources)
    .filter((r: CfnResourceJson) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties ?? {});
}

describe('the alarms topic', () => {
  it('is in the data stack, named for the deployment, encrypted with a key of its own that CloudWatch may use', () => {
    // The other topic of the app is the newsletter's SES feedback (test/infra/newsletter-feedback.test.ts).
    const topics = resourcesOfType(synth, 'AWS::SNS::Topic').filter(([, props]) =>
      String(props.TopicName).endsWith('-alarms'),
    );
    expect(topics).toHaveLength(1);
    const [, topic, stack] = topics[0]!;
    expect(stack).toBe(synth.data);
    expect(topic.TopicName).toBe('MonProDuBienEtre-alarms');
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [logicalId(synth.data.alarmTopic.key), 'Arn'] });
    const key = resourceOf(synth, synth.data.alarmTopic.key);
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    expect(key.Properties!.KeyPolicy).toEqual(
      expect.objectContaining({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      }),
    );
  });

  it('refuses plain HTTP and lets CloudWatch alarms of this account publish', () => {
    templateOf(synth, synth.data).template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(synth.data.alarmTopic.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
          }),
        ]),
      },
    });
  });

  /** The subscriptions of the alarms topic (the app's other one is the newsletter feedback's function). */
  const alarmSubscriptions = (of: Synthesized) =>
    resourcesOfType(of, 'AWS::SNS::Subscription').filter(
      ([, props, stack]) =>
        stack === of.data && (props.TopicArn as { Ref?: string }).Ref === logicalId(of.data.alarmTopic.topic),
    );

  it('has no subscription without the alarmEmail context', () => {
    expect(alarmSubscriptions(synth)).toEqual([]);
    expect(resourcesOfType(synth, 'AWS::SNS::Subscription').filter(([, props]) => props.Protocol !== 'lambda')).toEqual(
      [],
    );
  });

  it('emails the address of the alarmEmail context, and refuses what is not an address', () => {
    const withEmail = synthesize({ context: { ...withoutBundling(), alarmEmail: 'ops@example.test' }, nag: false });
    const subscriptions = resourcesOfType(withEmail, 'AWS::SNS::Subscription').filter(
      ([, props]) => props.Protocol !== 'lambda',
    );
    expect(subscriptions.map(([, props, stack]) => [props, stack])).toEqual([
      [
        {
          Protocol: 'email',
          Endpoint: 'ops@example.test',
          TopicArn: { Ref: logicalId(withEmail.data.alarmTopic.topic) },
        },
        withEmail.data,
      ],
    ]);
    expect(() => synthesize({ context: { ...withoutBundling(), alarmEmail: 'ops' }, nag: false })).toThrow(
      /Context alarmEmail must be an email address/,
    );
  });

  it('receives every alarm of every stack, in ALARM and back to OK', () => {
    expect(alarms().length).toBeGreaterThan(Object.keys(functions).length);
    for (const [id, props] of alarms()) {
      expect((props.AlarmActions as unknown[]).map(flat), id).toEqual([TOPIC_ARN]);
      expect((props.OKActions as unknown[]).map(flat), id).toEqual([TOPIC_ARN]);
      expect(props.ActionsEnabled ?? true, id).toBe(true);
    }
    const topic = resourceOf(synth, synth.data.alarmTopic.topic).Properties!;
    expect(TOPIC_ARN.endsWith(`:${topic.TopicName as string}`)).toBe(true);
  });
});

describe('the alarms', () => {
  it('watch every context’s dead-letter queue, named <stack>-<context>-dead-letters', () => {
    const contexts = Object.values(synth.backend.contexts).filter((c) => c.deadLetterQueue);
    expect(contexts.length).toBeGreaterThan(0);
    for (const context of contexts) {
      const queueId = logicalId(context.deadLetterQueue!);
      const queue = resourceOf(synth, context.deadLetterQueue!).Properties!;
      expect(queue.QueueName).toBe(`MonProDuBienEtre-${context.context}-dead-letters`);
      expect(queue.MessageRetentionPeriod).toBe(DEAD_LETTER_RETENTION.toSeconds());
      expect(alarmsIn(context)).toContainEqual(
        expect.objectContaining({
          AlarmName: `MonProDuBienEtre-${context.context}-dead-letters`,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          Statistic: 'Maximum',
          Period: ALARM_PERIOD.toSeconds(),
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        }),
      );
    }
  });

  it.each(Object.keys(functions))('watch the errors of %s, in its own stack', (name) => {
    const fn = functionNamed(synth, name);
    expect(alarmsIn(templateOf(synth, fn.function).stack)).toContainEqual(
      expect.objectContaining({
        AlarmName: `MonProDuBienEtre-${name}-errors`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn.function) } }],
        Statistic: 'Sum',
        Period: ALARM_PERIOD.toSeconds(),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      }),
    );
  });

  it('watch the API stage’s 5xx answers', () => {
    const stages = Object.entries(templateOf(synth, synth.backend).json.Resources).filter(
      ([, r]) => r.Type === 'AWS::ApiGateway::Stage',
    );
    expect(stages).toHaveLength(1);
    const [stageId] = stages[0]!;
    expect(alarmsIn(synth.backend)).toEqual([
      expect.objectContaining({
        AlarmName: 'MonProDuBienEtre-api-5xx',
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
        Dimensions: expect.arrayContaining([
          { Name: 'ApiName', Value: 'MonProDuBienEtre-api' },
          { Name: 'Stage', Value: { Ref: stageId } },
        ]),
        Statistic: 'Sum',
        Period: ALARM_PERIOD.toSeconds(),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ]);
  });

  it('fire when no complete purge was logged for 26 hours, missing data breaching', () => {
    const purge = functionNamed(synth, PURGE_FUNCTION);
    const stack = templateOf(synth, purge.function);
    stack.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(purge.logGroup) },
      FilterPattern: `{ ($.message = "${PURGE_COMPLETED_LOG_MESSAGE}") && ($.complete IS TRUE) }`,
      MetricTransformations: [
        { MetricNamespace: 'MonProDuBienEtre/Retention', MetricName: 'RetentionPurgeCompleted', MetricValue: '1' },
      ],
    });
    expect(alarmsIn(stack.stack)).toContainEqual(
      expect.objectContaining({
        AlarmName: 'MonProDuBienEtre-purge-not-completed',
        Namespace: 'MonProDuBienEtre/Retention',
        MetricName: 'RetentionPurgeCompleted',
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: PURGE_WINDOW_HOURS,
        DatapointsToAlarm: PURGE_WINDOW_HOURS,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    );
    // Covers a daily run that moves an hour later at the autumn clock change.
    expect(PURGE_WINDOW_HOURS).toBeGreaterThanOrEqual(25);
    // The line the filter counts is the one the purge writes when, and only when, it completed.
    const handler = readFileSync(join(root, functions[PURGE_FUNCTION].entry), 'utf8');
    expect(handler).toContain(`if (report.complete) logger.info('${PURGE_COMPLETED_LOG_MESSAGE}', summary);`);
    expect(handler).toMatch(/const summary = \{[^}]*complete: report\.complete,/);
  });

  it('are the only alarms: one per function, one per queue, the API’s and the purge’s', () => {
    const queues = Object.values(synth.backend.contexts).filter((c) => c.deadLetterQueue).length;
    expect(alarms()).toHaveLength(Object.keys(functions).length + queues + 2);
  });
});

describe('the local cloud’s dead-letter queues', () => {
  const routing = deadLetterRouting(catalogueSources);

  it('are the deployed ones, one per context, named mpbe-local-<context>-dead-letters', () => {
    const deployed = resourcesOfType(synth, 'AWS::SQS::Queue').map(([, props]) => props.QueueName as string);
    expect(routing.queues).toEqual(deployed.map((name) => name.replace(/^MonProDuBienEtre-/, 'mpbe-local-')).sort());
    expect(QUEUE_RETENTION_SECONDS).toBe(DEAD_LETTER_RETENTION.toSeconds());
  });

  it('receive each asynchronously invoked function’s failures as its EventInvokeConfig says', () => {
    const configs = resourcesOfType(synth, 'AWS::Lambda::EventInvokeConfig');
    expect(configs.length).toBeGreaterThan(0);
    for (const [name, definition] of Object.entries(functions) as [FunctionName, FunctionDefinition][]) {
      const config = configs.find(
        ([, props]) => (props.FunctionName as { Ref?: string }).Ref === logicalId(functionNamed(synth, name).function),
      );
      const local = routing.asyncInvocation(name);
      if (!config) {
        expect(local, name).toBeUndefined();
        continue;
      }
      expect(local, name).toEqual({
        retries: config[1].MaximumRetryAttempts,
        maximumEventAgeSeconds: config[1].MaximumEventAgeInSeconds,
        queue: `mpbe-local-${contextOf(definition.entry)}-dead-letters`,
      });
    }
  });

  it('include the one the one-time schedules name for their target', () => {
    const creator = Object.values(functions).find((d) => d.oneTimeSchedules)!;
    const target = creator.oneTimeSchedules!.target as FunctionName;
    const settings = localOneTimeScheduleSettings(target, defaultRetry);
    const queue = settings.deadLetterArn.split(':').at(-1)!;
    expect(routing.queues).toContain(queue);
    expect(routing.asyncInvocation(target)?.queue).toBe(queue);
  });
});
