/** AccountActivityObserved → the account's retention clock slides (at most one write a day). */
import { AccountActivityObserved } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { activityDeps } from '../composition.ts';
import { recordActivity } from '../use-cases.ts';

const deps = activityDeps();

export const handler = eventHandler(AccountActivityObserved, async ({ accountId }, metadata) => {
  const outcome = await recordActivity(deps, accountId, new Date(metadata.occurredAt));
  logger.info('Account activity recorded', { accountId, outcome });
});
