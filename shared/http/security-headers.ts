/**
 * The headers every answer of the API carries, whoever makes it: the shared handler
 * (./handler.ts), API Gateway's own answers (GatewayResponses and the CORS preflight,
 * infra/constructs/api.ts) and the local gateway (local/gateway.ts). One definition, so the three
 * cannot drift.
 *
 * - `Cache-Control: no-store`: answers are personal or must be fresh; the public reads that may be
 *   kept say so themselves (`Operation.publicCache`, which replaces this value on their 200).
 * - `X-Content-Type-Options: nosniff`: a browser never guesses another type than the one sent.
 * - `Strict-Transport-Security`: two years, subdomains included (the API is served over TLS only).
 */
export const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
} as const satisfies Record<string, string>;
