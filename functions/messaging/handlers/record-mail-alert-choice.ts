/** ConsentChanged: records the person's choice about the "nouveau message" mail (the latest change wins). */
import { ConsentChanged } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { mailAlertDeps } from '../composition.ts';
import { recordMailAlertChoice } from '../mail-alerts.ts';

const deps = mailAlertDeps();

export const handler = eventHandler(ConsentChanged, async (change) => {
  const outcome = await recordMailAlertChoice(deps, change);
  logger.info('Mail alert choice', { changeId: change.changeId, outcome });
});
