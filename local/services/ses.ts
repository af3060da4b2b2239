/**
 * The SES emulator (aws-ses-v2-local), in process: answers SES v1 and v2 SendEmail, keeps the
 * mail in memory, shows it on its web page and returns it as JSON at GET /store. SES v1's sends
 * know the account's configuration sets (the newsletter's): one naming another is refused, as SES
 * refuses it, and a stored mail says which set it named.
 *
 * It can be stopped and started again on the same port (`pause`, `resume`; the local control
 * `POST /_local/services/ses/stop|start` of local/aws-endpoint.ts): an SES outage, during which
 * every call is refused as by an unreachable service, to see what the backend does with mail it
 * cannot send (docs/runbooks/dead-letters.md). The mail received before is kept across it.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

// A CommonJS module with __esModule: Node's default import is its module.exports (vitest's
// interop gives the function itself).
type StartEmulator = typeof sesModule.default;
const loaded = sesModule as unknown as StartEmulator | { default: StartEmulator };
const startEmulator: StartEmulator = typeof loaded === 'function' ? loaded : loaded.default;

/** The header lines a raw message's own headers add that the mail store keeps (as SES v2's custom headers). */
const KEPT_HEADERS = ['list-unsubscribe', 'list-unsubscribe-post', 'list-id'];

/** The header section of a raw message, unfolded: `[name, value]` of the headers kept. */
export function keptHeaderLines(raw: string): { name: string; value: string }[] {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .flatMap((line) => {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      return colon > 0 && KEPT_HEADERS.includes(name.toLowerCase())
        ? [{ name, value: line.slice(colon + 1).trim() }]
        : [];
    });
}

type Answer = { status(code: number): Answer; type(contentType: string): Answer; send(body: unknown): unknown };
type Handler = (req: { body: Record<string, string> }, res: Answer, next: unknown) => unknown;
type Stored = { messageId: string; headers?: { name: string; value: string }[]; configurationSet?: string };
type SendModule = { default: Handler; wrapped?: boolean; configurationSets?: Set<string> };
// The modules' CommonJS exports themselves, the objects the emulator's router and handlers read
// (shared by every load of this file in a process, so is the state kept on them).
const requireCjs = createRequire(import.meta.url);
const sendModules = {
  SendEmail: requireCjs('aws-ses-v2-local/dist/v1/sendEmail.js') as SendModule,
  SendRawEmail: requireCjs('aws-ses-v2-local/dist/v1/sendRawEmail.js') as SendModule,
};
const store = requireCjs('aws-ses-v2-local/dist/store.js') as { getStoreReadonly(): { emails: Stored[] } };

/** The configuration sets this SES has (the local cloud's: the newsletter's), whichever emulator started them. */
function knownConfigurationSets(): Set<string> {
  sendModules.SendEmail.configurationSets ??= new Set();
  return sendModules.SendEmail.configurationSets;
}

/** SES v1's answer to a send naming a configuration set the account does not have. */
export function configurationSetDoesNotExist(name: string): string {
  const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>ConfigurationSetDoesNotExist</Code><Message>Configuration set &lt;${escaped}&gt; does not exist.</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/**
 * The emulator's SES v1 SendEmail and SendRawEmail, wrapped (their modules' exports, which its
 * router reads at each call):
 * - a send naming a configuration set SES does not have is refused as SES refuses it (400
 *   `ConfigurationSetDoesNotExist`), where the emulator accepted any name;
 * - a stored mail keeps the configuration set it named (`configurationSet`), for the tests of the
 *   newsletter's mails;
 * - a stored raw message keeps its List-Unsubscribe headers too, as SES v2's custom headers are
 *   kept (the emulator keeps a raw message's body but drops its headers).
 */
function wrapSendHandlers(): void {
  for (const [action, module] of Object.entries(sendModules)) {
    if (module.wrapped) continue;
    const original = module.default;
    module.default = (req, res, next) => {
      const body = req.body ?? {};
      const configurationSet = body.ConfigurationSetName;
      if (configurationSet !== undefined && !knownConfigurationSets().has(configurationSet)) {
        res.status(400).type('text/xml').send(configurationSetDoesNotExist(configurationSet));
        return;
      }
      const data = body['RawMessage.Data'];
      const headers =
        action === 'SendRawEmail' && typeof data === 'string'
          ? keptHeaderLines(Buffer.from(data, 'base64').toString('utf8'))
          : [];
      const send = res.send.bind(res);
      res.send = (answer: unknown) => {
        const messageId = typeof answer === 'string' ? /<MessageId>([^<]+)<\/MessageId>/.exec(answer)?.[1] : undefined;
        const stored = messageId ? store.getStoreReadonly().emails.find((e) => e.messageId === messageId) : undefined;
        if (stored && headers.length > 0) stored.headers = headers;
        if (stored && configurationSet) stored.configurationSet = configurationSet;
        return send(answer);
      };
      return original(req, res, next);
    };
    module.wrapped = true;
  }
}

export interface SesLocal {
  readonly endpoint: string;
  /** Whether the emulator answers now. */
  readonly running: boolean;
  /** Stops answering (connections refused); the mail store is kept. */
  pause(): Promise<void>;
  /** Answers again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

export async function startSesLocal(options: {
  port: number;
  /** The configuration sets the account has (a send naming another is refused). */
  configurationSets?: readonly string[];
}): Promise<SesLocal> {
  wrapSendHandlers();
  for (const name of options.configurationSets ?? []) knownConfigurationSets().add(name);
  let server: Server | undefined = await startEmulator({ host: '127.0.0.1', port: options.port });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get running() {
      return server !== undefined;
    },
    async pause() {
      const current = server;
      server = undefined;
      if (current) await close(current);
    },
    async resume() {
      // The emulator's store is module state: a new server shows the mail received before.
      server ??= await startEmulator({ host: '127.0.0.1', port });
    },
    async stop() {
      const current = server;
      server = undefined;
      if (current) await close(current);
    },
  };
}
