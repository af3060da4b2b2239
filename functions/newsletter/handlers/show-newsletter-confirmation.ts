/** GET of the confirmation link: a page whose button confirms (opening the link changes nothing). */
import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { showNewsletterConfirmation as operation } from '../contract.ts';
import { pages } from '../domain/pages.ts';
import { htmlResult } from '../pages-http.ts';

export const handler = publicHttpHandler(operation, async ({ query }) =>
  htmlResult(200, pages.confirmAsk(query.token)),
);
