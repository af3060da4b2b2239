import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { reviewDeps } from '../composition-reviews.ts';
import { listPractitionerReviews as operation } from '../contract.ts';
import { listPractitionerReviews } from '../review-use-cases.ts';

const deps = reviewDeps();

export const handler = publicHttpHandler(operation, async ({ query, pathParameters }) => ({
  status: 200,
  body: await listPractitionerReviews(deps, pathParameters.practitionerId, query),
}));
