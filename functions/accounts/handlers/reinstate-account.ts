/** Staff (support, moderator): reinstates a suspended account, audited. */
import { httpHandler } from '#shared/http/handler.ts';
import { staffActionDeps } from '../composition.ts';
import { reinstateAccount as operation } from '../contract.ts';
import { reinstateAccount } from '../use-cases.ts';

const deps = staffActionDeps();

export const handler = httpHandler(operation, async ({ caller, pathParameters, body, requestId }) => ({
  status: 200,
  body: await reinstateAccount(deps, caller!, pathParameters.accountId, body, requestId),
}));
