/**
 * The stack of one bounded context (functions/<context>/), nested in the backend stack: its
 * functions (each with its role, policy and log group), its dead-letter queue, the event rules,
 * schedules and stream mappings that target its functions, the role of the one-time schedules
 * invoking them, the API methods of the routes they serve (on the backend stack's path
 * resources), the WebSocket routes they serve (integration, route, invoke permission, on the
 * backend stack's WebSocket API), the SES configuration set and the subscription to the data
 * stack's feedback topic that bring the newsletter's bounces and complaints to its `sesFeedback`
 * function (infra/constructs/mail-feedback.ts),
 * and the alarms on them (an errors alarm per function, one on the dead-letter queue, the purge's:
 * infra/constructs/alarms.ts). A new context adds a nested stack; a context adds resources to its
 * own stack only.
 */
import { NestedStack, type NestedStackProps } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { defaultRetry, type EventRule, type RetryPolicy } from '#events/rules.ts';
import type { FunctionDefinition, FunctionName } from '#functions/catalogue.ts';
import type { Route } from '#functions/routes.ts';
import type { ScheduleDefinition } from '#functions/schedules.ts';
import type { StreamConsumer } from '#functions/streams.ts';
import type { WebSocketRoute } from '#functions/web-socket-routes.ts';
import { Alarms, PURGE_FUNCTION } from '../constructs/alarms.ts';
import type { Api } from '../constructs/api.ts';
import { deadLetterQueue, deadLetterQueueNameOf } from '../constructs/dead-letter-queue.ts';
import { EventRules } from '../constructs/events.ts';
import { type BackendFunction, catalogueFunction, type FunctionDependencies } from '../constructs/functions.ts';
import { MailFeedback } from '../constructs/mail-feedback.ts';
import { OneTimeScheduleTargets, Schedules } from '../constructs/schedules.ts';
import { Streams } from '../constructs/streams.ts';
import type { WebSocketApi } from '../constructs/web-socket-api.ts';

/** What of the sources of truth concerns one context: the entries of its functions and what targets them. */
export interface ContextSources {
  readonly functions: readonly (readonly [FunctionName, FunctionDefinition])[];
  readonly routes: readonly Route[];
  /** The WebSocket routes its functions serve. */
  readonly webSocketRoutes: readonly WebSocketRoute<FunctionName>[];
  readonly rules: readonly EventRule[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly streamConsumers: readonly StreamConsumer[];
  /** Its functions that one-time schedules (created at run time by any function) invoke. */
  readonly oneTimeScheduleTargets: readonly FunctionName[];
}

export interface ContextStackProps extends NestedStackProps {
  readonly context: string;
  readonly sources: ContextSources;
  readonly dependencies: FunctionDependencies;
  readonly api: Api;
  readonly webSocketApi: WebSocketApi;
  readonly scheduleRetry: RetryPolicy;
  /** The stack name: the prefix of the queue's and the alarms' names, and the alarms topic's. */
  readonly namePrefix: string;
}

export class ContextStack extends NestedStack {
  readonly context: string;
  readonly functions: Partial<Record<FunctionName, BackendFunction>> = {};
  /** The context's one dead-letter queue; undefined when nothing of it is invoked asynchronously. */
  readonly deadLetterQueue: sqs.Queue | undefined;
  readonly rules: EventRules | undefined;
  readonly schedules: Schedules | undefined;
  readonly streams: Streams | undefined;
  readonly oneTimeScheduleTargets: OneTimeScheduleTargets | undefined;
  /** SES's bounces and complaints to its `sesFeedback` function, when it has one (the newsletter's). */
  readonly mailFeedback: MailFeedback | undefined;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    super(scope, id, { ...props, description: `Bounded context ${props.context} (functions/${props.context}/)` });
    this.context = props.context;
    const { sources, dependencies } = props;

    for (const [name, definition] of sources.functions) {
      this.functions[name] = catalogueFunction(this, name, definition, dependencies);
    }
    const feedbackTargets = sources.functions.filter(([, definition]) => definition.sesFeedback);
    const needsQueue =
      sources.rules.length + sources.schedules.length + sources.streamConsumers.length > 0 ||
      sources.oneTimeScheduleTargets.length > 0 ||
      feedbackTargets.length > 0;
    this.deadLetterQueue = needsQueue
      ? deadLetterQueue(this, 'DeadLetters', { queueName: deadLetterQueueNameOf(props.namePrefix, props.context) })
      : undefined;
    const queue = this.deadLetterQueue;

    this.alarms = new Alarms(this, 'Alarms', { namePrefix: props.namePrefix });
    if (queue) this.alarms.deadLetters(props.context, queue);
    for (const [name, fn] of Object.entries(this.functions) as [FunctionName, BackendFunction][]) {
      this.alarms.functionErrors(name, fn);
      if (name === PURGE_FUNCTION) this.alarms.purgeNotCompleted(fn);
    }

    for (const route of sources.routes) {
      const fn = this.functions[route.function];
      if (!fn) throw new Error(`Route ${route.method} ${route.path}: no function ${route.function} in ${id}`);
      props.api.addRoute(this, route, fn.function);
    }
    for (const route of sources.webSocketRoutes) {
      const fn = this.functions[route.function];
      if (!fn) throw new Error(`WebSocket route ${route.routeKey}: no function ${route.function} in ${id}`);
      props.webSocketApi.addRoute(this, route, fn.function);
    }
    if (queue && sources.rules.length > 0) {
      this.rules = new EventRules(this, 'Rules', {
        bus: dependencies.bus,
        rules: sources.rules,
        functions: this.functions,
        deadLetterQueue: queue,
      });
    }
    if (queue && sources.schedules.length > 0) {
      this.schedules = new Schedules(this, 'Schedules', {
        schedules: sources.schedules,
        functions: this.functions,
        retry: props.scheduleRetry,
        deadLetterQueue: queue,
      });
    }
    if (queue && sources.streamConsumers.length > 0) {
      this.streams = new Streams(this, 'Streams', {
        consumers: sources.streamConsumers,
        tables: dependencies.tables,
        functions: this.functions,
        deadLetterQueue: queue,
      });
    }
    if (queue && sources.oneTimeScheduleTargets.length > 0) {
      const groupName = dependencies.oneTimeScheduleGroupName;
      if (!groupName) throw new Error(`${id}: one-time schedule targets but no schedule group`);
      this.oneTimeScheduleTargets = new OneTimeScheduleTargets(this, 'OneTimeSchedules', {
        targets: sources.oneTimeScheduleTargets,
        functions: this.functions,
        groupName,
        retry: props.scheduleRetry,
        deadLetterQueue: queue,
      });
    }
    const [feedbackTarget, ...others] = feedbackTargets;
    if (others.length > 0) throw new Error(`${id}: more than one sesFeedback function`);
    const feedbackFunction = feedbackTarget && this.functions[feedbackTarget[0]];
    // SNS invokes the function asynchronously: the retries of the bus's rules (defaultRetry), as
    // the local cloud's routing says (local/sqs-dead-letters.ts).
    this.mailFeedback =
      queue && feedbackFunction
        ? new MailFeedback(this, 'MailFeedback', {
            namePrefix: props.namePrefix,
            configurationSetName: dependencies.resources.newsletter().configurationSet,
            target: feedbackFunction,
            deadLetterQueue: queue,
            retry: defaultRetry,
          })
        : undefined;
  }
}
