import { httpHandler } from '#shared/http/handler.ts';
import { reviewDeps } from '../composition-reviews.ts';
import { decideReview as operation } from '../contract.ts';
import { decideOnReview } from '../review-use-cases.ts';

const deps = reviewDeps();

export const handler = httpHandler(operation, async ({ body, pathParameters, caller }) => ({
  status: 200,
  body: await decideOnReview(deps, caller!.userId, pathParameters.reviewId, body),
}));
