/**
 * ReportFiled, ReportDecided, AppealDecided: the mails of the reports part (French), each once:
 * the acknowledgement to the reporter, the statement of reasons to the review's author and the
 * outcome to the reporter, the appeal's decision to the appellant.
 */
import { AppealDecided, ReportDecided, ReportFiled } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { reportMailDeps } from '../composition-reports.ts';
import { acknowledgeReport, mailAppealDecision, mailReportDecision } from '../report-use-cases.ts';

const deps = reportMailDeps();

export const handler = eventHandlers({
  [ReportFiled.detailType]: eventHandler(ReportFiled, async ({ reportId }) => {
    logger.info('Report acknowledgement', { reportId, outcome: await acknowledgeReport(deps, reportId) });
  }),
  [ReportDecided.detailType]: eventHandler(ReportDecided, async ({ reportId }) => {
    logger.info('Report decision mails', { reportId, ...(await mailReportDecision(deps, reportId)) });
  }),
  [AppealDecided.detailType]: eventHandler(AppealDecided, async ({ appealId }) => {
    logger.info('Appeal decision mail', { appealId, outcome: await mailAppealDecision(deps, appealId) });
  }),
});
