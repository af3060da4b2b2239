/**
 * Global setup of the integration and end-to-end tests: starts the local cloud exactly as
 * `npm start` does (node local/main.ts, a separate process) on free ports, and hands its URLs to
 * the tests. Its log output is kept in a file so tests can check that no personal data was logged.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export interface CloudInfo {
  urls: Record<
    | 'api'
    | 'openApi'
    | 'docs'
    | 'mailViewer'
    | 'mailStore'
    | 'dynamodb'
    | 'cognito'
    | 'stripe'
    | 'aws'
    | 'iam'
    | 'webSocket',
    string
  >;
  cognito: { userPoolId: string; clientId: string };
  env: Record<string, string>;
  logFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudInfo;
  }
}

const root = join(import.meta.dirname, '..', '..');

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'mpbe-test-cloud-'));
  const readyFile = join(dir, 'ready.json');
  const logFile = join(dir, 'local-cloud.log');
  const out = openSync(logFile, 'a');
  const ports = Object.fromEntries(
    ['API', 'AWS', 'DYNAMODB', 'SES', 'COGNITO', 'STRIPE', 'WEBSOCKET'].map((p) => [`MPBE_${p}_PORT`, '0']),
  );
  const child = spawn(process.execPath, [join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, ...ports, MPBE_READY_FILE: readyFile, POWERTOOLS_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', out, out],
  });
  const deadline = Date.now() + 60_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local cloud did not start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(readFileSync(readyFile, 'utf8')) as Omit<CloudInfo, 'logFile'>;
  project.provide('cloud', { ...info, logFile });

  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    // A call a function's catalogue entry does not grant fails in AWS, and so does a function
    // whose init fails or whose instance crashes; a stream read that errs or loses records is a
    // local cloud failing. The run fails with any of them, even when the test that caused it
    // tolerated the error: a normal run prints none of these lines.
    const failures = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => /access denied:|init failed:|instance crashed:|^\[local\] stream \S+: /.test(line));
    rmSync(dir, { recursive: true, force: true });
    if (failures.length > 0) throw new Error(`The local cloud logged failures during the run:\n${failures.join('\n')}`);
  };
}
