import { httpHandler } from '#shared/http/handler.ts';
import { reportDeps } from '../composition-reports.ts';
import { listMyReports as operation } from '../contract.ts';
import { listMyReports } from '../report-use-cases.ts';

const deps = reportDeps();

export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await listMyReports(deps, caller!.userId, query),
}));
