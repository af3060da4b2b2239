/**
 * ConsentChanged: records the person's choice about the "nouveau message" mail (the latest change
 * wins). AccountActivityObserved: the choice lives as long as the active account.
 */
import { AccountActivityObserved, ConsentChanged } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { mailAlertDeps } from '../composition.ts';
import { recordMailAlertChoice, slideMailAlertChoice } from '../mail-alerts.ts';

const deps = mailAlertDeps();

export const handler = eventHandlers({
  [ConsentChanged.detailType]: eventHandler(ConsentChanged, async (change) => {
    const outcome = await recordMailAlertChoice(deps, change);
    logger.info('Mail alert choice', { changeId: change.changeId, outcome });
  }),
  [AccountActivityObserved.detailType]: eventHandler(AccountActivityObserved, async ({ accountId, day }) => {
    await slideMailAlertChoice(deps, accountId, day);
  }),
});
