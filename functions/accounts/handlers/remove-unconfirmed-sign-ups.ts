/** Daily: the Cognito users of sign-ups never confirmed go after 7 days (no account was opened). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { identityRemovalDeps } from '../composition.ts';
import { removeUnconfirmedSignUps } from '../use-cases.ts';

const deps = identityRemovalDeps();
const MARGIN_MS = 30_000;

export const handler = middy<unknown, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    const report = await removeUnconfirmedSignUps(deps, {
      exhausted: () => context.getRemainingTimeInMillis() < MARGIN_MS,
    });
    logger.info('Unconfirmed sign-ups removed', report);
  });
