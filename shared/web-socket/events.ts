/**
 * What API Gateway's WebSocket APIs give a Lambda integration and take back; the local WebSocket
 * gateway (local/web-socket-gateway.ts) builds exactly these. `$connect` carries the upgrade
 * request's headers and query string (clients authenticate with `?token=<ID token>`: browsers
 * cannot set headers on a WebSocket); `$disconnect` the connection only. A `$connect` answer of
 * status 2xx opens the connection; any other status refuses it with that status.
 */
/** What API Gateway tells a function of a connection's source. */
export interface WebSocketIdentity {
  readonly sourceIp: string;
  readonly userAgent?: string;
}

export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'DISCONNECT' | 'MESSAGE';
  readonly extendedRequestId: string;
  readonly requestTime: string;
  readonly messageDirection: 'IN';
  readonly stage: string;
  readonly connectedAt: number;
  readonly requestTimeEpoch: number;
  readonly identity: WebSocketIdentity;
  readonly requestId: string;
  readonly domainName: string;
  readonly connectionId: string;
  readonly apiId: string;
}

/** `$connect`'s event: the upgrade request's headers and query string (null when none). */
export interface WebSocketConnectEvent {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  readonly requestContext: WebSocketRequestContext & { readonly routeKey: '$connect'; readonly eventType: 'CONNECT' };
  readonly isBase64Encoded: false;
}

/** `$disconnect`'s event: API Gateway's own few headers, not the upgrade request's. */
export interface WebSocketDisconnectEvent {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly requestContext: WebSocketRequestContext & {
    readonly routeKey: '$disconnect';
    readonly eventType: 'DISCONNECT';
    readonly disconnectStatusCode: number;
    readonly disconnectReason: string;
  };
  readonly isBase64Encoded: false;
}

/** A client frame's event, for a `$default` route (the route table has none today). */
export interface WebSocketMessageEvent {
  readonly requestContext: WebSocketRequestContext & { readonly eventType: 'MESSAGE'; readonly messageId: string };
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}
