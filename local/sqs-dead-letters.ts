/**
 * Where the local cloud's failures go, as in AWS (ADR 0012, infra/constructs/dead-letter-queue.ts):
 * one dead-letter queue per bounded context whose functions are invoked asynchronously (event
 * rule, schedule and one-time schedule targets, SES's feedback through SNS) or read a stream, named like the deployed one
 * (`<prefix>-<context>-dead-letters`; `mpbe-local-…` locally), kept in DynamoDB Local
 * (local/sqs.ts), and messages shaped as AWS writes them:
 *
 * - a handler that still fails after Lambda's asynchronous retries (an event of the bus, a
 *   schedule's run, an asynchronous Invoke): Lambda's on-failure destination record, the body
 *   `{ version, timestamp, requestContext: { requestId, functionArn, condition, approximateInvokeCount },
 *   requestPayload, responseContext, responsePayload: { errorType, errorMessage } }`, no message
 *   attributes (locally no stack trace: error name and message only);
 * - a stream batch that still fails after the mapping's retries: the stream on-failure record,
 *   `{ requestContext, responseContext, version, timestamp, DDBStreamBatchInfo: { shardId,
 *   startSequenceNumber, endSequenceNumber, approximateArrivalOf…, batchSize, streamArn } }`, which
 *   points at the records (they stay in the stream 24 h) and holds none of them.
 *
 * The two other shapes a deployed queue receives, EventBridge's (body: the event; attributes
 * RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS) and
 * Scheduler's (body: the target's input; SCHEDULE_ARN, TARGET_ARN, SCHEDULED_TIME, …), come from
 * failures to invoke the function at all, which the local bus and scheduler cannot have (a local
 * target is always there and never throttled): `npm run dead-letters` reads all four.
 */
import { randomUUID } from 'node:crypto';
import { defaultRetry, type EventRule, type RetryPolicy } from '#events/rules.ts';
import type { FunctionDefinition, FunctionName } from '#functions/catalogue.ts';
import { contextOf } from '#functions/environment.ts';
import type { ScheduleDefinition } from '#functions/schedules.ts';
import type { StreamConsumer } from '#functions/streams.ts';
import type { LocalQueues } from './sqs.ts';

/** The deployed queues are `<stackName>-<context>-dead-letters`; the local ones `mpbe-local-<context>-dead-letters`. */
export const DEAD_LETTER_QUEUE_SUFFIX = '-dead-letters';
export const LOCAL_QUEUE_PREFIX = 'mpbe-local';

export function deadLetterQueueName(prefix: string, context: string): string {
  return `${prefix}-${context}${DEAD_LETTER_QUEUE_SUFFIX}`;
}

/** Lambda's asynchronous invocation settings of a function (its EventInvokeConfig), and its on-failure queue. */
export interface AsyncInvocation {
  readonly retries: number;
  readonly maximumEventAgeSeconds: number;
  readonly queue: string;
}

export interface DeadLetterRouting {
  /** Every dead-letter queue, by name. */
  readonly queues: readonly string[];
  /** A function invoked asynchronously by a rule, a schedule or SNS: its retries and on-failure queue. */
  asyncInvocation(fn: FunctionName): AsyncInvocation | undefined;
  /** The on-failure queue of a stream consumer's mappings (its target's context). */
  streamFailureQueue(consumer: StreamConsumer): string;
}

export interface RoutingSources {
  readonly functions: Readonly<Record<FunctionName, FunctionDefinition>>;
  readonly rules: readonly EventRule[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly streamConsumers: readonly StreamConsumer[];
}

/**
 * The queues and who sends to which, from the same sources of truth as the CDK app's context
 * stacks: a context gets a queue when a rule, schedule, one-time schedule or stream consumer
 * targets one of its functions, or one of them receives SES's feedback through SNS (`sesFeedback`);
 * a rule's target retries as the rule says, a schedule's and a one-time schedule's as
 * `scheduleRetry` (the CDK app's `scheduleRetry`, events/rules.ts's default), SNS's target as
 * events/rules.ts's default (infra/stacks/context-stack.ts).
 */
export function deadLetterRouting(
  sources: RoutingSources,
  prefix = LOCAL_QUEUE_PREFIX,
  scheduleRetry: RetryPolicy = defaultRetry,
): DeadLetterRouting {
  const queueOf = (fn: FunctionName) => {
    const definition = sources.functions[fn];
    if (!definition) throw new Error(`Dead letters: ${fn} is not a function of the catalogue`);
    return deadLetterQueueName(prefix, contextOf(definition.entry));
  };
  const async = new Map<FunctionName, AsyncInvocation>();
  const configure = (fn: FunctionName, retry: RetryPolicy) => {
    if (!async.has(fn))
      async.set(fn, {
        retries: retry.functionRetryAttempts,
        maximumEventAgeSeconds: retry.maximumEventAgeSeconds,
        queue: queueOf(fn),
      });
  };
  for (const rule of sources.rules) configure(rule.target, rule.retry);
  for (const schedule of sources.schedules) configure(schedule.target, scheduleRetry);
  for (const [name, definition] of Object.entries(sources.functions) as [FunctionName, FunctionDefinition][]) {
    if (definition.oneTimeSchedules) configure(definition.oneTimeSchedules.target as FunctionName, scheduleRetry);
    // SNS (SES's bounces and complaints) invokes it asynchronously: the rules' default retries.
    if (definition.sesFeedback) configure(name, defaultRetry);
  }
  const queues = new Set([...async.values()].map((a) => a.queue));
  for (const consumer of sources.streamConsumers) queues.add(queueOf(consumer.target));
  return {
    queues: [...queues].sort(),
    asyncInvocation: (fn) => async.get(fn),
    streamFailureQueue: (consumer) => queueOf(consumer.target),
  };
}

export const localFunctionArn = (fn: string, region: string, account: string) =>
  `arn:aws:lambda:${region}:${account}:function:${fn}`;

/** Why Lambda gave up on an asynchronous event. */
export type AsyncFailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

export interface AsyncFailure {
  readonly functionArn: string;
  /** The event the function was invoked with. */
  readonly payload: unknown;
  /** Invocations made, the first one included. */
  readonly attempts: number;
  readonly condition: AsyncFailureCondition;
  /** Name and message only. */
  readonly error: { readonly name: string; readonly message: string };
  readonly at: Date;
}

/** Lambda's on-failure destination record of an asynchronous invocation (the SQS message body). */
export function lambdaFailureRecord(failure: AsyncFailure): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: failure.at.toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `${failure.functionArn}:$LATEST`,
      condition: failure.condition,
      approximateInvokeCount: failure.attempts,
    },
    requestPayload: failure.payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: failure.error.name, errorMessage: failure.error.message },
  });
}

