/**
 * What happens around every API request besides the use case, from the operation's declarations:
 * - before anything else, its rate limits (per source IP, per account) are counted: over the
 *   limit, a 429 and nothing of the request is kept;
 * - once accepted, its connection data is recorded if the operation asks for it (fraud
 *   prevention, 30 days), and a signed-in caller's activity is announced at most once a day per
 *   person and Lambda instance (the account's retention clock slides on it, without a write per
 *   request).
 * The dependencies are built on first use from the function's environment, so functions whose
 * operations need none of this never touch the security table or the bus.
 */
import { AccountActivityObserved } from '#events/catalogue.ts';
import { documentClient, eventBridgeClient } from '../aws-clients.ts';
import { type Clock, systemClock } from '../clock.ts';
import { requiredEnv } from '../config.ts';
import { type EventPublisher, eventBridgePublisher } from '../events/publisher.ts';
import { logger } from '../logger.ts';
import { subjectKeyForAccount, subjectKeyForIp } from '../retention/subject.ts';
import { type ConnectionLog, dynamoConnectionLog } from '../security/connection-log.ts';
import { dynamoRateLimiter, type RateLimiter } from '../security/rate-limiter.ts';
import { tableNameFromEnv } from '../tables.ts';
import type { Caller } from './caller.ts';
import type { Operation } from './contract.ts';

export interface RequestInfo {
  readonly operation: Operation;
  readonly caller: Caller | undefined;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  readonly requestId: string;
}

export interface RequestGuards {
  /** Throws the 429 problem of a request over a rate limit. */
  admit(request: RequestInfo): Promise<void>;
  /** After an accepted request: connection record and activity. Never fails the request. */
  observe(request: RequestInfo, status: number): Promise<void>;
}

export interface GuardDeps {
  readonly rateLimiter: () => RateLimiter;
  readonly connections: () => ConnectionLog;
  readonly events: () => EventPublisher;
  readonly clock: Clock;
}

const MAX_TRACKED_ACCOUNTS = 10_000;

export function requestGuards(deps: GuardDeps): RequestGuards {
  /** accountId → the last day its activity was announced by this instance. */
  const announced = new Map<string, string>();

  return {
    async admit({ operation, caller, sourceIp }) {
      const limit = operation.rateLimit;
      if (!limit) return;
      const now = deps.clock.now();
      if (limit.perIp) {
        await deps
          .rateLimiter()
          .check({ subjectKey: subjectKeyForIp(sourceIp), label: 'IP' }, operation.operationId, limit.perIp, now);
      }
      if (limit.perAccount && caller) {
        await deps
          .rateLimiter()
          .check(
            { subjectKey: subjectKeyForAccount(caller.userId), label: 'account' },
            operation.operationId,
            limit.perAccount,
            now,
          );
      }
    },

    async observe({ operation, caller, sourceIp, userAgent, requestId }, status) {
      const now = deps.clock.now();
      try {
        if (operation.recordConnection) {
          await deps.connections().record({
            subjectKey: caller ? subjectKeyForAccount(caller.userId) : subjectKeyForIp(sourceIp),
            ip: sourceIp,
            ...(userAgent ? { userAgent } : {}),
            ...(caller ? { accountId: caller.userId } : {}),
            operationId: operation.operationId,
            status,
            requestId,
            at: now,
          });
        }
        const day = now.toISOString().slice(0, 10);
        if (caller && announced.get(caller.userId) !== day) {
          await deps.events().publish(AccountActivityObserved, { accountId: caller.userId, day });
          if (announced.size >= MAX_TRACKED_ACCOUNTS) announced.clear();
          announced.set(caller.userId, day);
        }
      } catch (error) {
        logger.warn('Request observation failed', { operation: operation.operationId, error: (error as Error).name });
      }
    },
  };
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

/** The guards of a deployed function, from its environment (TABLE_SECURITY, EVENT_BUS_NAME). */
export const defaultGuards = /* @__PURE__ */ lazy(() =>
  requestGuards({
    rateLimiter: lazy(() => dynamoRateLimiter({ client: documentClient(), tableName: tableNameFromEnv('security') })),
    connections: lazy(() => dynamoConnectionLog({ client: documentClient(), tableName: tableNameFromEnv('security') })),
    events: lazy(() =>
      eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock }),
    ),
    clock: systemClock,
  }),
);
