/** MessageSent: pushes the message to the recipient's open WebSocket connections, forgetting gone ones. */
import { MessageSent } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { pushDeps } from '../composition.ts';
import { pushMessage } from '../use-cases.ts';

const deps = pushDeps();

export const handler = eventHandler(MessageSent, async ({ conversationId, messageId, recipientId }) => {
  const outcome = await pushMessage(deps, conversationId, messageId, recipientId);
  logger.info('Message pushed', { conversationId, messageId, ...outcome });
});
