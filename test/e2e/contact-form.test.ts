/**
 * The contact-form slice over HTTP against the local cloud: the request is validated, stored
 * with its 3-year retention, announced on the bus, and the platform inbox receives it by SES.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { apiClient, callApi } from '../support/api.ts';
import { localDocumentClient } from '../support/dynamo.ts';
import { mails, waitForMail } from '../support/mail.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
const table = cloud.env.TABLE_CONTACT!;
afterAll(() => db.destroy());

const IP = '127.0.0.1';
/** What the typed client will not send (unknown fields, not JSON): raw, the answer validated alike. */
const postRaw = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  callApi(cloud, IP, 'POST', '/contact', { headers, body });

const countStored = async () => (await db.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0;

describe('POST /contact', () => {
  const marker = randomUUID().slice(0, 8);
  const request = {
    name: `Alice Testeuse ${marker}`,
    email: `alice.${marker}@example.test`,
    phone: '+33 6 12 34 56 78',
    subject: `Question ${marker}`,
    message: 'Bonjour, proposez-vous des séances en visio ?',
  };

  it('stores the request for 3 years and emails the platform inbox', async () => {
    const before = Date.now();
    const { data: body, response } = await apiClient(cloud, IP).POST('/contact', { body: request });
    expect(response.status).toBe(202);
    if (!body) throw new Error('no answer');
    expect(body.id).toMatch(/^contact_[0-9a-f]{32}$/);

    const { Item } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: `CONTACT#${body.id}`, sk: 'REQUEST' } }),
    );
    expect(Item).toMatchObject({ email: request.email, subject: request.subject, retentionPurpose: 'contact-request' });
    const receivedAt = new Date(body.receivedAt);
    expect(receivedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const threeYearsLater = new Date(receivedAt);
    threeYearsLater.setUTCFullYear(threeYearsLater.getUTCFullYear() + 3);
    expect(Item?.expiresAt).toBe(Math.floor(threeYearsLater.getTime() / 1000));
    expect(Item?.expiryDay).toBe(threeYearsLater.toISOString().slice(0, 10));

    const mail = await waitForMail(cloud.urls.mailStore, (m) => m.subject === `[Contact] ${request.subject}`);
    expect(mail.destination.to).toEqual([cloud.env.PLATFORM_INBOX]);
    expect(mail.replyTo).toEqual([request.email]);
    expect(mail.from).toContain(cloud.env.MAIL_FROM);
    expect(mail.body.text).toContain(body.id);
    expect(mail.body.text).toContain(request.message);

    // the handler marked the request as notified, so a redelivered event sends nothing more
    await expect
      .poll(
        async () =>
          (await db.send(new GetCommand({ TableName: table, Key: { pk: `CONTACT#${body.id}`, sk: 'REQUEST' } }))).Item
            ?.notifiedAt,
      )
      .toBeTruthy();
  });

  it('refuses bad input with a 400 problem naming each field, and stores nothing', async () => {
    const stored = await countStored();
    const mailCount = (await mails(cloud.urls.mailStore)).length;
    const res = await postRaw(
      JSON.stringify({ ...request, email: 'pas-un-email', message: 'court', unexpected: true }),
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body) as { status: number; errors: { field: string }[]; detail: string };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['(root)', 'email', 'message']);
    expect(problem.detail).toContain('email');
    expect(JSON.stringify(problem)).not.toContain('pas-un-email');
    expect(await countStored()).toBe(stored);
    await new Promise((r) => setTimeout(r, 300));
    expect((await mails(cloud.urls.mailStore)).length).toBe(mailCount);
  });

  it('refuses a body that is not JSON', async () => {
    const stored = await countStored();
    expect((await postRaw('{"name":')).status).toBe(400);
    expect((await postRaw('name=x', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect(await countStored()).toBe(stored);
  });

  it('logs no personal data of the request', async () => {
    await waitForMail(cloud.urls.mailStore, (m) => m.subject === `[Contact] ${request.subject}`);
    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain('Platform inbox notification'); // the handlers did log
    for (const value of [request.name, request.email, request.message, marker]) expect(log).not.toContain(value);
  });
});
