import { httpHandler } from '#shared/http/handler.ts';
import { submitDeps } from '../composition-reviews.ts';
import { submitReview as operation } from '../contract.ts';
import { submitReview } from '../review-use-cases.ts';

const deps = submitDeps();

export const handler = httpHandler(operation, async ({ body, caller }) => ({
  status: 201,
  body: await submitReview(deps, caller!.userId, body),
}));
