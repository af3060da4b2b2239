/**
 * The WebSocket API's route table: each API Gateway route key and the function behind it. The
 * CDK app (infra/constructs/web-socket-api.ts) and the local WebSocket gateway
 * (local/web-socket-gateway.ts) are both built from it, like the REST API from ./routes.ts.
 *
 * Clients only listen: the server pushes (the messaging context's `pushMessage`, through the
 * management API). A frame a client sends matches no route: API Gateway answers it with a
 * `Forbidden` message, and so does the local gateway.
 */
import type { FunctionName } from './catalogue.ts';

/** `$connect` decides whether the connection opens (a 2xx answer); `$disconnect` is told it closed. */
export type WebSocketRouteKey = '$connect' | '$disconnect';

export interface WebSocketRoute<F extends string = string> {
  readonly routeKey: WebSocketRouteKey;
  readonly function: F;
}

export const webSocketRoutes: readonly WebSocketRoute<FunctionName>[] = [
  { routeKey: '$connect', function: 'connectSocket' },
  { routeKey: '$disconnect', function: 'disconnectSocket' },
];
