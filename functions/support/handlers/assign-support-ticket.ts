import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { assignSupportTicket as operation } from '../contract.ts';
import { assignTicket } from '../use-cases.ts';

const deps = supportDeps();

// Support only (the route's access): to the caller unless another support member is named.
export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 200,
  body: await assignTicket(deps, pathParameters.ticketId, body.assigneeId ?? caller!.userId),
}));
