/**
 * The local gateway's Cognito authorizer against the Cognito emulator: a real ID token passes
 * with its claims; forged, foreign-audience, access and missing tokens get 401 before any handler.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  AdminConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cognitoAuthorizer } from '#local/authorizer.ts';
import { createGateway } from '#local/gateway.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { defineOperation } from '#shared/http/contract.ts';
import { signUpAttributesFor } from '../support/identity.ts';

const cloud = inject('cloud');
const cognito = localCognitoClient(cloud.urls.cognito);
const { userPoolId, clientId } = cloud.cognito;
const issuer = `${cloud.urls.cognito}/${userPoolId}`;
const authorizer = cognitoAuthorizer({ issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, clientId });

async function signIn(email: string, client: string) {
  const password = 'Correct-Horse-9-Battery';
  await cognito.send(
    new SignUpCommand({
      ClientId: client,
      Username: email,
      Password: password,
      UserAttributes: signUpAttributesFor(cloud, email),
    }),
  );
  await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
  const auth = await cognito.send(
    new InitiateAuthCommand({
      ClientId: client,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return auth.AuthenticationResult!;
}

let tokens: { IdToken?: string; AccessToken?: string };
let foreignIdToken: string;
let gatewayUrl = '';
const invoked: unknown[] = [];
const server = createServer(
  createGateway({
    routes: [
      {
        method: 'GET',
        path: '/private',
        operation: defineOperation({
          operationId: 'private',
          summary: 's',
          tags: [],
          access: { kind: 'authenticated' },
          responses: { 200: { description: 'ok' } },
        }),
        function: 'getHealth',
      },
    ],
    // Only the gateway is under test here: a recording function stands in for the Lambda.
    runtime: {
      invoke: async (_name, event) => {
        invoked.push(event);
        return {
          statusCode: 200,
          body: JSON.stringify((event as { requestContext: { authorizer: unknown } }).requestContext.authorizer),
        };
      },
    },
    authorizer,
    account: '000000000000',
    openApi: () => ({}),
  }),
);

beforeAll(async () => {
  const suffix = Date.now();
  tokens = await signIn(`user.${suffix}@example.test`, clientId);
  const other = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `other-${suffix}`,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
    }),
  );
  foreignIdToken = (await signIn(`other.${suffix}@example.test`, other.UserPoolClient!.ClientId!)).IdToken!;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  cognito.destroy();
});

const call = (token?: string) =>
  fetch(`${gatewayUrl}/private`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

describe('local Cognito authorizer', () => {
  it('passes a valid ID token and hands its claims to the handler as strings', async () => {
    const res = await call(tokens.IdToken);
    expect(res.status).toBe(200);
    const { claims } = (await res.json()) as { claims: Record<string, unknown> };
    expect(claims.aud).toBe(clientId);
    expect(claims.token_use).toBe('id');
    expect(Object.values(claims).every((v) => typeof v === 'string')).toBe(true);
  });

  it('refuses missing, forged, foreign-audience and access tokens with 401, before any handler runs', async () => {
    const before = invoked.length;
    const [h, p, s] = tokens.IdToken!.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${s}`;
    const { privateKey } = await generateKeyPair('RS256');
    const selfSigned = await new SignJWT({ token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: JSON.parse(Buffer.from(h!, 'base64url').toString()).kid })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setExpirationTime('1h')
      .sign(privateKey);
    for (const token of [undefined, 'garbage', tampered, selfSigned, foreignIdToken, tokens.AccessToken]) {
      const res = await call(token);
      expect(res.status, String(token).slice(0, 20)).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(invoked.length).toBe(before);
  });

  it('refuses a validly signed token once it has expired', async () => {
    // cognito-local signs with a fixed key it ships; signing with it makes tokens the JWKS accepts.
    const { jwk } = JSON.parse(
      readFileSync(createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json'), 'utf8'),
    );
    const key = await importJWK(jwk, 'RS256');
    const claims = JSON.parse(Buffer.from(tokens.IdToken!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const sign = (exp: number) =>
      new SignJWT({ ...claims, exp }).setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? 'CognitoLocal' }).sign(key);
    const now = Math.floor(Date.now() / 1000);
    expect(await authorizer.verify(`Bearer ${await sign(now + 600)}`)).toBeDefined();
    expect(await authorizer.verify(`Bearer ${await sign(now - 60)}`)).toBeUndefined();
    expect((await call(await sign(now - 60))).status).toBe(401);
  });
});
