/**
 * ConsentChanged (the privacy context's GET/PUT /me/consents): a signed-in person's withdrawal
 * ends their subscription at once; their consent sends the double opt-in mail (ADR 0020).
 */
import { ConsentChanged } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { consentFollowerDeps } from '../composition.ts';
import { followNewsletterConsent } from '../use-cases.ts';

const deps = consentFollowerDeps();

export const handler = eventHandler(ConsentChanged, async (change, metadata) => {
  const outcome = await followNewsletterConsent(deps, change, metadata.correlationId);
  logger.info('Newsletter consent followed', { changeId: change.changeId, outcome });
});
