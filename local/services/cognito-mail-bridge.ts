/**
 * cognito-local prints the codes Cognito would email (sign-up, email change, forgotten password)
 * in a box on its console instead of sending them. This bridge reads those boxes from its
 * stdout and sends each code as the French email our user pool sends in AWS
 * (functions/accounts/contract.ts, `verificationEmail`), through the SES emulator: the mail
 * viewer shows them like real Cognito emails, and tests read the codes from GET /store.
 *
 * cognito-local addresses the code of an email change to the former address; Cognito sends it to
 * the new one, so for attribute updates the bridge looks up the user's current email.
 */
import type { Readable } from 'node:stream';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { verificationEmail } from '#functions/accounts/contract.ts';

export interface CodeDelivery {
  /** The Cognito operation that sent it: SignUp, AdminUpdateUserAttributes, ForgotPassword… */
  readonly target: string;
  readonly username: string;
  readonly destination: string;
  readonly code: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are control sequences
const ANSI = /\u001b\[[0-9;]*m/g;
const FIELD = /│\s*(Username|Destination|Code):\s*(\S+)\s*│/;
const TARGET = /"target":"(\w+)"/;

/** Reads code boxes from a console stream; calls `onDelivery` for each complete box. */
export function readCodeDeliveries(stream: Readable, onDelivery: (delivery: CodeDelivery) => void): () => void {
  let pending = '';
  let box: Record<string, string> | undefined;
  const onLine = (raw: string) => {
    const line = raw.replace(ANSI, '');
    if (line.includes('╭')) box = {};
    const field = FIELD.exec(line);
    if (box && field) box[field[1] as string] = field[2] as string;
    if (box && line.includes('╰')) {
      const { Username, Destination, Code } = box;
      box = undefined;
      if (Username && Destination && Code) {
        onDelivery({
          target: TARGET.exec(line)?.[1] ?? 'unknown',
          username: Username,
          destination: Destination,
          code: Code,
        });
      }
    }
  };
  const onData = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  stream.on('data', onData);
  return () => stream.off('data', onData);
}

/** The verification email our pool sends, for one code. */
export function verificationMail(code: string) {
  return { subject: verificationEmail.subject, text: verificationEmail.body.replace('{####}', code) };
}

export interface CognitoMailBridge {
  /** Sends one delivery as an email (also used directly by tests). */
  deliver(delivery: CodeDelivery): Promise<void>;
  stop(): Promise<void>;
}

export function startCognitoMailBridge(options: {
  /** Subscribes to cognito-local's code deliveries; returns the unsubscribe. */
  subscribe: (onDelivery: (delivery: CodeDelivery) => void) => () => void;
  sesEndpoint: string;
  from: string;
  region: string;
  /** The user's current email, for attribute updates (cognito-local names the former address). */
  currentEmail: (username: string) => Promise<string | undefined>;
  log?: (line: string) => void;
}): CognitoMailBridge {
  const log = options.log ?? (() => undefined);
  const ses = new SESClient({
    endpoint: options.sesEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const inFlight = new Set<Promise<void>>();

  const deliver = async (delivery: CodeDelivery) => {
    const attributeUpdate = /UpdateUserAttributes|VerifyUserAttribute|GetUserAttributeVerificationCode/.test(
      delivery.target,
    );
    const to = attributeUpdate
      ? ((await options.currentEmail(delivery.username)) ?? delivery.destination)
      : delivery.destination;
    if (!to.includes('@')) return; // an SMS destination: not emailed
    const mail = verificationMail(delivery.code);
    await ses.send(
      new SendEmailCommand({
        Source: options.from,
        Destination: { ToAddresses: [to] },
        Message: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
        },
      }),
    );
  };

  const unsubscribe = options.subscribe((delivery) => {
    const sending = deliver(delivery)
      .catch((error: Error) => log(`cognito mail bridge: ${delivery.target} code not emailed (${error.name})`))
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  });

  return {
    deliver,
    async stop() {
      unsubscribe();
      await Promise.allSettled([...inFlight]);
      ses.destroy();
    },
  };
}
