import { httpHandler } from '#shared/http/handler.ts';
import { getCampaign } from '../campaigns.ts';
import { campaignAdminDeps } from '../composition.ts';
import { getNewsletterCampaign as operation } from '../contract.ts';

const deps = campaignAdminDeps();

export const handler = httpHandler(operation, async ({ pathParameters }) => ({
  status: 200,
  body: await getCampaign(deps, pathParameters.campaignId),
}));
