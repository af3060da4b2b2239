import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { submitDeps } from '../composition.ts';
import { submitContactRequest as operation } from '../contract.ts';
import { submitContactRequest } from '../use-cases.ts';

const deps = submitDeps();

export const handler = publicHttpHandler(operation, async ({ body, requestId }) => ({
  status: 202,
  body: await submitContactRequest(deps, body, requestId),
}));
