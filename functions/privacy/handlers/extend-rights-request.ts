import { httpHandler } from '#shared/http/handler.ts';
import { extensionDeps } from '../composition.ts';
import { extendRightsRequest as operation } from '../contract.ts';
import { extendRightsRequest } from '../use-cases.ts';

const deps = extensionDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 200,
  body: await extendRightsRequest(deps, caller!.userId, pathParameters.requestId, body),
}));
