import { httpHandler } from '#shared/http/handler.ts';
import { erasureDeps } from '../composition-holds.ts';
import { eraseDataSubject as operation } from '../contract.ts';
import { eraseDataSubject } from '../erasure.ts';

const deps = erasureDeps();

export const handler = httpHandler(operation, async ({ body, caller, requestId }) => ({
  status: 200,
  body: await eraseDataSubject(deps, body, caller!, requestId),
}));
