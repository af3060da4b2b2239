import { httpHandler } from '#shared/http/handler.ts';
import { deletionDeps } from '../composition.ts';
import { deleteMe as operation } from '../contract.ts';
import { deleteMe } from '../use-cases.ts';

const deps = deletionDeps();

export const handler = httpHandler(operation, async ({ caller, requestId }) => ({
  status: 202,
  body: await deleteMe(deps, caller!, requestId),
}));
