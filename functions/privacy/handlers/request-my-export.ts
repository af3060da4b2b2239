import { httpHandler } from '#shared/http/handler.ts';
import { startDeps } from '../composition.ts';
import { requestMyExport as operation } from '../contract.ts';
import { requestMyExport } from '../exports.ts';

const deps = startDeps();

export const handler = httpHandler(operation, async ({ caller }) => ({
  status: 202,
  body: await requestMyExport(deps, caller!.userId),
}));
