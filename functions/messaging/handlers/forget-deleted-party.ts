/** AccountDeletionRequested: the account's conversations stay for the other party ("compte supprimé"); its connections close. */
import { AccountDeletionRequested } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { forgetDeps } from '../composition.ts';
import { forgetDeletedParty } from '../use-cases.ts';

const deps = forgetDeps();

export const handler = eventHandler(AccountDeletionRequested, async ({ accountId }) => {
  const outcome = await forgetDeletedParty(deps, accountId);
  logger.info('Conversations of a deleted account kept for the other parties', outcome);
});
