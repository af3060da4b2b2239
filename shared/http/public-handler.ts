/**
 * The wrapper of the HTTP handlers of public routes (./handler-core.ts says what every handler
 * does). A public request has no caller, so there is no activity to announce: the guards are the
 * security table's alone (rate limits per IP, connection records, ./guards.ts), and the bundle of
 * a public function that publishes nothing carries no EventBridge client.
 */
import { once } from '../aws-clients.ts';
import type { Operation } from './contract.ts';
import { type RequestGuards, requestGuards, securityGuardDeps } from './guards.ts';
import { type HttpRequest, type HttpResult, handleHttp } from './handler-core.ts';

const publicGuards = /* @__PURE__ */ once(() => requestGuards(securityGuardDeps()));

/**
 * A public operation's handler. Given an operation that is not public, it fails the function's
 * init: ./handler.ts serves those, with the activity their callers announce.
 */
export function publicHttpHandler<O extends Operation>(
  operation: O,
  run: (request: HttpRequest<O>) => Promise<HttpResult>,
  options: { guards?: () => RequestGuards } = {},
) {
  if (operation.access.kind !== 'public')
    throw new Error(`${operation.operationId} is not public: its handler is httpHandler (shared/http/handler.ts)`);
  return handleHttp(operation, run, options.guards ?? publicGuards);
}
