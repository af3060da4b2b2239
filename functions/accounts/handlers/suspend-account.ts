/** Staff (support, moderator): suspends a client's or practitioner's account, audited. */
import { httpHandler } from '#shared/http/handler.ts';
import { staffActionDeps } from '../composition.ts';
import { suspendAccount as operation } from '../contract.ts';
import { suspendAccount } from '../use-cases.ts';

const deps = staffActionDeps();

export const handler = httpHandler(operation, async ({ caller, pathParameters, body, requestId }) => ({
  status: 200,
  body: await suspendAccount(deps, caller!, pathParameters.accountId, body, requestId),
}));
