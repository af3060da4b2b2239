/**
 * What API Gateway's WebSocket APIs give a Lambda integration and take back (the local WebSocket
 * gateway, local/web-socket-gateway.ts, sends the same): `$connect` carries the upgrade request's
 * headers and query string (clients authenticate with `?token=<ID token>`: browsers cannot set
 * headers on a WebSocket); `$disconnect` the connection only. A `$connect` answer of status 2xx
 * opens the connection; any other status refuses it with that status.
 */
export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'DISCONNECT' | 'MESSAGE';
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly requestId: string;
  readonly stage: string;
  readonly apiId: string;
  readonly domainName: string;
  readonly identity?: { readonly sourceIp?: string; readonly userAgent?: string };
}

export interface WebSocketConnectEvent {
  readonly requestContext: WebSocketRequestContext;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
}

export interface WebSocketDisconnectEvent {
  readonly requestContext: WebSocketRequestContext;
}

export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}
