import { httpHandler } from '#shared/http/handler.ts';
import { reportDeps } from '../composition-reports.ts';
import { getTransparencyReport as operation } from '../contract.ts';
import { transparencyReportOf } from '../report-use-cases.ts';

const deps = reportDeps();

export const handler = httpHandler(operation, async ({ query }) => ({
  status: 200,
  body: await transparencyReportOf(deps, query),
}));
