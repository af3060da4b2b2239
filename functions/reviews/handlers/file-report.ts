import { httpHandler } from '#shared/http/handler.ts';
import { announcingDeps } from '../composition-reports.ts';
import { fileReport as operation } from '../contract.ts';
import { fileReport } from '../report-use-cases.ts';

const deps = announcingDeps();

export const handler = httpHandler(operation, async ({ body, pathParameters, caller, requestId }) => ({
  status: 201,
  body: await fileReport(deps, caller!.userId, pathParameters.reviewId, body, requestId),
}));
