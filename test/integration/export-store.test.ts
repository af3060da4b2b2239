/**
 * Export orders and parts against DynamoDB Local (ADR 0018): a part of several chunks reads back
 * whole, a rewrite that got shorter leaves no stale tail, each part is counted once, one delivery
 * wins, and the order is gone past its 7 days.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTables } from '#local/services/dynamodb.ts';
import { dynamoExportStore, type ExportOrder } from '#shared/privacy/export-store.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
afterAll(() => db.destroy());
beforeAll(async () => {
  tableName = (await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`)).TABLE_PRIVACY!;
});

const requestedAt = new Date('2026-12-01T10:00:00Z');
const order = (exportId: string): ExportOrder => ({
  exportId,
  accountId: '11111111-2222-4333-8444-555555555555',
  subjectKeys: ['account#11111111-2222-4333-8444-555555555555'],
  expectedParts: ['account', 'contact'],
  receivedParts: [],
  state: 'collecting',
  requestedAt: requestedAt.toISOString(),
  destination: { kind: 'self' },
});

describe('export store', () => {
  it('reads a part of several chunks back whole, and a shorter rewrite without the stale tail', async () => {
    const store = dynamoExportStore({ client: db, tableName });
    const o = order(`exp_${randomUUID().replaceAll('-', '')}`);
    await store.create(o, requestedAt);
    const long = JSON.stringify({ x: 'é'.repeat(250_000) });
    expect(await store.writePart(o, 'contact', long)).toEqual({ chunks: 3 });
    expect((await store.parts(o.exportId)).contact).toBe(long);
    await store.writePart(o, 'contact', '{"short":true}');
    expect(await store.parts(o.exportId)).toEqual({ contact: '{"short":true}' });
  });

  it('counts each part once, lets one delivery win, and forgets the order after 7 days', async () => {
    const store = dynamoExportStore({ client: db, tableName });
    const o = order(`exp_${randomUUID().replaceAll('-', '')}`);
    await store.create(o, requestedAt);
    await store.markReceived(o.exportId, 'account');
    await store.markReceived(o.exportId, 'account');
    const after = await store.markReceived(o.exportId, 'contact');
    expect(after?.receivedParts).toEqual(['account', 'contact']);
    const wins = await Promise.all([1, 2, 3].map(() => store.markReady(o.exportId, new Date())));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.order(o.exportId, new Date('2026-12-08T09:59:00Z'))).toMatchObject({ state: 'ready' });
    expect(await store.order(o.exportId, new Date('2026-12-08T10:01:00Z'))).toBeUndefined();
    expect(await store.markReceived(`exp_${randomUUID().replaceAll('-', '')}`, 'account')).toBeUndefined();
  });
});
