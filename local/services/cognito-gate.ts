/**
 * A thin HTTP proxy in front of cognito-local that fills two gaps between it and Cognito:
 * - a disabled user's sign-in is refused, as Cognito does (400 NotAuthorizedException "User is
 *   disabled."): cognito-local records AdminDisableUser but still signs the user in (a
 *   limitation its README lists). Only password flows name a user to check; a refresh token of a
 *   disabled user still works here (in Cognito, disabling revokes it);
 * - a sign-up confirmed with the emailed code has a verified email (email_verified=true), as in
 *   Cognito: cognito-local leaves it false.
 * Everything else is forwarded untouched.
 */
import { randomUUID } from 'node:crypto';
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

const CONFIRM_SIGN_UP = 'AWSCognitoIdentityProviderService.ConfirmSignUp';

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

export async function startCognitoGate(options: {
  port: number;
  host?: string;
  /** cognito-local's own port (on 127.0.0.1). */
  upstreamPort: number;
  isDisabled: (username: string) => Promise<boolean>;
  /** After a successful ConfirmSignUp of this username, before the answer goes back. */
  confirmed: (username: string) => Promise<void>;
}): Promise<CognitoGate> {
  const host = options.host ?? '127.0.0.1';

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
        const target = req.headers['x-amz-target'];
        const username = passwordSignInUsername(typeof target === 'string' ? target : undefined, body);
        if (username && (await options.isDisabled(username).catch(() => false))) {
          const text = JSON.stringify({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
          res.writeHead(400, {
            'content-type': 'application/x-amz-json-1.1',
            'content-length': Buffer.byteLength(text),
            'x-amzn-errortype': 'NotAuthorizedException',
            'x-amzn-requestid': randomUUID(),
          });
          res.end(text);
          return;
        }
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
