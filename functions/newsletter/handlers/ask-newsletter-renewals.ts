/** Daily: asks the subscriptions ending within 30 days whether to go on (once per expiry; ADR 0020). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { newsletterDeps } from '../composition.ts';
import { askRenewals } from '../use-cases.ts';

const deps = newsletterDeps();
/** Stop starting asks this long before the function's timeout; the next run goes on from the checkpoint. */
const MARGIN_MS = 30_000;

export const handler = middy<unknown, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    const report = await askRenewals(deps, { exhausted: () => context.getRemainingTimeInMillis() < MARGIN_MS });
    logger.info('Newsletter renewal asks', { ...report });
    // A failed mail was released for the next run; failing the run makes it visible (retries, DLQ).
    if (report.failed > 0) throw new Error(`${report.failed} newsletter renewal asks could not be sent`);
  });
