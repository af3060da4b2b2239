/** MessageReported: a ticket of ids for support's queue (once per report). */
import { MessageReported } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { supportDeps } from '../composition.ts';
import { openReportTicket } from '../use-cases.ts';

const deps = supportDeps();

export const handler = eventHandler(MessageReported, async (report) => {
  const { ticketId, opened } = await openReportTicket(deps, report);
  logger.info('Message report ticket', { reportId: report.reportId, ticketId, opened });
});
