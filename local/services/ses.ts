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
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

// A CommonJS module with __esModule: Node's default import is its module.exports (vitest's
// interop gives the function itself).
type StartEmulator = typeof sesModule.default;
const loaded = sesModule as unknown as StartEmulator | { default: StartEmulator };
const startEmulator: StartEmulator = typeof loaded === 'function' ? loaded : loaded.default;

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
