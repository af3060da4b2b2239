/** Daily (functions/schedules.ts): tickets waiting for their opener get the notice at day 23 and close at day 30. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { clockDeps } from '../composition.ts';
import { type ClockOutcome, runTicketClock } from '../use-cases.ts';

const deps = clockDeps();

export const handler = middy<unknown, ClockOutcome>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await runTicketClock(deps);
    logger.info('Support ticket clock', { ...result });
    return result;
  });
