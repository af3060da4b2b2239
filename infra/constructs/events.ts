/**
 * Events: the custom bus, its archive (finite retention), and one rule per entry of the routing
 * table (events/rules.ts). Each rule's Lambda target has both retry layers of the routing table:
 * EventBridge's delivery retries ending in the rule's dead-letter queue, and Lambda's asynchronous
 * retries of a failing handler ending in the function's dead-letter queue.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type EventRule, eventPattern } from '#events/rules.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { retentionDays } from '../retention.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { BackendFunction } from './functions.ts';

/**
 * Archived events carry identifiers only; they are kept for replay after a consumer bug for the
 * catalogue's technical-operation period. EventBridge keeps archives forever unless told.
 */
export const ARCHIVE_RETENTION_DAYS = retentionDays('technical-operation');

export interface RoutedRule {
  readonly rule: events.Rule;
  /** EventBridge delivery failures. */
  readonly deliveryDeadLetterQueue: sqs.Queue;
  /** Handler failures after Lambda's asynchronous retries. */
  readonly handlerDeadLetterQueue: sqs.Queue;
}

export class Events extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly rules: Record<string, RoutedRule> = {};

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'Domain events of the backend (identifiers only)' });
    this.archive = this.bus.archive('Archive', {
      description: 'Every event of the bus, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
  }

  /** One rule per routing-table entry, targeting its function with both retry layers. */
  route(rules: readonly EventRule[], functions: Readonly<Record<FunctionName, BackendFunction>>): void {
    for (const definition of rules) {
      if (this.rules[definition.name]) throw new Error(`Duplicate event rule ${definition.name}`);
      const target = functions[definition.target];
      const maxEventAge = Duration.seconds(definition.retry.maximumEventAgeSeconds);
      const handlerDeadLetterQueue = target.enableAsyncInvocation({
        retryAttempts: definition.retry.functionRetryAttempts,
        maxEventAge,
      });
      const deliveryDeadLetterQueue = deadLetterQueue(this, `${definition.name}-delivery-dlq`);
      const pattern = eventPattern(definition);
      const rule = new events.Rule(this, definition.name, {
        eventBus: this.bus,
        description: definition.description,
        eventPattern: { source: pattern.source, detailType: pattern['detail-type'] },
        targets: [
          new targets.LambdaFunction(target.function, {
            retryAttempts: definition.retry.maximumRetryAttempts,
            maxEventAge,
            deadLetterQueue: deliveryDeadLetterQueue,
          }),
        ],
      });
      this.rules[definition.name] = { rule, deliveryDeadLetterQueue, handlerDeadLetterQueue };
    }
  }
}