export interface StreamBatchFailure {
  readonly functionArn: string;
  readonly attempts: number;
  readonly at: Date;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** ApproximateCreationDateTime of the first and last records, when the stream gives it. */
  readonly firstArrival?: Date;
  readonly lastArrival?: Date;
  readonly batchSize: number;
  readonly streamArn: string;
}

const isoSeconds = (date: Date | undefined) => date?.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The on-failure record of a stream event source mapping: a pointer to the records, never the records. */
export function streamFailureRecord(failure: StreamBatchFailure): string {
  return JSON.stringify({
    requestContext: {
      requestId: randomUUID(),
      functionArn: failure.functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: failure.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: failure.at.toISOString(),
    DDBStreamBatchInfo: {
      shardId: failure.shardId,
      startSequenceNumber: failure.startSequenceNumber,
      endSequenceNumber: failure.endSequenceNumber,
      approximateArrivalOfFirstRecord: isoSeconds(failure.firstArrival),
      approximateArrivalOfLastRecord: isoSeconds(failure.lastArrival),
      batchSize: failure.batchSize,
      streamArn: failure.streamArn,
    },
  });
}

/** How the local retry loop (local/event-bus.ts `invokeWithRetries`) ended for an event. */
export interface AsyncRetryOutcome {
  readonly payload: unknown;
  readonly attempts: number;
  readonly reason: 'retries-exhausted' | 'maximum-event-age' | 'bus-closed';
  readonly error: { readonly name: string; readonly message: string };
}

/** What the local bus, scheduler, Lambda Invoke and stream poller hand their failures to. */
export interface DeadLetterSink {
  /** A handler failure after Lambda's asynchronous retries: to the function's on-failure queue, else dropped (as Lambda drops it). */
  asyncFailure(fn: FunctionName, failure: AsyncRetryOutcome): Promise<void>;
  /** A stream batch that failed after the mapping's retries: to the consumer's on-failure queue. */
  streamFailure(consumer: StreamConsumer, failure: Omit<StreamBatchFailure, 'functionArn' | 'at'>): Promise<void>;
}

export interface DeadLetterSinkOptions {
  readonly queues: LocalQueues;
  readonly routing: DeadLetterRouting;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

/** Writes each failure to its queue; a write that fails is said (never with the payload) and does not throw. */
export function createDeadLetterSink(options: DeadLetterSinkOptions): DeadLetterSink {
  const { queues, routing } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const arn = (fn: string) => localFunctionArn(fn, queues.region, queues.account);
  const write = async (queue: string, body: string, what: string) => {
    try {
      const { messageId } = await queues.send(queue, { body });
      log(`dead-letters: ${what} outcome=queued queue=${queue} message=${messageId}`);
    } catch (error) {
      log(`dead-letters: ${what} outcome=not-queued queue=${queue} error=${(error as Error).name}`);
    }
  };
  return {
    async asyncFailure(fn, failure) {
      const what = `function=${fn} reason=${failure.reason} attempts=${failure.attempts}`;
      const config = routing.asyncInvocation(fn);
      if (!config) {
        log(`dead-letters: ${what} outcome=dropped (no on-failure destination, as in Lambda)`);
        return;
      }
      const record = lambdaFailureRecord({
        functionArn: arn(fn),
        payload: failure.payload,
        attempts: failure.attempts,
        condition: conditionOf(failure.reason),
        error: failure.error,
        at: now(),
      });
      await write(config.queue, record, what);
    },
    async streamFailure(consumer, failure) {
      const what = `consumer=${consumer.name} function=${consumer.target} records=${failure.batchSize}`;
      await write(
        routing.streamFailureQueue(consumer),
        streamFailureRecord({ ...failure, functionArn: arn(consumer.target), at: now() }),
        what,
      );
    },
  };
}

/** The condition Lambda writes for the local retry loop's outcome; a retry cut short by the local cloud's stop counts as exhausted. */
export function conditionOf(reason: 'retries-exhausted' | 'maximum-event-age' | 'bus-closed'): AsyncFailureCondition {
  return reason === 'maximum-event-age' ? 'EventAgeExceeded' : 'RetriesExhausted';
}
