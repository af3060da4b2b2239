import { ContactRequestReceived } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { notifyDeps } from '../composition.ts';
import { notifyPlatformInbox } from '../use-cases.ts';

const deps = notifyDeps();

export const handler = eventHandler(ContactRequestReceived, async ({ contactRequestId }) => {
  const outcome = await notifyPlatformInbox(deps, contactRequestId);
  logger.info('Platform inbox notification', { contactRequestId, outcome });
});
