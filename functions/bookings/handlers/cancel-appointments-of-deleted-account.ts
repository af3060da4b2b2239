/**
 * Consumer of AccountDeletionRequested: cancels, by the platform, every upcoming appointment of
 * the deleted account, as client and as practitioner (./account-deletion.ts). Counts only are logged.
 */
import { AccountDeletionRequested } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { cancelAppointmentsOfDeletedAccount } from '../account-deletion.ts';
import { accountDeletionDeps } from '../composition-controller.ts';

const deps = accountDeletionDeps();

export const handler = eventHandler(AccountDeletionRequested, async ({ accountId }) => {
  const outcome = await cancelAppointmentsOfDeletedAccount(deps, accountId);
  logger.info('Upcoming appointments of a deleted account cancelled', outcome);
});
