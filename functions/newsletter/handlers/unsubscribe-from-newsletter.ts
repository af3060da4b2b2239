/** RFC 8058's one-click POST (mail providers, and the page's button): `List-Unsubscribe=One-Click`. */

import { HttpProblem } from '#shared/http/problem.ts';
import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { logger } from '#shared/logger.ts';
import { linkDeps } from '../composition.ts';
import { unsubscribeFromNewsletter as operation } from '../contract.ts';
import { isOneClickBody } from '../domain/subscription.ts';
import { outcomePage } from '../pages-http.ts';
import { unsubscribe } from '../use-cases.ts';

const deps = linkDeps();

export const handler = publicHttpHandler(operation, async ({ query, rawBody, headers }) => {
  if (!isOneClickBody(rawBody, headers['content-type'])) {
    throw new HttpProblem(400, 'Bad request', 'The body must be List-Unsubscribe=One-Click (form-encoded)', {
      errors: [{ field: 'body', message: 'List-Unsubscribe=One-Click, form-encoded (RFC 8058)' }],
    });
  }
  const outcome = await unsubscribe(deps, query.token);
  logger.info('Newsletter unsubscription', { outcome });
  return outcomePage(outcome, headers.accept);
});
