/** DeathRecorded: when the directives (or the heirs' rights) erase, everything of the account is erased (ADR 0018). */
import { DeathRecorded } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { erasureDeps } from '../composition-holds.ts';
import { eraseDeceasedAccount } from '../erasure.ts';

const deps = erasureDeps();

export const handler = eventHandler(DeathRecorded, async ({ deathId, accountId, erase }, metadata) => {
  if (!erase) return;
  const result = await eraseDeceasedAccount(deps, { deathId, accountId }, metadata.correlationId);
  logger.info('Data of a deceased person erased', {
    deathId,
    erasureId: result.erasureId,
    itemsErased: result.itemsErased,
    itemsUnderHold: result.itemsUnderHold,
  });
});
