/**
 * The routing table: which events go to which function, with EventBridge's retry policy and a
 * dead-letter queue on every target. Read by the CDK app (one rule per entry) and by the local
 * bus (local/event-bus.ts), which matches the same subset of patterns: source and detail-type.
 */
import type { FunctionName } from '#functions/catalogue.ts';
import { ContactRequestReceived } from './catalogue.ts';
import type { EventContract } from './envelope.ts';

export interface RetryPolicy {
  /** EventBridge allows 0 to 185. */
  readonly maximumRetryAttempts: number;
  /** EventBridge allows 60 s to 24 h. */
  readonly maximumEventAgeSeconds: number;
}

export interface EventRule {
  /** Kebab-case, unique: the CDK rule id and the local bus's rule name. */
  readonly name: string;
  readonly description: string;
  /** The rule matches any of these events (by source and detail-type). */
  readonly events: readonly EventContract[];
  readonly target: FunctionName;
  readonly retry: RetryPolicy;
}

export const defaultRetry: RetryPolicy = { maximumRetryAttempts: 8, maximumEventAgeSeconds: 24 * 3600 };

export const rules: readonly EventRule[] = [
  {
    name: 'contact-request-to-platform-inbox',
    description: 'Email the platform inbox about each new contact request.',
    events: [ContactRequestReceived],
    target: 'notifyPlatformInbox',
    retry: defaultRetry,
  },
];

/** The EventBridge pattern of a rule: the subset both EventBridge and the local bus match. */
export function eventPattern(rule: EventRule): { source: string[]; 'detail-type': string[] } {
  return {
    source: [...new Set(rule.events.map((e) => e.source))],
    'detail-type': [...new Set(rule.events.map((e) => e.detailType))],
  };
}
