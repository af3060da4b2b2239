import { httpHandler } from '#shared/http/handler.ts';
import { requestDeps } from '../composition.ts';
import { listOpenRightsRequests as operation } from '../contract.ts';
import { listOpenRightsRequests } from '../use-cases.ts';

const deps = requestDeps();

export const handler = httpHandler(operation, async () => ({
  status: 200,
  body: await listOpenRightsRequests(deps),
}));
