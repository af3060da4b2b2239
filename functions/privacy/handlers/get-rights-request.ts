import { httpHandler } from '#shared/http/handler.ts';
import { requestDeps } from '../composition.ts';
import { getRightsRequest as operation } from '../contract.ts';
import { getRightsRequest } from '../use-cases.ts';

const deps = requestDeps();

export const handler = httpHandler(operation, async ({ pathParameters }) => ({
  status: 200,
  body: await getRightsRequest(deps, pathParameters.requestId),
}));
