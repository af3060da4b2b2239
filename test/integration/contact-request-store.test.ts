/**
 * The contact request store against DynamoDB Local, with time travel: a request is returned one
 * day before the end of its 3-year retention and never after it, even while DynamoDB's TTL has
 * not deleted it yet.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoContactRequestStore } from '#functions/contact/adapters/contact-request-store.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
afterAll(() => db.destroy());
beforeAll(async () => {
  const names = await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`);
  tableName = names.TABLE_CONTACT!;
});

const receivedAt = new Date('2026-11-26T21:00:00Z');
const request = (id: string) => ({
  id,
  name: 'Alice',
  email: 'alice@example.test',
  subject: 'Question',
  message: 'Bonjour, une question.',
  receivedAt,
});

describe('contact request store', () => {
  it('keeps a request 3 years from the request: there a day before, never returned a day after', async () => {
    const store = dynamoContactRequestStore({ client: db, tableName });
    await store.add(request('contact_timetravel01'));
    expect(await store.get('contact_timetravel01', new Date('2029-11-25T21:00:00Z'))).toMatchObject({
      email: 'alice@example.test',
    });
    expect(await store.get('contact_timetravel01', new Date('2029-11-27T21:00:00Z'))).toBeUndefined();
    // still physically there until a purge or DynamoDB's TTL removes it: reads must filter
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'CONTACT#contact_timetravel01', sk: 'REQUEST' } }),
    );
    expect(Item?.expiresAt).toBe(Date.parse('2029-11-26T21:00:00Z') / 1000);
  });

  it('never overwrites a request with the same id', async () => {
    const store = dynamoContactRequestStore({ client: db, tableName });
    await store.add(request('contact_duplicate01'));
    await expect(store.add(request('contact_duplicate01'))).rejects.toThrow(/conditional/i);
  });

  it('records the notification once, and not on an expired request', async () => {
    const store = dynamoContactRequestStore({ client: db, tableName });
    await store.add(request('contact_notify0001'));
    expect(await store.markNotified('contact_notify0001', new Date('2026-11-26T21:01:00Z'))).toBe(true);
    expect(await store.markNotified('contact_notify0001', new Date('2026-11-26T21:02:00Z'))).toBe(false);
    expect((await store.get('contact_notify0001', new Date('2026-11-27T00:00:00Z')))?.notifiedAt).toEqual(
      new Date('2026-11-26T21:01:00Z'),
    );
    await store.add(request('contact_notify0002'));
    expect(await store.markNotified('contact_notify0002', new Date('2029-11-27T00:00:00Z'))).toBe(false);
    expect(await store.markNotified('contact_missing001', new Date('2026-11-27T00:00:00Z'))).toBe(false);
  });
});
