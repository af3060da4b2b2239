import { httpHandler } from '#shared/http/handler.ts';
import { announcingDeps } from '../composition-reports.ts';
import { fileAppeal as operation } from '../contract.ts';
import { fileAppeal } from '../report-use-cases.ts';

const deps = announcingDeps();

export const handler = httpHandler(operation, async ({ body, pathParameters, caller, requestId }) => ({
  status: 201,
  body: await fileAppeal(deps, caller!.userId, pathParameters.reportId, body, requestId),
}));
