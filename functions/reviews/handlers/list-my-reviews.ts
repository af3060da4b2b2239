import { httpHandler } from '#shared/http/handler.ts';
import { reviewDeps } from '../composition-reviews.ts';
import { listMyReviews as operation } from '../contract.ts';
import { listMyReviews } from '../review-use-cases.ts';

const deps = reviewDeps();

export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await listMyReviews(deps, caller!.userId, query),
}));
