/** Daily: the French notice to every active account that expires within 30 days (once per expiry). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { noticeDeps } from '../composition.ts';
import { warnInactiveAccounts } from '../use-cases.ts';

const deps = noticeDeps();
/** Stop starting notices this long before the function's timeout; the next run goes on. */
const MARGIN_MS = 30_000;

export const handler = middy<unknown, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    const report = await warnInactiveAccounts(deps, {
      exhausted: () => context.getRemainingTimeInMillis() < MARGIN_MS,
    });
    logger.info('Inactivity notices', { ...report });
    // A failed mail was released for the next run; failing the run makes it visible (retries, DLQ).
    if (report.failed > 0) throw new Error(`${report.failed} inactivity notices could not be sent`);
  });
