import { httpHandler } from '#shared/http/handler.ts';
import { requestDeps } from '../composition.ts';
import { recordRightsRequest as operation } from '../contract.ts';
import { recordRightsRequest } from '../use-cases.ts';

const deps = requestDeps();

export const handler = httpHandler(operation, async ({ body, caller }) => ({
  status: 201,
  body: await recordRightsRequest(deps, caller!.userId, body),
}));
