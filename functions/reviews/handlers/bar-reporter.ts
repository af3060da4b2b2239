import { httpHandler } from '#shared/http/handler.ts';
import { logger } from '#shared/logger.ts';
import { reportDeps } from '../composition-reports.ts';
import { barReporter as operation } from '../contract.ts';
import { barReporter } from '../report-use-cases.ts';

const deps = reportDeps();

export const handler = httpHandler(operation, async ({ body, pathParameters, caller }) => {
  const bar = await barReporter(deps, caller!.userId, pathParameters.accountId, body);
  // The audit trail: who barred whom until when, on which reports (account ids only; the reason stays in the table).
  logger.info('Reporter barred', {
    moderatorId: bar.moderatorId,
    accountId: bar.accountId,
    until: bar.until,
    reportIds: bar.reportIds,
  });
  return { status: 201, body: bar };
});
