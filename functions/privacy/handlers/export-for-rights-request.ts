import { httpHandler } from '#shared/http/handler.ts';
import { rightsExportDeps } from '../composition.ts';
import { exportForRightsRequest as operation } from '../contract.ts';
import { exportForRightsRequest } from '../exports.ts';

const deps = rightsExportDeps();

export const handler = httpHandler(operation, async ({ pathParameters }) => ({
  status: 202,
  body: await exportForRightsRequest(deps, pathParameters.requestId),
}));
