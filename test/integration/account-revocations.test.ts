/**
 * The revocation list against DynamoDB Local (the local cloud's security table, accounts of this
 * file's own): the item as stored (entity, subject, 30 days of fraud prevention, no more than the
 * id, the reason and the time); a deletion is final (a suspension never replaces it, a lift never
 * takes it); a lift takes only a suspension written at or before its time; a due item revokes
 * nothing (reads never return a due item); a held item (a legal hold took its expiry) still does.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '#shared/clock.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { dynamoRevocationList } from '#shared/security/revocations.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
const tableName = tableNamesFrom(cloud.env).security;
afterAll(() => db.destroy());

// Years after the machine's clock: DynamoDB Local deletes expired items by itself.
const AT = new Date('2036-11-26T10:00:00.000Z');

function setup() {
  // The clock of the reads: the items are written for AT, long before the machine's time would matter.
  const clock = manualClock(AT);
  return { clock, list: dynamoRevocationList({ client: db, tableName, clock }), accountId: randomUUID() };
}

const stored = async (accountId: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { pk: `REVOKED#${accountId}`, sk: 'REVOKED' } }))).Item;

describe('the revocation list in DynamoDB', () => {
  it('stores a revocation as a fraud-prevention item of the account, kept 30 days, with nothing else', async () => {
    const { list, accountId } = setup();
    expect(await list.reasonFor(accountId)).toBeUndefined();
    await list.revoke(accountId, 'suspended', AT);
    expect(await list.reasonFor(accountId)).toBe('suspended');
    expect(await stored(accountId)).toEqual({
      pk: `REVOKED#${accountId}`,
      sk: 'REVOKED',
      entity: 'account-revocation',
      accountId,
      reason: 'suspended',
      at: AT.toISOString(),
      subjectKey: subjectKeyForAccount(accountId),
      retentionPurpose: 'fraud-prevention',
      expiresAt: epochSeconds(addPeriod(AT, { days: 30 })),
      expiryDay: '2036-12-26',
    });
  });

  it('keeps a deletion final: a suspension does not replace it, a lift does not take it', async () => {
    const { list, accountId } = setup();
    await list.revoke(accountId, 'deleted', AT);
    await list.revoke(accountId, 'suspended', new Date(AT.getTime() + 1000));
    await list.liftSuspension(accountId, new Date(AT.getTime() + 2000));
    expect(await list.reasonFor(accountId)).toBe('deleted');
    expect((await stored(accountId))?.at).toBe(AT.toISOString());
  });

  it('lifts a suspension written at or before the lift’s time only; nothing to lift is fine', async () => {
    const { list, accountId } = setup();
    await list.liftSuspension(accountId, AT);
    await list.revoke(accountId, 'suspended', AT);
    await list.liftSuspension(accountId, new Date(AT.getTime() - 1));
    expect(await list.reasonFor(accountId)).toBe('suspended');
    await list.liftSuspension(accountId, AT);
    expect(await list.reasonFor(accountId)).toBeUndefined();
    expect(await stored(accountId)).toBeUndefined();
  });

  it('revokes nothing once due, and still revokes under a legal hold', async () => {
    const { list, clock, accountId } = setup();
    await list.revoke(accountId, 'deleted', AT);
    clock.set(addPeriod(AT, { days: 30 }));
    expect(await list.reasonFor(accountId)).toBeUndefined();

    const held = setup();
    await held.list.revoke(held.accountId, 'suspended', AT);
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `REVOKED#${held.accountId}`, sk: 'REVOKED' },
        UpdateExpression: 'SET heldExpiresAt = expiresAt REMOVE expiresAt, expiryDay',
      }),
    );
    held.clock.set(addPeriod(AT, { days: 10 }));
    expect(await held.list.reasonFor(held.accountId)).toBe('suspended');
  });
});
