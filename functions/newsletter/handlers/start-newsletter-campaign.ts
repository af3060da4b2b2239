import { httpHandler } from '#shared/http/handler.ts';
import { logger } from '#shared/logger.ts';
import { startCampaign } from '../campaigns.ts';
import { campaignAdminDeps } from '../composition.ts';
import { startNewsletterCampaign as operation } from '../contract.ts';

const deps = campaignAdminDeps();

export const handler = httpHandler(operation, async ({ pathParameters, requestId, caller }) => {
  const campaign = await startCampaign(deps, pathParameters.campaignId, requestId);
  // Who started it: the staff member's account id (an identifier, as in the other staff logs).
  logger.info('Newsletter campaign started', { campaignId: campaign.id, by: caller?.userId });
  return { status: 202, body: campaign };
});
