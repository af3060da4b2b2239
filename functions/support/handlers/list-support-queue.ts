import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { listSupportQueue as operation } from '../contract.ts';
import { listQueue } from '../use-cases.ts';

const deps = supportDeps();

// Support only (the route's access).
export const handler = httpHandler(operation, async ({ query }) => ({
  status: 200,
  body: await listQueue(deps, query),
}));
