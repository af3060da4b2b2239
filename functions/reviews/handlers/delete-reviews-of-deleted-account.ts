/** AccountDeletionRequested: deletes the account's reviews (the outbox announces each ReviewWithdrawn). */
import { AccountDeletionRequested } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { reviewDeps } from '../composition-reviews.ts';
import { deleteReviewsOfAccount } from '../review-use-cases.ts';

const deps = reviewDeps();

export const handler = eventHandler(AccountDeletionRequested, async ({ accountId }) => {
  const outcome = await deleteReviewsOfAccount(deps, accountId);
  logger.info('Reviews of a deleted account deleted', outcome);
});
