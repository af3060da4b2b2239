/**
 * Verifies a Cognito ID token where API Gateway cannot: the WebSocket API's `$connect` (API Gateway
 * has no Cognito authorizer for WebSocket APIs). Checks what the REST API's Cognito authorizer
 * checks: the signature against the pool's JWKS (`<issuer>/.well-known/jwks.json`, fetched once and
 * cached by jose), the issuer, the audience (the app client), the token use (`id`) and the expiry.
 * The issuer and app client come from COGNITO_ISSUER and COGNITO_APP_CLIENT_ID (functions with
 * `verifiesTokens` in the catalogue). jose, not aws-jwt-verify: the latter refuses the local
 * cloud's http issuer. Nothing of a token is ever logged.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { parseGroups } from '../http/caller.ts';
import type { Role } from '../http/contract.ts';

export interface VerifiedIdentity {
  readonly userId: string;
  readonly roles: readonly Role[];
}

export interface IdTokenVerifier {
  /** The identity of a valid ID token; undefined for a missing, forged, expired or foreign one. */
  verify(token: string | undefined): Promise<VerifiedIdentity | undefined>;
}

export function cognitoIdTokenVerifier(options: { issuer: string; appClientId: string }): IdTokenVerifier {
  const keys = createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`));
  return {
    async verify(token) {
      if (!token) return undefined;
      try {
        const { payload } = await jwtVerify(token, keys, { issuer: options.issuer, audience: options.appClientId });
        if (payload.token_use !== 'id' || typeof payload.sub !== 'string') return undefined;
        const groups = payload['cognito:groups'];
        return {
          userId: payload.sub,
          roles: parseGroups(
            Array.isArray(groups) ? groups.join(',') : typeof groups === 'string' ? groups : undefined,
          ),
        };
      } catch (error) {
        // An unreachable JWKS is no answer about the token: the caller answers 503, not 401.
        if ((error as Error).name === 'JWKSTimeout' || (error as { code?: string }).code === 'ERR_JWKS_TIMEOUT') {
          throw error;
        }
        return undefined;
      }
    },
  };
}
