import { httpHandler } from '#shared/http/handler.ts';
import { reviewDeps } from '../composition-reviews.ts';
import { withdrawReview as operation } from '../contract.ts';
import { withdrawMyReview } from '../review-use-cases.ts';

const deps = reviewDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => {
  await withdrawMyReview(deps, caller!.userId, pathParameters.reviewId);
  return { status: 204 };
});
