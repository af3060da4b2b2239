/** A campaign's tracked link: the click restarts the subscriber's clock; a 302 to the allow-listed target. */
import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { followLink } from '../campaigns.ts';
import { followLinkDeps } from '../composition.ts';
import { followNewsletterLink as operation } from '../contract.ts';
import { redirectPage } from '../domain/campaign.ts';
import { PAGE_SECURITY_POLICY } from '../domain/pages.ts';

const deps = followLinkDeps();

export const handler = publicHttpHandler(operation, async ({ pathParameters, query }) => {
  const target = await followLink(deps, pathParameters.campaignId, Number(pathParameters.link), query.token);
  return {
    status: 302,
    rawBody: redirectPage(target),
    contentType: 'text/html; charset=utf-8',
    headers: { Location: target, 'Content-Security-Policy': PAGE_SECURITY_POLICY },
  };
});
