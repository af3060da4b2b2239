/**
 * TicketOpened, TicketAnswered, TicketClosed: the opener's mails (French, never the ticket's text):
 * the acknowledgement, the notice of an answer, the closure (an unresolved complaint names the
 * consumer mediator). A message report has no opener: nobody is mailed.
 */
import { TicketAnswered, TicketClosed, TicketOpened } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { openerMailDeps } from '../composition.ts';
import { mailTicketAnswered, mailTicketClosed, mailTicketOpened } from '../use-cases.ts';

const deps = openerMailDeps();

export const handler = eventHandlers({
  [TicketOpened.detailType]: eventHandler(TicketOpened, async (data) => {
    logger.info('Ticket acknowledgement', { ticketId: data.ticketId, outcome: await mailTicketOpened(deps, data) });
  }),
  [TicketAnswered.detailType]: eventHandler(TicketAnswered, async (data) => {
    logger.info('Ticket answer notice', { ticketId: data.ticketId, outcome: await mailTicketAnswered(deps, data) });
  }),
  [TicketClosed.detailType]: eventHandler(TicketClosed, async (data) => {
    logger.info('Ticket closure mail', {
      ticketId: data.ticketId,
      category: data.category,
      outcome: data.outcome,
      mail: await mailTicketClosed(deps, data),
    });
  }),
});
