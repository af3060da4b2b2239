/**
 * ReviewRefused and ReviewPublished: mails the author (French) about the moderator's decision, the
 * refusal with its reason (D111-19), once per decision.
 */
import { ReviewPublished, ReviewRefused } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { mailDeps } from '../composition-reviews.ts';
import { mailAuthorAboutDecision } from '../review-use-cases.ts';

const deps = mailDeps();

export const handler = eventHandlers({
  [ReviewRefused.detailType]: eventHandler(ReviewRefused, async ({ reviewId }) => {
    const outcome = await mailAuthorAboutDecision(deps, reviewId, 'refused');
    logger.info('Review refusal mail', { reviewId, outcome });
  }),
  [ReviewPublished.detailType]: eventHandler(ReviewPublished, async ({ reviewId }) => {
    const outcome = await mailAuthorAboutDecision(deps, reviewId, 'published');
    logger.info('Review publication mail', { reviewId, outcome });
  }),
});
