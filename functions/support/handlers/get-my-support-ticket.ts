import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { getMySupportTicket as operation } from '../contract.ts';
import { getMyTicket } from '../use-cases.ts';

const deps = supportDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await getMyTicket(deps, caller!.userId, pathParameters.ticketId),
}));
