/** GET of the unsubscribe link (the footer's): a page whose button posts the one-click body. */
import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { showNewsletterUnsubscribe as operation } from '../contract.ts';
import { pages } from '../domain/pages.ts';
import { htmlResult } from '../pages-http.ts';

export const handler = publicHttpHandler(operation, async ({ query }) =>
  htmlResult(200, pages.unsubscribeAsk(query.token)),
);
