/**
 * Legal holds against DynamoDB Local, in tables of their own, with time travel: a hold takes the
 * expiry of every item of the subject away (TTL and the purge's expiry index no longer see it),
 * the item outlives its original expiry while reads leave it out, and the lift gives the
 * original expiry back — unless another hold still covers the subject. Items written for a held
 * subject after the hold are held by the daily sweep.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventContract } from '#events/envelope.ts';
import { dynamoContactRequestStore } from '#functions/contact/adapters/contact-request-store.ts';
import { entities } from '#functions/entities.ts';
import { practitionerProfileEntity } from '#functions/practitioners/entities.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoHoldStore } from '#functions/retention/adapters/hold-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { dynamoSubjectItemsStore } from '#functions/retention/adapters/subject-items-store.ts';
import {
  type HoldDeps,
  liftLegalHold,
  listLegalHolds,
  placeLegalHold,
  reapplyActiveHolds,
} from '#functions/retention/holds.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { manualClock } from '#shared/clock.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import { slideExpiry } from '#shared/dynamo/sliding.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { epochSeconds, utcDay } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import { EXPIRY_INDEX } from '#shared/tables.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let names: Record<string, string> = {};
afterAll(() => db.destroy());
beforeAll(async () => {
  names = await ensureTables(cloud.urls.dynamodb, `it-hold-${randomUUID().slice(0, 8)}-`);
});

const dpo = { userId: 'dpo-user-1', roles: ['dpo' as const] };
const published: { type: string; data: unknown }[] = [];
const events: EventPublisher = {
  async publish(contract: EventContract, data) {
    published.push({ type: contract.detailType, data: contract.data.parse(data) });
    return `evt_${randomUUID().replaceAll('-', '')}`;
  },
};

function setup(start: string) {
  const clock = manualClock(start);
  const deps: HoldDeps = {
    holds: dynamoHoldStore({ client: db, tableName: names.TABLE_RETENTION! }),
    subjects: dynamoSubjectItemsStore({
      client: db,
      tableNames: tableNamesFrom(names),
    }),
    events,
    clock,
  };
  const contacts = dynamoContactRequestStore({ client: db, tableName: names.TABLE_CONTACT! });
  return { clock, deps, contacts };
}

const contactRequest = (email: string, receivedAt: Date) => ({
  id: `contact_${randomUUID().replaceAll('-', '')}`,
  name: 'Alice',
  email,
  subject: 'Question',
  message: 'Bonjour',
  receivedAt,
});

const getContact = async (id: string) =>
  (await db.send(new GetCommand({ TableName: names.TABLE_CONTACT!, Key: { pk: `CONTACT#${id}`, sk: 'REQUEST' } })))
    .Item;

const dueOn = async (day: string) =>
  (
    await db.send(
      new QueryCommand({
        TableName: names.TABLE_CONTACT!,
        IndexName: EXPIRY_INDEX,
        KeyConditionExpression: 'expiryDay = :day',
        ExpressionAttributeValues: { ':day': day },
      }),
    )
  ).Items ?? [];

const uniqueEmail = () => `held.${randomUUID().slice(0, 8)}@example.test`;
const holdInput = (email: string) => ({
  subject: { email },
  reason: 'authority-request' as const,
  authority: 'Tribunal judiciaire de Toulon',
  reference: `RG ${randomUUID().slice(0, 6)}`,
});

describe('legal hold', () => {
  it('takes the expiry away, keeps the item past it (reads leave it out), and gives it back at the lift', async () => {
    const { clock, deps, contacts } = setup('2026-01-10T09:00:00Z');
    const email = uniqueEmail();
    const request = contactRequest(email, clock.now());
    await contacts.add(request);
    const original = await getContact(request.id);
    expect(original?.expiresAt).toBe(epochSeconds(new Date('2029-01-10T09:00:00Z')));
    expect((await dueOn('2029-01-10')).some((i) => i.pk === `CONTACT#${request.id}`)).toBe(true);

    const hold = await placeLegalHold(deps, holdInput(email), dpo, 'corr-1');
    expect(hold).toMatchObject({ status: 'active', itemsHeld: 1, placedBy: dpo.userId });
    expect(hold.subjectKey).toBe(subjectKeyForEmail(email));
    const held = await getContact(request.id);
    expect(held?.expiresAt).toBeUndefined(); // DynamoDB's TTL can no longer delete it
    expect(held?.expiryDay).toBeUndefined(); // nor the purge find it in the expiry index
    expect(held?.heldExpiresAt).toBe(original?.expiresAt);
    expect(held?.message).toBe('Bonjour'); // the data itself is untouched
    expect(await dueOn('2029-01-10')).toEqual([]);

    // Time travel past the original expiry: reads leave it out, yet it is still in the table.
    clock.set('2029-06-01T12:00:00Z');
    expect(await contacts.get(request.id, clock.now())).toBeUndefined();
    expect(await getContact(request.id)).toMatchObject({ heldExpiresAt: original?.expiresAt });
    expect(await dueOn(utcDay(clock.now()))).toEqual([]);

    const lifted = await liftLegalHold(deps, hold.id, dpo, 'corr-2');
    expect(lifted).toMatchObject({ status: 'lifted', liftedBy: dpo.userId, itemsReleased: 1 });
    const released = await getContact(request.id);
    expect(released?.expiresAt).toBe(original?.expiresAt); // its original expiry: already passed, so due at once
    expect(released?.heldExpiresAt).toBeUndefined();
    expect(released?.expiryDay).toBe('2029-06-01'); // never a day before now: the purge's next run takes it
    expect((await dueOn('2029-06-01')).map((i) => i.pk)).toContain(`CONTACT#${request.id}`);
    expect(await contacts.get(request.id, clock.now())).toBeUndefined();
  });

  it('survives a purge run past its original expiry, and is purged once the hold is lifted', async () => {
    const { clock, deps, contacts } = setup('2026-01-20T09:00:00Z');
    const email = uniqueEmail();
    const heldRequest = contactRequest(email, clock.now());
    const freeRequest = contactRequest(uniqueEmail(), clock.now());
    await contacts.add(heldRequest);
    await contacts.add(freeRequest);
    const hold = await placeLegalHold(deps, holdInput(email), dpo, 'c');

    const tableNames = tableNamesFrom(names);
    const purge = () =>
      purgeExpiredItems({
        store: dynamoRetentionTables({ client: db, tableNames }),
        checkpoints: dynamoCheckpointStore({ client: db, tableName: names.TABLE_RETENTION! }),
        holds: dynamoLegalHolds({ client: db, tableName: names.TABLE_RETENTION! }),
        events,
        clock,
        entities,
        tables: ['contact'],
        options: { startDay: '2029-01-01' },
      });

    // Written for the held subject after the hold, already due, before any sweep took its expiry:
    // the purge skips it because its subject is in ACTIVE-HOLDS.
    const lateRequest = contactRequest(email, new Date('2026-01-05T09:00:00Z'));
    await contacts.add(lateRequest);

    clock.set('2029-03-01T12:00:00Z');
    await purge();
    expect(await getContact(freeRequest.id)).toBeUndefined(); // the purge ran and took what was due
    expect(await getContact(heldRequest.id)).toMatchObject({ heldExpiresAt: expect.any(Number) });
    expect(await getContact(lateRequest.id)).toMatchObject({ expiresAt: expect.any(Number) });

    await liftLegalHold(deps, hold.id, dpo, 'c');
    clock.set('2029-03-03T12:00:00Z');
    await purge();
    expect(await getContact(heldRequest.id)).toBeUndefined();
    expect(await getContact(lateRequest.id)).toBeUndefined();
  });

  it('resumes an expiry that has not passed on its own day, and follows a sliding clock moved under the hold', async () => {
    const { clock, deps } = setup('2026-03-01T08:00:00Z');
    const accountId = `acc_${randomUUID().slice(0, 8)}`;
    const subjectKey = subjectKeyForAccount(accountId);
    const key = { pk: `PRACTITIONER#${accountId}`, sk: 'PROFILE' };
    await db.send(
      new PutCommand({
        TableName: names.TABLE_PRACTITIONERS!,
        Item: retainedItem(
          practitionerProfileEntity,
          { ...key, displayName: 'Dr Test' },
          {
            clockStartedAt: clock.now(),
            subjectKey,
            now: clock.now(),
          },
        ),
      }),
    );
    const hold = await placeLegalHold(
      deps,
      { subject: { accountId }, reason: 'litigation', authority: 'Avocat', reference: 'L-1' },
      dpo,
      'c',
    );
    expect(hold.itemsHeld).toBe(1);
    clock.set('2027-03-01T08:00:00Z');
    const slid = await slideExpiry(
      { client: db, tableName: names.TABLE_PRACTITIONERS! },
      practitionerProfileEntity,
      key,
      clock.now(),
      clock.now(),
    );
    expect(slid).toBe('moved-under-hold');
    await liftLegalHold(deps, hold.id, dpo, 'c');
    const { Item } = await db.send(new GetCommand({ TableName: names.TABLE_PRACTITIONERS!, Key: key }));
    expect(Item?.expiresAt).toBe(epochSeconds(new Date('2032-03-01T08:00:00Z')));
    expect(Item?.expiryDay).toBe('2032-03-01');
  });

  it('keeps the data held while another hold covers the subject', async () => {
    const { clock, deps, contacts } = setup('2026-02-01T10:00:00Z');
    const email = uniqueEmail();
    const request = contactRequest(email, clock.now());
    await contacts.add(request);
    const first = await placeLegalHold(deps, holdInput(email), dpo, 'c');
    const second = await placeLegalHold(deps, { ...holdInput(email), reason: 'litigation' }, dpo, 'c');
    expect(second.itemsHeld).toBe(1); // already held by the first: counted, not held twice

    expect(await liftLegalHold(deps, first.id, dpo, 'c')).toMatchObject({ status: 'lifted', itemsReleased: 0 });
    expect(await getContact(request.id)).toMatchObject({ heldExpiresAt: expect.any(Number) });
    expect((await getContact(request.id))?.expiresAt).toBeUndefined();

    expect(await liftLegalHold(deps, second.id, dpo, 'c')).toMatchObject({ itemsReleased: 1 });
    expect((await getContact(request.id))?.expiresAt).toEqual(expect.any(Number));
  });

  it('holds items written for the subject after the hold at the next daily sweep, and only those of held subjects', async () => {
    const { clock, deps, contacts } = setup('2026-04-01T10:00:00Z');
    const email = uniqueEmail();
    const other = contactRequest(uniqueEmail(), clock.now());
    await contacts.add(other);
    const hold = await placeLegalHold(deps, holdInput(email), dpo, 'c');
    expect(hold.itemsHeld).toBe(0);

    clock.set('2026-05-01T10:00:00Z');
    const later = contactRequest(email, clock.now());
    await contacts.add(later);
    expect((await getContact(later.id))?.expiresAt).toEqual(expect.any(Number)); // written with its own expiry

    // The ACTIVE-HOLDS partition the purge reads names the held subject.
    const { Items } = await db.send(
      new QueryCommand({
        TableName: names.TABLE_RETENTION!,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': 'ACTIVE-HOLDS', ':sk': hold.id },
      }),
    );
    expect(Items).toEqual([expect.objectContaining({ subjectKey: subjectKeyForEmail(email), entity: 'active-hold' })]);

    const sweep = await reapplyActiveHolds(deps, 'scheduler');
    expect(sweep.itemsHeld).toBeGreaterThanOrEqual(1);
    expect(await getContact(later.id)).toMatchObject({ heldExpiresAt: expect.any(Number) });
    expect((await getContact(later.id))?.expiresAt).toBeUndefined();
    expect((await getContact(other.id))?.expiresAt).toEqual(expect.any(Number)); // another subject: untouched
    expect(await reapplyActiveHolds(deps, 'scheduler')).toMatchObject({ itemsHeld: 0 }); // idempotent

    const listed = (await listLegalHolds(deps)).items.find((h) => h.id === hold.id);
    expect(listed?.itemsHeld).toBe(1);
  });

  it('leaves items without an expiry of their own (owned by a root) as they are', async () => {
    const { clock, deps } = setup('2026-06-01T10:00:00Z');
    const accountId = `acc_${randomUUID().slice(0, 8)}`;
    const owned = {
      pk: `THREAD#${accountId}`,
      sk: 'MSG#1',
      entity: 'exchange-message',
      subjectKey: subjectKeyForAccount(accountId),
    };
    await db.send(new PutCommand({ TableName: names.TABLE_CONTACT!, Item: owned }));
    const hold = await placeLegalHold(deps, { ...holdInput('x@example.test'), subject: { accountId } }, dpo, 'c');
    expect(hold.itemsHeld).toBe(0);
    const { Item } = await db.send(
      new GetCommand({ TableName: names.TABLE_CONTACT!, Key: { pk: owned.pk, sk: owned.sk } }),
    );
    expect(Item).toEqual(owned);
    clock.advance(1000);
    expect(await liftLegalHold(deps, hold.id, dpo, 'c')).toMatchObject({ itemsReleased: 0 });
  });

  it('writes conditionally, so a stale view of an item (the index lags) never undoes a newer state', async () => {
    const { clock, deps, contacts } = setup('2026-06-15T10:00:00Z');
    const request = contactRequest(uniqueEmail(), clock.now());
    await contacts.add(request);
    const seen = (await deps.subjects.find(subjectKeyForEmail(request.email)))[0]!;
    expect(seen).toMatchObject({ table: 'contact', expiresAt: expect.any(Number) });
    expect(await deps.subjects.suspendExpiry(seen)).toBe('held');
    expect(await deps.subjects.suspendExpiry(seen)).toBe('already-held'); // seen with an expiry, now held
    const heldAt = (await getContact(request.id))?.heldExpiresAt as number;
    // resumed from a stale held expiry: the stored one wins
    expect(await deps.subjects.resumeExpiry({ ...seen, heldExpiresAt: heldAt - 86_400 }, clock.now())).toBe('released');
    expect((await getContact(request.id))?.expiresAt).toBe(heldAt);
    expect(await deps.subjects.resumeExpiry({ ...seen, heldExpiresAt: heldAt }, clock.now())).toBe('not-held');
    const gone = { table: 'contact', pk: 'GONE#2', sk: 'X', expiresAt: 1 };
    expect(await deps.subjects.suspendExpiry(gone)).toBe('gone');
    expect(await deps.subjects.resumeExpiry({ ...gone, heldExpiresAt: 1 }, clock.now())).toBe('gone');
  });

  it('audits every hold action by identifiers only, and announces it', async () => {
    const { clock, deps, contacts } = setup('2026-07-14T10:00:00Z');
    const email = uniqueEmail();
    await contacts.add(contactRequest(email, clock.now()));
    const hold = await placeLegalHold(deps, holdInput(email), dpo, 'c');
    clock.advance(3600_000);
    await liftLegalHold(deps, hold.id, dpo, 'c');

    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: names.TABLE_RETENTION!,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'STAFF-ACTIONS#2026-07-14' },
      }),
    );
    const mine = Items.filter((i) => i.holdId === hold.id);
    expect(mine.map((i) => i.action)).toEqual(['hold-placed', 'hold-lifted']);
    for (const entry of mine) {
      expect(entry).toMatchObject({
        entity: 'retention-audit-entry',
        actor: dpo.userId,
        subjectKey: subjectKeyForEmail(email),
        retentionPurpose: 'retention-audit',
        expiresAt: expect.any(Number),
      });
      expect(JSON.stringify(entry)).not.toContain(email);
    }
    const stored = await db.send(
      new GetCommand({ TableName: names.TABLE_RETENTION!, Key: { pk: `HOLD#${hold.id}`, sk: 'HOLD' } }),
    );
    expect(JSON.stringify(stored.Item)).not.toContain(email);
    // Lifted: the hold record's own 5-year clock has started.
    expect(stored.Item).toMatchObject({ status: 'lifted', retentionPurpose: 'legal-hold' });
    expect(stored.Item?.expiresAt).toBe(epochSeconds(new Date('2031-07-14T11:00:00Z')));
    const active = await db.send(
      new GetCommand({ TableName: names.TABLE_RETENTION!, Key: { pk: 'ACTIVE-HOLDS', sk: hold.id } }),
    );
    expect(active.Item).toBeUndefined();

    expect(published).toContainEqual({ type: 'LegalHoldPlaced', data: { holdId: hold.id, itemsHeld: 1 } });
    expect(published).toContainEqual({ type: 'LegalHoldLifted', data: { holdId: hold.id, itemsReleased: 1 } });
  });

  it('refuses to lift an unknown or already lifted hold, and lists active holds first', async () => {
    const { clock, deps } = setup('2026-08-01T10:00:00Z');
    const a = await placeLegalHold(deps, holdInput(uniqueEmail()), dpo, 'c');
    clock.advance(60_000);
    const b = await placeLegalHold(deps, holdInput(uniqueEmail()), dpo, 'c');
    await liftLegalHold(deps, a.id, dpo, 'c');
    await expect(liftLegalHold(deps, a.id, dpo, 'c')).rejects.toMatchObject({ status: 409 });
    await expect(liftLegalHold(deps, `hold_${'0'.repeat(32)}`, dpo, 'c')).rejects.toBeInstanceOf(HttpProblem);
    const { items } = await listLegalHolds(deps);
    const order = items.filter((h) => h.id === a.id || h.id === b.id).map((h) => h.id);
    expect(order).toEqual([b.id, a.id]);
    const statuses = items.map((h) => h.status);
    expect(statuses.indexOf('lifted')).toBeGreaterThan(statuses.lastIndexOf('active'));
  });
});
