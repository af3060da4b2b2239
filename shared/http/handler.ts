/**
 * The wrapper of the HTTP handlers of signed-in routes (./handler-core.ts says what every handler
 * does): its guards also announce a signed-in caller's activity on the bus (./guards.ts). Public
 * routes use ./public-handler.ts, whose bundles carry no EventBridge client.
 */
import { eventBridgeClient, once } from '../aws-clients.ts';
import { systemClock } from '../clock.ts';
import { requiredEnv } from '../config.ts';
import { eventBridgePublisher } from '../events/publisher.ts';
import type { Operation } from './contract.ts';
import { type RequestGuards, requestGuards, securityGuardDeps } from './guards.ts';
import { type HttpRequest, type HttpResult, handleHttp } from './handler-core.ts';

export type { HttpRequest, HttpResult, JsonResult, RawResult } from './handler-core.ts';

/** The guards of a deployed function, from its environment (TABLE_SECURITY, EVENT_BUS_NAME). */
const defaultGuards = /* @__PURE__ */ once(() =>
  requestGuards({
    ...securityGuardDeps(),
    events: once(() =>
      eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock }),
    ),
  }),
);

export function httpHandler<O extends Operation>(
  operation: O,
  run: (request: HttpRequest<O>) => Promise<HttpResult>,
  options: { guards?: () => RequestGuards } = {},
) {
  return handleHttp(operation, run, options.guards ?? defaultGuards);
}
