/**
 * WebSocket `$connect`: opens a connection for a signed-in client or practitioner. The ID token
 * comes as `?token=` (browsers cannot set headers on a WebSocket) and is checked as the REST API's
 * authorizer checks it, then against the revocation list as every signed-in route is: 401 without
 * a valid token, 403 for staff (they have no conversation) or a suspended account, 410 for a
 * deleted one, 503 when the keys or the list cannot be read. The connection is recorded for the
 * live push, expiring with API Gateway's 2-hour limit. Nothing of the token is logged.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { systemClock } from '#shared/clock.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { instanceRevocations } from '#shared/security/revocations.ts';
import type { WebSocketConnectEvent, WebSocketResult } from '#shared/web-socket/events.ts';
import { connectionStore, tokenVerifier } from '../composition.ts';

const verifier = tokenVerifier();
const connections = connectionStore();

const answer = (statusCode: number): WebSocketResult => ({ statusCode });

export const handler = middy<WebSocketConnectEvent, WebSocketResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId } = event.requestContext;
    let identity: Awaited<ReturnType<typeof verifier.verify>>;
    try {
      identity = await verifier.verify(event.queryStringParameters?.token ?? undefined);
    } catch (error) {
      logger.warn('WebSocket refused: the token keys cannot be read', { error: errorFacts(error) });
      return answer(503);
    }
    if (!identity) return answer(401);
    if (!identity.roles.some((role) => role === 'client' || role === 'practitioner')) return answer(403);
    let revoked: Awaited<ReturnType<ReturnType<typeof instanceRevocations>['reasonFor']>>;
    try {
      revoked = await instanceRevocations().reasonFor(identity.userId);
    } catch (error) {
      logger.warn('WebSocket refused: the revocation list cannot be read', { error: errorFacts(error) });
      return answer(503);
    }
    if (revoked) return answer(revoked === 'deleted' ? 410 : 403);
    await connections.add(connectionId, identity.userId, systemClock.now());
    logger.info('WebSocket connected', { connectionId });
    return answer(200);
  });
