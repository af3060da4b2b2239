/** ReviewPublished, ReviewWithdrawn, ReviewRemoved, ReviewRefused: the practitioner's summary follows. */
import { ReviewPublished, ReviewRefused, ReviewRemoved, ReviewWithdrawn } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { summaryDeps } from '../composition-moderation.ts';
import { projectReviewSummary } from '../summary.ts';

const deps = summaryDeps();

const project = async (data: { reviewId: string; practitionerId: string; version: number }) => {
  const outcome = await projectReviewSummary(deps, data);
  logger.info('Review summary projected', { reviewId: data.reviewId, version: data.version, outcome });
};

export const handler = eventHandlers({
  [ReviewPublished.detailType]: eventHandler(ReviewPublished, project),
  [ReviewWithdrawn.detailType]: eventHandler(ReviewWithdrawn, project),
  [ReviewRemoved.detailType]: eventHandler(ReviewRemoved, project),
  [ReviewRefused.detailType]: eventHandler(ReviewRefused, project),
});
