/** A signed-in person opens a ticket (its first message in the same transaction); TicketOpened comes from the table's stream. */
import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { openSupportTicket as operation } from '../contract.ts';
import { openTicket } from '../use-cases.ts';

const deps = supportDeps();

export const handler = httpHandler(operation, async ({ body, caller }) => ({
  status: 201,
  body: await openTicket(deps, caller!.userId, caller!.roles, body),
}));
