/** MessageSent: mails the recipient "nouveau message" (no text), once per conversation while unread messages wait. */
import { MessageSent } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { mailDeps } from '../composition.ts';
import { mailRecipient } from '../use-cases.ts';

const deps = mailDeps();

export const handler = eventHandler(MessageSent, async ({ conversationId, messageId, recipientId }) => {
  const outcome = await mailRecipient(deps, conversationId, recipientId);
  logger.info('New message mail', { conversationId, messageId, outcome });
});
