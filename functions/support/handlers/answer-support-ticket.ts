/** Support answers a ticket: it waits for its opener; TicketAnswered comes from the table's stream. */
import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { answerSupportTicket as operation } from '../contract.ts';
import { answerTicket } from '../use-cases.ts';

const deps = supportDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 201,
  body: await answerTicket(deps, caller!.userId, pathParameters.ticketId, body.text),
}));
