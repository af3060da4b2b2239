import { httpHandler } from '#shared/http/handler.ts';
import { holdDeps } from '../composition-holds.ts';
import { liftLegalHold as operation } from '../contract.ts';
import { liftLegalHold } from '../holds.ts';

const deps = holdDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller, requestId }) => ({
  status: 200,
  body: await liftLegalHold(deps, pathParameters.holdId, caller!, requestId),
}));
