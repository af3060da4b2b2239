/**
 * The local cloud's parts for accounts: the Lambda Invoke API of the local AWS endpoint (how
 * cognito-local runs our triggers), the reading of cognito-local's code boxes (the mail bridge),
 * the gate's reading of a sign-in, and the trigger map written into cognito-local's config.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '#local/aws-endpoint.ts';
import { createLocalEventBus } from '#local/event-bus.ts';
import { triggerFunctions } from '#local/services/cognito.ts';
import { passwordSignInUsername, refreshTokenOf } from '#local/services/cognito-gate.ts';
import { type CodeDelivery, readCodeDeliveries, verificationMail } from '#local/services/cognito-mail-bridge.ts';

describe('Lambda Invoke on the local AWS endpoint', () => {
  async function endpoint(invoke: (name: string, event: unknown) => Promise<unknown>) {
    const bus = createLocalEventBus({ busName: 'b', rules: [], invoke: async () => undefined });
    const aws = await startAwsEndpoint({ bus, invoke, log: () => undefined });
    const call = (name: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${aws.url}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    return { call, close: () => aws.close().then(() => bus.close()) };
  }

  it('runs the catalogue function (by name or ARN) and answers its result', async () => {
    const seen: [string, unknown][] = [];
    const { call, close } = await endpoint(async (name, event) => {
      seen.push([name, event]);
      return { ...(event as object), response: { autoConfirmUser: false } };
    });
    try {
      const res = await call('preSignUp', { triggerSource: 'PreSignUp_SignUp' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amz-function-error')).toBeNull();
      expect(await res.json()).toEqual({ triggerSource: 'PreSignUp_SignUp', response: { autoConfirmUser: false } });
      await call('arn:aws:lambda:eu-west-3:000000000000:function:postConfirmation', {});
      expect(seen.map(([name]) => name)).toEqual(['preSignUp', 'postConfirmation']);
    } finally {
      await close();
    }
  });

  it('answers a handler error as Lambda does: 200, X-Amz-Function-Error: Unhandled, the error payload', async () => {
    const { call, close } = await endpoint(async () => {
      const error = new Error('The terms of use in force must be accepted');
      error.name = 'SignUpRefused';
      throw error;
    });
    try {
      const res = await call('preSignUp', {});
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
      expect(await res.json()).toEqual({
        errorType: 'SignUpRefused',
        errorMessage: 'The terms of use in force must be accepted',
      });
    } finally {
      await close();
    }
  });

  it('answers 404 ResourceNotFoundException for a function outside the catalogue', async () => {
    const { call, close } = await endpoint(async () => undefined);
    try {
      const res = await call('rm-rf', {});
      expect(res.status).toBe(404);
      expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    } finally {
      await close();
    }
  });
});

describe('cognito-local configuration', () => {
  it('names the catalogue functions that declare themselves pool triggers', () => {
    expect(triggerFunctions()).toEqual({ PreSignUp: 'preSignUp', PostConfirmation: 'postConfirmation' });
  });
});

describe('mail bridge: the code boxes cognito-local prints', () => {
  const box = [
    '[1795733898091] \u001b[32mINFO\u001b[39m: \u001b[36m0ef13588 SignUp ╭──────────────────────────────╮',
    '│                                                       │',
    '│   Confirmation Code Delivery                          │',
    '│                                                       │',
    '│   Username:    fce8f48d-443c-40f7-941a-92702695c0ad   │',
    '│   Destination: a@example.test                         │',
    '│   Code:        606578                                 │',
    '│                                                       │',
    '╰──────────────────────────────╯\u001b[39m \u001b[90m{"reqId":"0ef13588","target":"SignUp"}\u001b[39m',
    '[1795733898125] \u001b[32mINFO\u001b[39m: \u001b[36mNONE NONE something else\u001b[39m',
  ].join('\n');

  it('reads each complete box, even across chunks, with the operation that sent it', () => {
    const stream = new PassThrough();
    const found: CodeDelivery[] = [];
    const stop = readCodeDeliveries(stream, (d) => found.push(d));
    const text = `${box}\n${box.replace('606578', '123456').replace(/"SignUp"/, '"AdminUpdateUserAttributes"')}\n`;
    for (let i = 0; i < text.length; i += 37) stream.write(text.slice(i, i + 37));
    stop();
    expect(found).toEqual([
      {
        target: 'SignUp',
        username: 'fce8f48d-443c-40f7-941a-92702695c0ad',
        destination: 'a@example.test',
        code: '606578',
      },
      {
        target: 'AdminUpdateUserAttributes',
        username: 'fce8f48d-443c-40f7-941a-92702695c0ad',
        destination: 'a@example.test',
        code: '123456',
      },
    ]);
  });

  it('sends the French verification email of the user pool', () => {
    expect(verificationMail('606578')).toEqual({
      subject: 'Mon Pro du Bien-Être : votre code de vérification',
      text: expect.stringContaining('Votre code de vérification Mon Pro du Bien-Être est 606578.'),
    });
  });
});

describe('Cognito gate: which requests sign a user in with a password', () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  const initiate = 'AWSCognitoIdentityProviderService.InitiateAuth';

  it('names the user of a password sign-in', () => {
    const signIn = { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'a@example.test', PASSWORD: 'x' } };
    expect(passwordSignInUsername(initiate, body(signIn))).toBe('a@example.test');
    expect(passwordSignInUsername('AWSCognitoIdentityProviderService.AdminInitiateAuth', body(signIn))).toBe(
      'a@example.test',
    );
  });

  it('lets every other request through', () => {
    const refresh = { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: 't' } };
    expect(passwordSignInUsername(initiate, body(refresh))).toBeUndefined();
    expect(passwordSignInUsername('AWSCognitoIdentityProviderService.SignUp', body({ Username: 'a' }))).toBeUndefined();
    expect(passwordSignInUsername(initiate, Buffer.from('not json'))).toBeUndefined();
    expect(passwordSignInUsername(undefined, body({}))).toBeUndefined();
  });
});

describe('Cognito gate: which user and issue time a refresh names', () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  const initiate = 'AWSCognitoIdentityProviderService.InitiateAuth';
  // cognito-local's refresh tokens are JWTs; the gate reads their claims (cognito-local checks the signature).
  const jwt = (claims: unknown) =>
    ['{"alg":"RS256"}', JSON.stringify(claims), 'signature']
      .map((part) => Buffer.from(part).toString('base64url'))
      .join('.');
  const refresh = (token: string, AuthFlow = 'REFRESH_TOKEN_AUTH') =>
    body({ AuthFlow, AuthParameters: { REFRESH_TOKEN: token } });

  it('names the user and the issue time of a refresh, in both flows', () => {
    const token = jwt({ 'cognito:username': 'u-1', iat: 1_790_000_000, jti: 'x' });
    expect(refreshTokenOf(initiate, refresh(token))).toEqual({ username: 'u-1', issuedAt: 1_790_000_000 });
    expect(
      refreshTokenOf('AWSCognitoIdentityProviderService.AdminInitiateAuth', refresh(token, 'REFRESH_TOKEN')),
    ).toEqual({
      username: 'u-1',
      issuedAt: 1_790_000_000,
    });
  });

  it('names nothing for a password sign-in, another request, or a token it cannot read', () => {
    const signIn = { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'a@example.test', PASSWORD: 'x' } };
    expect(refreshTokenOf(initiate, body(signIn))).toBeUndefined();
    expect(
      refreshTokenOf('AWSCognitoIdentityProviderService.SignUp', refresh(jwt({ 'cognito:username': 'u', iat: 1 }))),
    ).toBeUndefined();
    expect(refreshTokenOf(initiate, refresh('not-a-jwt'))).toBeUndefined();
    expect(refreshTokenOf(initiate, refresh(jwt({ iat: 1 })))).toBeUndefined();
    expect(refreshTokenOf(initiate, Buffer.from('not json'))).toBeUndefined();
  });
});
