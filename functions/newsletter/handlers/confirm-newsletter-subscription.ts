import { httpHandler } from '#shared/http/handler.ts';
import { logger } from '#shared/logger.ts';
import { confirmDeps } from '../composition.ts';
import { confirmNewsletterSubscription as operation } from '../contract.ts';
import { outcomePage } from '../pages-http.ts';
import { confirm } from '../use-cases.ts';

const deps = confirmDeps();

export const handler = httpHandler(operation, async ({ query, headers }) => {
  const outcome = await confirm(deps, query.token);
  logger.info('Newsletter confirmation', { outcome });
  return outcomePage(outcome, headers.accept);
});
