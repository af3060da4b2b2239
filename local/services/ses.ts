/**
 * The SES emulator (aws-ses-v2-local), in process: answers SES v1 and v2 SendEmail, keeps the
 * mail in memory, shows it on its web page and returns it as JSON at GET /store.
 */
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

// A CommonJS module with __esModule: Node's default import is its module.exports.
const startEmulator = sesModule.default;

export interface SesLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startSesLocal(options: { port: number }): Promise<SesLocal> {
  const server = await startEmulator({ host: '127.0.0.1', port: options.port });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
