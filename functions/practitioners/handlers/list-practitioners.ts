import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { practitionerDeps } from '../composition.ts';
import { listPractitioners as operation } from '../contract.ts';
import { listPublishedPractitioners } from '../use-cases.ts';

const deps = practitionerDeps();

export const handler = publicHttpHandler(operation, async ({ query }) => ({
  status: 200,
  body: await listPublishedPractitioners(deps, query),
}));
