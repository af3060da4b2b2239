/** Hourly (functions/schedules.ts): the moderators are mailed the items waiting more than 48 hours. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { staleAlertDeps } from '../composition-moderation.ts';
import { alertStaleModeration, type StaleAlertOutcome } from '../queue.ts';

const deps = staleAlertDeps();

export const handler = middy<unknown, StaleAlertOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await alertStaleModeration(deps);
    if (result.stale > 0) logger.info('Stale moderation items', result);
    return result;
  });
