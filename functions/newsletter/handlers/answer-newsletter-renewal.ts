import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { logger } from '#shared/logger.ts';
import { linkDeps } from '../composition.ts';
import { answerNewsletterRenewal as operation } from '../contract.ts';
import { outcomePage } from '../pages-http.ts';
import { answerRenewal } from '../use-cases.ts';

const deps = linkDeps();

export const handler = publicHttpHandler(operation, async ({ query, headers }) => {
  const outcome = await answerRenewal(deps, query.token, query.answer);
  logger.info('Newsletter renewal answer', { answer: query.answer, outcome });
  return outcomePage(outcome, headers.accept);
});
