/**
 * NewsletterCampaignStarted, NewsletterCampaignProgressed: a run of the sender, batch after batch
 * from the campaign's checkpoint, until its time is nearly up (the next run goes on). ADR 0020.
 */
import { NewsletterCampaignProgressed, NewsletterCampaignStarted } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { sendCampaign } from '../campaigns.ts';
import { campaignSenderDeps } from '../composition.ts';

const deps = campaignSenderDeps();
/** Stop starting batches this long before the function's timeout. */
const MARGIN_MS = 60_000;

const run = async (campaignId: string, remaining: () => number) => {
  const report = await sendCampaign(deps, campaignId, { exhausted: () => remaining() < MARGIN_MS });
  logger.info('Newsletter campaign run', { campaignId, ...report });
};

export const handler = eventHandlers({
  [NewsletterCampaignStarted.detailType]: eventHandler(NewsletterCampaignStarted, ({ campaignId }, _m, context) =>
    run(campaignId, () => context.getRemainingTimeInMillis()),
  ),
  [NewsletterCampaignProgressed.detailType]: eventHandler(NewsletterCampaignProgressed, ({ campaignId }, _m, context) =>
    run(campaignId, () => context.getRemainingTimeInMillis()),
  ),
});
