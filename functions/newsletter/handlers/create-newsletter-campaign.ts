import { httpHandler } from '#shared/http/handler.ts';
import { logger } from '#shared/logger.ts';
import { createCampaign } from '../campaigns.ts';
import { campaignAdminDeps } from '../composition.ts';
import { createNewsletterCampaign as operation } from '../contract.ts';

const deps = campaignAdminDeps();

export const handler = httpHandler(operation, async ({ body }) => {
  const campaign = await createCampaign(deps, body);
  logger.info('Newsletter campaign written', { campaignId: campaign.id, links: campaign.links.length });
  return { status: 201, body: campaign };
});
