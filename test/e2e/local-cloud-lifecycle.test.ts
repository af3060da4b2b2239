/**
 * `npm start`'s promises about itself: data kept in MPBE_DATA_DIR survives a restart, and Ctrl-C
 * (SIGINT) stops every service it started, freeing their ports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCloudProcess } from '../support/cloud-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'mpbe-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    const first = await startCloudProcess(dir, 'first', join(dir, 'data'));
    const res = await fetch(`${first.cloud.urls.api}/contact`, {
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

    expect(await first.stop()).toBe(0);
    for (const key of ['api', 'dynamodb', 'cognito', 'mailViewer', 'stripe', 'aws', 'iam']) {
      expect(await listening((first.cloud.urls as Record<string, string>)[key]!), key).toBe(false);
    }

    const second = await startCloudProcess(dir, 'second', join(dir, 'data'));
    try {
      expect(second.cloud.cognito.userPoolId).toBe(first.cloud.cognito.userPoolId);
      const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
      const db = new DynamoDBClient({
        endpoint: second.cloud.urls.dynamodb,
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
      await second.stop();
    }
  });
});
