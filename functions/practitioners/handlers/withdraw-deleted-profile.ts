import { AccountDeletionRequested } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { practitionerDeps } from '../composition.ts';
import { withdrawProfileOfDeletedAccount } from '../use-cases.ts';

const deps = practitionerDeps();

export const handler = eventHandler(AccountDeletionRequested, async ({ accountId }) => {
  const outcome = await withdrawProfileOfDeletedAccount(deps, accountId);
  logger.info('Profile of a deleted account', { accountId, outcome });
});
