/** Daily (functions/schedules.ts): the DPO is warned of rights requests due within 7 days, and of overdue ones. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { warningDeps } from '../composition.ts';
import { warnRightsRequestDeadlines } from '../use-cases.ts';

const deps = warningDeps();

export const handler = middy<unknown, { near: number; overdue: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await warnRightsRequestDeadlines(deps);
    if (result.near + result.overdue > 0) logger.info('Rights request deadline warnings', result);
    return result;
  });
