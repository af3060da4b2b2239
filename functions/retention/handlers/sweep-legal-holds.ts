/**
 * Daily, before the purge (functions/schedules.ts): re-applies every active legal hold, so items
 * written for a held subject after the hold lose their expiry long before it could come.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { sweepDeps } from '../composition-holds.ts';
import { reapplyActiveHolds } from '../holds.ts';

const deps = sweepDeps();

export const handler = middy<unknown, Awaited<ReturnType<typeof reapplyActiveHolds>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await reapplyActiveHolds(deps, 'scheduler');
    logger.info('Legal holds re-applied', result);
    return result;
  });
