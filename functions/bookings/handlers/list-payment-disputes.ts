import { httpHandler } from '#shared/http/handler.ts';
import { disputeDeps } from '../composition.ts';
import { listPaymentDisputes as operation } from '../contract.ts';
import { listPaymentDisputes } from '../payments.ts';

const deps = disputeDeps();

// Support staff only (the route's access).
export const handler = httpHandler(operation, async ({ query }) => ({
  status: 200,
  body: await listPaymentDisputes(deps, query),
}));
