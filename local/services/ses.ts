/**
 * The SES emulator (aws-ses-v2-local), in process: answers SES v1 and v2 SendEmail, keeps the
 * mail in memory, shows it on its web page and returns it as JSON at GET /store.
 *
 * It can be stopped and started again on the same port (`pause`, `resume`; the local control
 * `POST /_local/services/ses/stop|start` of local/aws-endpoint.ts): an SES outage, during which
 * every call is refused as by an unreachable service, to see what the backend does with mail it
 * cannot send (docs/runbooks/dead-letters.md). The mail received before is kept across it.
 */
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

type Handler = (req: { body: Record<string, string> }, res: { send(body: unknown): unknown }, next: unknown) => unknown;
type Stored = { messageId: string; headers?: { name: string; value: string }[] };
// The modules' CommonJS exports themselves, the objects the emulator's router and handlers read.
const requireCjs = createRequire(import.meta.url);
const rawEmail = requireCjs('aws-ses-v2-local/dist/v1/sendRawEmail.js') as { default: Handler; keepsHeaders?: boolean };
const store = requireCjs('aws-ses-v2-local/dist/store.js') as { getStoreReadonly(): { emails: Stored[] } };

/**
 * The emulator's SES v1 SendRawEmail keeps a raw message's body but drops its headers, where SES
 * v2's custom headers are kept: wrapped (its module's export, which its router reads at each call)
 * so that a stored raw message keeps its List-Unsubscribe headers too, for the newsletter's tests.
 */
function keepRawMessageHeaders(): void {
  if (rawEmail.keepsHeaders) return;
  const original = rawEmail.default;
  rawEmail.default = (req, res, next) => {
    const data = req.body?.['RawMessage.Data'];
    const headers = typeof data === 'string' ? keptHeaderLines(Buffer.from(data, 'base64').toString('utf8')) : [];
    const send = res.send.bind(res);
    res.send = (body: unknown) => {
      const messageId = typeof body === 'string' ? /<MessageId>([^<]+)<\/MessageId>/.exec(body)?.[1] : undefined;
      const stored = messageId ? store.getStoreReadonly().emails.find((e) => e.messageId === messageId) : undefined;
      if (stored && headers.length > 0) stored.headers = headers;
      return send(body);
    };
    return original(req, res, next);
  };
  rawEmail.keepsHeaders = true;
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

export async function startSesLocal(options: { port: number }): Promise<SesLocal> {
  keepRawMessageHeaders();
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
