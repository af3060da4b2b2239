/** Support closes a ticket: deleted with its messages at once; TicketClosed comes from the audit entry, through the stream. */
import { httpHandler } from '#shared/http/handler.ts';
import { logger } from '#shared/logger.ts';
import { supportDeps } from '../composition.ts';
import { closeSupportTicket as operation } from '../contract.ts';
import { closeTicket } from '../use-cases.ts';

const deps = supportDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => {
  const closed = await closeTicket(deps, caller!.userId, pathParameters.ticketId, body.outcome);
  logger.info('Support ticket closed', {
    ticketId: closed.ticketId,
    category: closed.category,
    outcome: closed.outcome,
  });
  return { status: 200, body: closed };
});
