import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { listFreeSlots as operation } from '../contract.ts';
import { listFreeSlots } from '../use-cases.ts';

const deps = bookingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, query }) => ({
  status: 200,
  body: await listFreeSlots(deps, pathParameters.practitionerId, query),
}));
