import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { getSupportTicket as operation } from '../contract.ts';
import { getTicket } from '../use-cases.ts';

const deps = supportDeps();

// Support only (the route's access).
export const handler = httpHandler(operation, async ({ pathParameters }) => ({
  status: 200,
  body: await getTicket(deps, pathParameters.ticketId),
}));
