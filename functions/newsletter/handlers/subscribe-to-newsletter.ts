import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { logger } from '#shared/logger.ts';
import { newsletterDeps } from '../composition.ts';
import { subscribeToNewsletter as operation } from '../contract.ts';
import { subscribe } from '../use-cases.ts';

const deps = newsletterDeps();

export const handler = publicHttpHandler(operation, async ({ body, requestId }) => {
  const { answer, outcome } = await subscribe(deps, body, requestId);
  // The outcome, never the address; the answer is the same whatever it is.
  logger.info('Newsletter subscription request', { outcome });
  return { status: 202, body: answer };
});
