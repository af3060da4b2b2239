/**
 * A local cloud started as `npm start` starts it (node local/main.ts, a process of its own) on
 * free ports and a given MPBE_DATA_DIR, for the tests of what survives a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudInfo } from './local-cloud.ts';

const root = join(import.meta.dirname, '..', '..');

export interface CloudProcess {
  readonly child: ChildProcess;
  readonly cloud: CloudInfo;
  /** Ctrl-C, as a developer stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL to the process and every service it started (a crash, a power cut); resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts `npm start`'s process on `dataDir`; `dir` holds its ready file, named after `name`. */
export async function startCloudProcess(dir: string, name: string, dataDir: string): Promise<CloudProcess> {
  const readyFile = join(dir, `${name}.json`);
  const ports = Object.fromEntries(
    ['API', 'AWS', 'DYNAMODB', 'SES', 'COGNITO', 'STRIPE', 'WEBSOCKET'].map((p) => [`MPBE_${p}_PORT`, '0']),
  );
  const child = spawn(process.execPath, [join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, ...ports, MPBE_DATA_DIR: dataDir, MPBE_READY_FILE: readyFile, MPBE_QUIET: '1' },
    stdio: 'ignore',
    // Its own process group: kill() reaches DynamoDB Local's JVM and the other services too.
    detached: true,
  });
  const deadline = Date.now() + 60_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local cloud ${name} did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as Omit<CloudInfo, 'logFile'>;
  return {
    child,
    cloud: { ...ready, logFile: join(dir, `${name}.log`) },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGKILL');
      }),
  };
}
