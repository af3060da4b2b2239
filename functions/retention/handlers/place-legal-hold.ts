import { httpHandler } from '#shared/http/handler.ts';
import { holdDeps } from '../composition-holds.ts';
import { placeLegalHold as operation } from '../contract.ts';
import { placeLegalHold } from '../holds.ts';

const deps = holdDeps();

export const handler = httpHandler(operation, async ({ body, caller, requestId }) => ({
  status: 201,
  body: await placeLegalHold(deps, body, caller!, requestId),
}));
