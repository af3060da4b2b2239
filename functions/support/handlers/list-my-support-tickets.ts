import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { listMySupportTickets as operation } from '../contract.ts';
import { listMyTickets } from '../use-cases.ts';

const deps = supportDeps();

export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await listMyTickets(deps, caller!.userId, query),
}));
