/**
 * A thin HTTP proxy in front of cognito-local that fills the gaps between it and Cognito:
 * - a disabled user's sign-in is refused, as Cognito does (400 NotAuthorizedException "User is
 *   disabled."): cognito-local records AdminDisableUser but still signs the user in (a
 *   limitation its README lists). Password flows name the user; a refresh names it in its token
 *   (cognito-local's refresh tokens are JWTs carrying `cognito:username` and `iat`), so a
 *   disabled user's refresh is refused too;
 * - AdminUserGlobalSignOut, which cognito-local lacks: the gate notes when the user was signed out
 *   (kept in `signOutsFile` when given, so across restarts on a data folder) and refuses every
 *   refresh token issued before ("Refresh Token has been revoked"), as Cognito does. `iat` is in
 *   seconds, so a token issued in the sign-out's second counts as issued before it; a password
 *   sign-in that comes in that same second is held until the next one, so the token it gets is
 *   always later than the sign-out (in Cognito a sign-in after a sign-out always gets a live token).
 *   ID and access tokens stay valid until they expire, in Cognito as here;
 * - a sign-up confirmed with the emailed code has a verified email (email_verified=true), as in
 *   Cognito: cognito-local leaves it false.
 * Everything else is forwarded untouched.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CognitoGate {
  readonly url: string;
  close(): Promise<void>;
}

const AUTH_TARGETS = new Set([
  'AWSCognitoIdentityProviderService.InitiateAuth',
  'AWSCognitoIdentityProviderService.AdminInitiateAuth',
]);
const PASSWORD_FLOWS = new Set([
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_SRP_AUTH',
]);

const REFRESH_FLOWS = new Set(['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']);

const CONFIRM_SIGN_UP = 'AWSCognitoIdentityProviderService.ConfirmSignUp';
const GLOBAL_SIGN_OUT = 'AWSCognitoIdentityProviderService.AdminUserGlobalSignOut';

function usernameOf(body: Buffer): string | undefined {
  try {
    return (JSON.parse(body.toString('utf8')) as { Username?: string }).Username || undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The username a password sign-in names, or undefined for any other request. */
export function passwordSignInUsername(target: string | undefined, body: Buffer): string | undefined {
  if (!target || !AUTH_TARGETS.has(target)) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { AuthFlow?: string; AuthParameters?: Record<string, string> };
    if (!parsed.AuthFlow || !PASSWORD_FLOWS.has(parsed.AuthFlow)) return undefined;
    return parsed.AuthParameters?.USERNAME || undefined;
  } catch {
    return undefined;
  }
}

/** The user and issue time (epoch seconds) a refresh names, or undefined for any other request. */
export function refreshTokenOf(
  target: string | undefined,
  body: Buffer,
): { username: string; issuedAt: number } | undefined {
  if (!target || !AUTH_TARGETS.has(target)) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { AuthFlow?: string; AuthParameters?: Record<string, string> };
    if (!parsed.AuthFlow || !REFRESH_FLOWS.has(parsed.AuthFlow)) return undefined;
    const payload = parsed.AuthParameters?.REFRESH_TOKEN?.split('.')[1];
    if (!payload) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const username = claims['cognito:username'];
    const issuedAt = claims.iat;
    if (typeof username !== 'string' || typeof issuedAt !== 'number') return undefined;
    return { username, issuedAt };
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, type: string | undefined, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    ...(type ? { 'x-amzn-errortype': type } : {}),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

const refuse = (res: ServerResponse, type: string, message: string) =>
  answer(res, 400, type, { __type: type, message });

/** When each user was signed out everywhere (epoch ms), by username; persisted in `file` when given. */
function signOutLedger(file: string | undefined) {
  const at = new Map<string, number>(
    file && existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : [],
  );
  return {
    get: (username: string) => at.get(username),
    record(username: string, when: number) {
      at.set(username, when);
      if (file) writeFileSync(file, JSON.stringify(Object.fromEntries(at)));
    },
  };
}

/** Resolves once the clock is in a later epoch second than `epochMs` (at once when it already is). */
async function untilSecondAfter(epochMs: number): Promise<void> {
  const wait = (Math.floor(epochMs / 1000) + 1) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

export async function startCognitoGate(options: {
  port: number;
  host?: string;
  /** cognito-local's own port (on 127.0.0.1). */
  upstreamPort: number;
  /** The pool's user a sign-in or refresh names (by username, sub or email), or undefined. */
  userOf: (name: string) => Promise<{ username: string; enabled: boolean } | undefined>;
  /**
   * The pool's user named by `username` (its username, sub or email), as cognito-local knows it:
   * its username, or undefined when the pool has no such user. For AdminUserGlobalSignOut.
   */
  userNamed: (userPoolId: string, username: string) => Promise<string | undefined>;
  /** Where the global sign-outs are kept between runs (a data folder's file); in memory when absent. */
  signOutsFile?: string;
  /** After a successful ConfirmSignUp of this username, before the answer goes back. */
  confirmed: (username: string) => Promise<void>;
}): Promise<CognitoGate> {
  const host = options.host ?? '127.0.0.1';
  const signOuts = signOutLedger(options.signOutsFile);

  /** AdminUserGlobalSignOut, answered here (cognito-local lacks it): the user's refresh tokens die. */
  const globalSignOut = async (res: ServerResponse, body: Buffer) => {
    let request: { UserPoolId?: string; Username?: string };
    try {
      request = JSON.parse(body.toString('utf8')) as typeof request;
    } catch {
      refuse(res, 'SerializationException', 'Malformed request body.');
      return;
    }
    if (!request.UserPoolId || !request.Username) {
      refuse(res, 'InvalidParameterException', 'UserPoolId and Username are required.');
      return;
    }
    const username = await options.userNamed(request.UserPoolId, request.Username);
    if (!username) {
      refuse(res, 'UserNotFoundException', 'User does not exist.');
      return;
    }
    signOuts.record(username, Date.now());
    answer(res, 200, undefined, {});
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, afterSuccess?: () => Promise<void>) => {
    const upstream = request(
      { host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const done = status === 200 && afterSuccess ? afterSuccess().catch(() => undefined) : Promise.resolve();
        void done.then(() => {
          res.writeHead(status, answer.headers);
          answer.pipe(res);
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const header = req.headers['x-amz-target'];
        const target = typeof header === 'string' ? header : undefined;
        if (target === GLOBAL_SIGN_OUT) {
          await globalSignOut(res, body);
          return;
        }
        const refresh = refreshTokenOf(target, body);
        const signingIn = passwordSignInUsername(target, body);
        const username = signingIn ?? refresh?.username;
        const user = username ? await options.userOf(username).catch(() => undefined) : undefined;
        if (user && !user.enabled) {
          refuse(res, 'NotAuthorizedException', 'User is disabled.');
          return;
        }
        const signedOutAt = refresh ? signOuts.get(refresh.username) : undefined;
        if (refresh && signedOutAt !== undefined && refresh.issuedAt <= Math.floor(signedOutAt / 1000)) {
          refuse(res, 'NotAuthorizedException', 'Refresh Token has been revoked');
          return;
        }
        const lastSignOut = signingIn && user ? signOuts.get(user.username) : undefined;
        if (lastSignOut !== undefined) await untilSecondAfter(lastSignOut);
        const confirmed = target === CONFIRM_SIGN_UP ? usernameOf(body) : undefined;
        forward(req, res, body, confirmed ? () => options.confirmed(confirmed) : undefined);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
