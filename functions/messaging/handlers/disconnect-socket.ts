/** WebSocket `$disconnect`: forgets the connection (its item's TTL would, within 2 hours). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import type { WebSocketDisconnectEvent, WebSocketResult } from '#shared/web-socket/events.ts';
import { connectionStore } from '../composition.ts';

const connections = connectionStore();

export const handler = middy<WebSocketDisconnectEvent, WebSocketResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId } = event.requestContext;
    await connections.remove(connectionId);
    logger.info('WebSocket disconnected', { connectionId });
    return { statusCode: 200 };
  });
