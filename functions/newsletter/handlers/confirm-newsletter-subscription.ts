import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { logger } from '#shared/logger.ts';
import { confirmDeps } from '../composition.ts';
import { confirmNewsletterSubscription as operation } from '../contract.ts';
import { outcomePage } from '../pages-http.ts';
import { confirm } from '../use-cases.ts';

const deps = confirmDeps();

export const handler = publicHttpHandler(operation, async ({ query, headers }) => {
  const outcome = await confirm(deps, query.token);
  logger.info('Newsletter confirmation', { outcome });
  return outcomePage(outcome, headers.accept);
});
