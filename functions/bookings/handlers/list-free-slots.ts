import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { bookingDeps } from '../composition.ts';
import { listFreeSlots as operation } from '../contract.ts';
import { listFreeSlots } from '../use-cases.ts';

const deps = bookingDeps();

export const handler = publicHttpHandler(operation, async ({ pathParameters, query }) => ({
  status: 200,
  body: await listFreeSlots(deps, pathParameters.practitionerId, query),
}));
