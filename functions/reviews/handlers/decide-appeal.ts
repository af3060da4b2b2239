import { httpHandler } from '#shared/http/handler.ts';
import { announcingDeps } from '../composition-reports.ts';
import { decideAppeal as operation } from '../contract.ts';
import { decideAppeal } from '../report-use-cases.ts';

const deps = announcingDeps();

export const handler = httpHandler(operation, async ({ body, pathParameters, caller, requestId }) => ({
  status: 200,
  body: await decideAppeal(deps, caller!.userId, pathParameters.appealId, body, requestId),
}));
