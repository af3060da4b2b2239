/**
 * The notification receipts against DynamoDB Local: a notice is claimed once (a second claim,
 * even concurrent, loses), "sent" is final, a failed send may be claimed again, and a claim left
 * by a function that died is taken over after the claim timeout. The item carries its subject and
 * the appointment's expiry, and no address.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CLAIM_TIMEOUT_MS,
  dynamoNotificationReceipts,
  receiptKey,
} from '#functions/bookings/adapters/notification-receipts.ts';
import type { ReceiptKey } from '#functions/bookings/notifications/use-cases.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
beforeAll(async () => {
  tableName = (await freshTables(cloud.urls.dynamodb, 'receipts')).bookings;
});
afterAll(async () => {
  await dropFreshTables(cloud.urls.dynamodb);
  db.destroy();
});

const now = new Date('2026-11-27T09:00:00Z');
/** The appointment a receipt is about must exist: a receipt is claimed in one transaction with it. */
async function withAppointment(k: ReceiptKey): Promise<ReceiptKey> {
  await db.send(
    new PutCommand({ TableName: tableName, Item: { pk: `APPOINTMENT#${k.appointmentId}`, sk: 'APPOINTMENT' } }),
  );
  return k;
}

const key = (over: Partial<ReceiptKey> = {}): ReceiptKey => ({
  appointmentId: `apt_${randomUUID().replace(/-/g, '')}`,
  kind: 'confirmation',
  version: 2,
  party: 'client',
  accountId: randomUUID(),
  start: new Date('2026-12-01T09:00:00Z'),
  ...over,
});

describe('notification receipts', () => {
  it('are claimed once, even by concurrent deliveries, and "sent" is final', async () => {
    const receipts = dynamoNotificationReceipts({ client: db, tableName });
    const k = await withAppointment(key());
    const claims = await Promise.all(Array.from({ length: 5 }, () => receipts.claim(k, now)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await receipts.sent(k, now);
    expect(await receipts.claim(k, new Date(now.getTime() + 2 * CLAIM_TIMEOUT_MS))).toBe(false);
    // another version, kind or party is another receipt
    expect(await receipts.claim({ ...k, version: 3 }, now)).toBe(true);
    expect(await receipts.claim({ ...k, party: 'practitioner' }, now)).toBe(true);
    expect(await receipts.claim({ ...k, kind: 'reminder-day-before' }, now)).toBe(true);

    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: receiptKey(k) }));
    expect(Item).toMatchObject({
      entity: 'notification-receipt',
      state: 'sent',
      subjectKey: `account#${k.accountId}`,
      retentionPurpose: 'appointment',
    });
    // the appointment's clock: 5 years from its date
    expect(Item!.expiresAt).toBe(Date.parse('2031-12-01T09:00:00Z') / 1000);
    expect(JSON.stringify(Item)).not.toContain('@');
  });

  it('may be claimed again after a failed send, or once a dead claim has timed out', async () => {
    const receipts = dynamoNotificationReceipts({ client: db, tableName });
    const failed = await withAppointment(key());
    expect(await receipts.claim(failed, now)).toBe(true);
    await receipts.failed(failed, now);
    expect(await receipts.claim(failed, now)).toBe(true);

    const dead = await withAppointment(key());
    expect(await receipts.claim(dead, now)).toBe(true);
    expect(await receipts.claim(dead, new Date(now.getTime() + CLAIM_TIMEOUT_MS - 1000))).toBe(false);
    expect(await receipts.claim(dead, new Date(now.getTime() + CLAIM_TIMEOUT_MS + 1000))).toBe(true);
  });

  it('is never written for an appointment that is gone (erased meanwhile): no receipt outlives it', async () => {
    const receipts = dynamoNotificationReceipts({ client: db, tableName });
    const gone = await withAppointment(key());
    await db.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: `APPOINTMENT#${gone.appointmentId}`, sk: 'APPOINTMENT' } }),
    );
    expect(await receipts.claim(gone, now)).toBe(false);
    expect((await db.send(new GetCommand({ TableName: tableName, Key: receiptKey(gone) }))).Item).toBeUndefined();
  });
});
