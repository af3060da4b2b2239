/**
 * Fraud prevention over HTTP: a burst of 200 contact requests from one IP gets exactly the
 * route's limit through; the others get 429 with Retry-After and nothing of them is kept; the
 * accepted ones leave connection records (IP, user agent, operation, time) kept 30 days.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { submitContactRequest } from '#functions/contact/contract.ts';
import { subjectKeyForIp } from '#shared/retention/subject.ts';
import { callApi } from '../support/api.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterAll(() => db.destroy());

async function scan(table: string, filter: string, values: Record<string, unknown>, names?: Record<string, string>) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: filter,
        ExpressionAttributeValues: values,
        ExpressionAttributeNames: names,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('rate limits', () => {
  it('lets exactly the limit of a 200-request burst from one IP through, and keeps nothing of the rest', {
    timeout: 60_000,
  }, async () => {
    const ip = '127.0.0.77';
    const marker = randomUUID().slice(0, 8);
    const limit = submitContactRequest.rateLimit!.perIp!.requests;
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        callApi(cloud, ip, 'POST', '/contact', {
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'burst-test' },
          body: JSON.stringify({
            name: `Burst ${i}`,
            email: `burst${i}@example.test`,
            subject: `Burst ${marker}`,
            message: 'A message from a burst',
          }),
        }),
      ),
    );
    const accepted = replies.filter((r) => r.status === 202);
    const refused = replies.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(limit);
    expect(refused).toHaveLength(200 - limit);
    const retryAfter = Number(refused[0]!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(submitContactRequest.rateLimit!.perIp!.windowSeconds);
    const problem = JSON.parse(refused[0]!.body) as { status: number; detail: string };
    expect(problem.status).toBe(429);
    expect(problem.detail).toMatch(/Too many requests from this IP/);
    expect(refused[0]!.body).not.toContain(ip);

    const stored = await scan(
      cloud.env.TABLE_CONTACT!,
      '#subject = :s',
      { ':s': `Burst ${marker}` },
      { '#subject': 'subject' },
    );
    expect(stored).toHaveLength(limit);

    const connections = await scan(cloud.env.TABLE_SECURITY!, 'pk = :pk', {
      ':pk': `CONNECTION#${subjectKeyForIp(ip)}`,
    });
    expect(connections).toHaveLength(limit);
    expect(connections[0]).toMatchObject({
      ip,
      userAgent: 'burst-test',
      operationId: 'submitContactRequest',
      status: 202,
      retentionPurpose: 'fraud-prevention',
    });
    const at = Date.parse(connections[0]!.at as string);
    expect(connections[0]!.expiresAt).toBe(Math.floor(at / 1000) + 30 * 86_400);
  });

  it('counts each IP on its own', async () => {
    const reply = await callApi(cloud, '127.0.0.78', 'POST', '/contact', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Other',
        email: 'other@example.test',
        subject: 'Other IP',
        message: 'Another person entirely',
      }),
    });
    expect(reply.status).toBe(202);
  });
});
