/**
 * The local stand-in for API Gateway's Cognito user pool authorizer: verifies the ID token's
 * signature against the pool's JWKS, its issuer, audience (app client), token use and expiry,
 * and hands the claims to the handler as API Gateway does (requestContext.authorizer.claims,
 * every value a string). jose is used because aws-jwt-verify refuses an http JWKS URL.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';

export type Claims = Record<string, string>;

export interface Authorizer {
  /** The claims of a valid token, or undefined for a missing, forged, expired or foreign one. */
  verify(authorization: string | undefined): Promise<Claims | undefined>;
}

export function cognitoAuthorizer(options: { issuer: string; jwksUrl: string; clientId: string }): Authorizer {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  return {
    async verify(authorization) {
      const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? authorization;
      if (!token) return undefined;
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.clientId });
        if (payload.token_use !== 'id') return undefined;
        return Object.fromEntries(
          Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
        );
      } catch {
        return undefined;
      }
    },
  };
}
