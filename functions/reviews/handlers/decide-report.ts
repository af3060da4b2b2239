import { httpHandler } from '#shared/http/handler.ts';
import { announcingDeps } from '../composition-reports.ts';
import { decideReport as operation } from '../contract.ts';
import { decideReport } from '../report-use-cases.ts';

const deps = announcingDeps();

export const handler = httpHandler(operation, async ({ body, pathParameters, caller, requestId }) => ({
  status: 200,
  body: await decideReport(deps, caller!.userId, pathParameters.reportId, body, requestId),
}));
