/** GET of the renewal link: a page with yes and no buttons (opening the link changes nothing). */
import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { showNewsletterRenewal as operation } from '../contract.ts';
import { pages } from '../domain/pages.ts';
import { htmlResult } from '../pages-http.ts';

export const handler = publicHttpHandler(operation, async ({ query }) =>
  htmlResult(200, pages.renewalAsk(query.token)),
);
