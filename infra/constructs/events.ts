/**
 * Events: the custom bus and its archive (finite retention), in the data stack; and the rules of
 * the routing table (events/rules.ts), each in the stack of the bounded context of its target.
 * Each rule's Lambda target has both retry layers of the routing table: EventBridge's delivery
 * retries, then Lambda's asynchronous retries of a failing handler; both end in the context's
 * dead-letter queue, whose messages name the rule (EventBridge's RULE_ARN attribute) or the
 * function (the on-failure record's requestContext.functionArn).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type EventRule, eventPattern } from '#events/rules.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { retentionDays } from '../retention.ts';
import type { BackendFunction } from './functions.ts';

/**
 * Archived events carry identifiers only; they are kept for replay after a consumer bug for the
 * catalogue's technical-operation period. EventBridge keeps archives forever unless told.
 */
export const ARCHIVE_RETENTION_DAYS = retentionDays('technical-operation');

/** The bus's name: deterministic, so that the other stacks name it without a cross-stack reference. */
export function eventBusNameOf(namePrefix: string): string {
  return `${namePrefix}-events`;
}

export class EventBusWithArchive extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: { readonly namePrefix: string }) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: eventBusNameOf(props.namePrefix),
      description: 'Domain events of the backend (identifiers only)',
    });
    this.archive = this.bus.archive('Archive', {
      description: 'Every event of the bus, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
  }
}

export interface RoutedRule {
  readonly rule: events.Rule;
  /** EventBridge delivery failures and the target's handler failures: the context's queue. */
  readonly deadLetterQueue: sqs.IQueue;
}

export interface EventRulesProps {
  readonly bus: events.IEventBus;
  readonly rules: readonly EventRule[];
  readonly functions: Readonly<Partial<Record<FunctionName, BackendFunction>>>;
  readonly deadLetterQueue: sqs.IQueue;
}

/** One rule per routing-table entry, targeting its function with both retry layers. */
export class EventRules extends Construct {
  readonly rules: Record<string, RoutedRule> = {};

  constructor(scope: Construct, id: string, props: EventRulesProps) {
    super(scope, id);
    for (const definition of props.rules) {
      if (this.rules[definition.name]) throw new Error(`Duplicate event rule ${definition.name}`);
      const target = props.functions[definition.target];
      if (!target) throw new Error(`Event rule ${definition.name}: no function ${definition.target} in this stack`);
      const maxEventAge = Duration.seconds(definition.retry.maximumEventAgeSeconds);
      target.enableAsyncInvocation(
        { retryAttempts: definition.retry.functionRetryAttempts, maxEventAge },
        props.deadLetterQueue,
      );
      const pattern = eventPattern(definition);
      const rule = new events.Rule(this, definition.name, {
        eventBus: props.bus,
        description: definition.description,
        eventPattern: { source: pattern.source, detailType: pattern['detail-type'] },
        targets: [
          new targets.LambdaFunction(target.function, {
            retryAttempts: definition.retry.maximumRetryAttempts,
            maxEventAge,
            deadLetterQueue: props.deadLetterQueue,
          }),
        ],
      });
      this.rules[definition.name] = { rule, deadLetterQueue: props.deadLetterQueue };
    }
  }
}
