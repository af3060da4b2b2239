/** DeathRecorded: the deceased person's account is closed (ADR 0018). */
import { DeathRecorded } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { closureDeps } from '../composition.ts';
import { closeDeceasedAccount } from '../use-cases.ts';

const deps = closureDeps();

export const handler = eventHandler(DeathRecorded, async ({ deathId, accountId }) => {
  await closeDeceasedAccount(deps, accountId);
  logger.info('Account of a deceased person closed', { deathId });
});
