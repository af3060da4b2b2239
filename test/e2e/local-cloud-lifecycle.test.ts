/**
 * `npm start`'s promises about itself: data kept in MPBE_DATA_DIR survives a restart, and Ctrl-C
 * (SIGINT) stops every service it started, freeing their ports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mpbe-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ready {
  urls: Record<string, string>;
  cognito: { userPoolId: string };
}

async function start(name: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const readyFile = join(dir, `${name}.json`);
  const ports = Object.fromEntries(
    ['API', 'AWS', 'DYNAMODB', 'SES', 'COGNITO', 'STRIPE'].map((p) => [`MPBE_${p}_PORT`, '0']),
  );
  const child = spawn(process.execPath, [join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, ...ports, MPBE_DATA_DIR: join(dir, 'data'), MPBE_READY_FILE: readyFile, MPBE_QUIET: '1' },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 60_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`local cloud ${name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, ready: JSON.parse(readFileSync(readyFile, 'utf8')) as Ready };
}

const listening = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('the local cloud process', () => {
  it('keeps data between runs in MPBE_DATA_DIR and frees every port on Ctrl-C', { timeout: 120_000 }, async () => {
    const first = await start('first');
    const res = await fetch(`${first.ready.urls.api}/contact`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Persist',
        email: 'p@example.test',
        subject: 'Persist',
        message: 'Persisted between runs',
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    first.child.kill('SIGINT');
    const code = await new Promise((r) => first.child.once('exit', r));
    expect(code).toBe(0);
    for (const key of ['api', 'dynamodb', 'cognito', 'mailViewer', 'stripe', 'aws', 'iam']) {
      expect(await listening(first.ready.urls[key]!), key).toBe(false);
    }

    const second = await start('second');
    try {
      expect(second.ready.cognito.userPoolId).toBe(first.ready.cognito.userPoolId);
      const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
      const db = new DynamoDBClient({
        endpoint: second.ready.urls.dynamodb,
        region: 'eu-west-3',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      const item = await db.send(
        new GetItemCommand({
          TableName: 'mpbe-local-contact',
          Key: { pk: { S: `CONTACT#${id}` }, sk: { S: 'REQUEST' } },
        }),
      );
      db.destroy();
      expect(item.Item?.subject?.S).toBe('Persist');
    } finally {
      second.child.kill('SIGINT');
      await new Promise((r) => second.child.once('exit', r));
    }
  });
});
