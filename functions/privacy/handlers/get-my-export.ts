import { httpHandler } from '#shared/http/handler.ts';
import { exportDeps } from '../composition.ts';
import { getMyExport as operation } from '../contract.ts';
import { getMyExport } from '../exports.ts';

const deps = exportDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await getMyExport(deps, caller!.userId, pathParameters.exportId),
}));
