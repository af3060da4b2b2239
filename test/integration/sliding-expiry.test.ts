/** Sliding clocks against DynamoDB Local: the expiry moves forward, at most once a day, and under a hold moves the held expiry. */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { practitionerProfileEntity } from '#functions/practitioners/entities.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { slideExpiry } from '#shared/dynamo/sliding.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const client = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
afterAll(() => client.destroy());
beforeAll(async () => {
  tableName = (await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`)).TABLE_PRACTITIONERS!;
});

const start = new Date('2026-01-10T09:00:00Z');
const key = (id: string) => ({ pk: `PRACTITIONER#${id}`, sk: 'PROFILE' });
const read = async (id: string) => (await client.send(new GetCommand({ TableName: tableName, Key: key(id) }))).Item!;

async function put(id: string) {
  const item = retainedItem(
    practitionerProfileEntity,
    { ...key(id), id },
    { clockStartedAt: start, subjectKey: subjectKeyForAccount(id), now: start },
  );
  await client.send(new PutCommand({ TableName: tableName, Item: item }));
  return item;
}

describe('sliding expiry', () => {
  it('moves the expiry to 5 years after the last activity, once a day at most, never backwards', async () => {
    const item = await put('prac_slide01');
    expect(item.expiresAt).toBe(Date.parse('2031-01-10T09:00:00Z') / 1000);
    const deps = { client, tableName };
    const later = new Date('2026-06-01T08:00:00Z');
    expect(await slideExpiry(deps, practitionerProfileEntity, key('prac_slide01'), later, later)).toBe('moved');
    expect((await read('prac_slide01')).expiresAt).toBe(Date.parse('2031-06-01T08:00:00Z') / 1000);
    expect((await read('prac_slide01')).expiryDay).toBe('2031-06-01');
    // the same day again: nothing written
    const sameDay = new Date('2026-06-01T20:00:00Z');
    expect(await slideExpiry(deps, practitionerProfileEntity, key('prac_slide01'), sameDay, sameDay)).toBe('unchanged');
    expect((await read('prac_slide01')).expiresAt).toBe(Date.parse('2031-06-01T08:00:00Z') / 1000);
    // an older activity never pulls the expiry back
    expect(await slideExpiry(deps, practitionerProfileEntity, key('prac_slide01'), start, sameDay)).toBe('unchanged');
  });

  it('moves the held expiry while a legal hold keeps the item out of TTL', async () => {
    await put('prac_slide02');
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key('prac_slide02'),
        UpdateExpression: 'SET heldExpiresAt = expiresAt REMOVE expiresAt, expiryDay',
      }),
    );
    const later = new Date('2027-03-03T10:00:00Z');
    expect(await slideExpiry({ client, tableName }, practitionerProfileEntity, key('prac_slide02'), later, later)).toBe(
      'moved-under-hold',
    );
    const item = await read('prac_slide02');
    expect(item.expiresAt).toBeUndefined();
    expect(item.heldExpiresAt).toBe(Date.parse('2032-03-03T10:00:00Z') / 1000);
  });
});
