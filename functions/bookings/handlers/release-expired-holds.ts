/** Every minute (functions/schedules.ts): bookings whose payment did not come in time are released. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { paymentDeps } from '../composition-payments.ts';
import { releaseExpiredHolds } from '../payments.ts';

const deps = paymentDeps();

export const handler = middy<unknown, Awaited<ReturnType<typeof releaseExpiredHolds>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await releaseExpiredHolds(deps);
    if (result.released + result.confirmed > 0) logger.info('Expired holds settled', result);
    return result;
  });
