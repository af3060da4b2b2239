/**
 * What happens around every API request besides the use case, from the operation's declarations:
 * - before anything else, on every route that is not public, the caller's account is checked
 *   against the revocation list (shared/security/revocations.ts): a suspended account gets a 403,
 *   a deleted one a 410, whatever the token it presents; if the list cannot be read, a 503
 *   (fail-closed: a revoked account is never let in because a read failed);
 * - then its rate limits (per source IP, per account) are counted: over the limit, a 429 and
 *   nothing of the request is kept;
 * - once accepted, its connection data is recorded if the operation asks for it (fraud
 *   prevention, 30 days), and a signed-in caller's activity is announced at most once a day per
 *   person and Lambda instance (the account's retention clock slides on it, without a write per
 *   request).
 * The dependencies are built on first use from the function's environment, so functions whose
 * operations need none of this never touch the security table or the bus. Every function serving
 * a route that is not public reads the security table (functions/catalogue.ts gives it the grant).
 */
import { AccountActivityObserved } from '#events/catalogue.ts';
import { documentClient, once } from '../aws-clients.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { errorFacts, logger } from '../logger.ts';
import { subjectKeyForAccount, subjectKeyForIp } from '../retention/subject.ts';
import { type ConnectionLog, dynamoConnectionLog } from '../security/connection-log.ts';
import { dynamoRateLimiter, type RateLimiter } from '../security/rate-limiter.ts';
import { instanceRevocations, type RevocationReader } from '../security/revocations.ts';
import { tableNameFromEnv } from '../tables.ts';
import type { Caller } from './caller.ts';
import type { Operation } from './contract.ts';
import { HttpProblem } from './problem.ts';
import { unavailableProblem } from './unavailable.ts';

export interface RequestInfo {
  readonly operation: Operation;
  readonly caller: Caller | undefined;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  readonly requestId: string;
}

export interface RequestGuards {
  /**
   * Throws the 403/410 problem of a revoked account (503 when the list cannot be read), the 429
   * of a request over a rate limit.
   */
  admit(request: RequestInfo): Promise<void>;
  /** After an accepted request: connection record and activity. Never fails the request. */
  observe(request: RequestInfo, status: number): Promise<void>;
}

export interface GuardDeps {
  readonly revocations: () => RevocationReader;
  readonly rateLimiter: () => RateLimiter;
  readonly connections: () => ConnectionLog;
  /**
   * Where a signed-in caller's activity is announced. Absent for the public routes' guards
   * (./public-handler.ts): their requests have no caller, and their bundles no EventBridge client.
   */
  readonly events?: () => EventPublisher;
  readonly clock: Clock;
}

const MAX_TRACKED_ACCOUNTS = 10_000;

/** The problems of a revoked account: they say what, never whose (no id). */
export const accountSuspended = () =>
  new HttpProblem(403, 'Account suspended', 'This account is suspended; contact support');
export const accountDeleted = () =>
  new HttpProblem(410, 'Account deleted', 'This account was deleted at its owner’s request and can no longer be used');

async function refuseRevoked(deps: GuardDeps, operationId: string, caller: Caller) {
  let reason: Awaited<ReturnType<RevocationReader['reasonFor']>>;
  try {
    reason = await deps.revocations().reasonFor(caller.userId);
  } catch (error) {
    logger.error('Revocation list unreadable: request refused', { operation: operationId, error: errorFacts(error) });
    throw unavailableProblem();
  }
  if (reason === 'suspended') throw accountSuspended();
  if (reason === 'deleted') throw accountDeleted();
}

export function requestGuards(deps: GuardDeps): RequestGuards {
  /** accountId → the last day its activity was announced by this instance. */
  const announced = new Map<string, string>();

  return {
    async admit({ operation, caller, sourceIp }) {
      if (operation.access.kind !== 'public' && caller) await refuseRevoked(deps, operation.operationId, caller);
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
        if (caller && deps.events && announced.get(caller.userId) !== day) {
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

/**
 * What the guards of a deployed function read and write, from its environment (TABLE_SECURITY),
 * each built on first use: the revocation list, the rate limits, the connection records. The bus
 * is added by the signed-in routes' wrapper (./handler.ts).
 */
export const securityGuardDeps = (): GuardDeps => ({
  revocations: instanceRevocations,
  rateLimiter: once(() => dynamoRateLimiter({ client: documentClient(), tableName: tableNameFromEnv('security') })),
  connections: once(() => dynamoConnectionLog({ client: documentClient(), tableName: tableNameFromEnv('security') })),
  clock: systemClock,
});
