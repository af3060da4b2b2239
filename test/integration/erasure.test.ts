/**
 * Erasure against DynamoDB Local, in tables of their own: every item of the subject goes, in
 * every table, except what an active legal hold covers; each erased key is logged by identifier
 * only; and after a simulated point-in-time restore (the erased items put back), the replay
 * deletes them again and makes legal holds match the retention table again.
 */
import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventContract } from '#events/envelope.ts';
import { dynamoContactRequestStore } from '#functions/contact/adapters/contact-request-store.ts';
import { practitionerProfileEntity } from '#functions/practitioners/entities.ts';
import { dynamoErasureLogStore } from '#functions/retention/adapters/erasure-log-store.ts';
import { dynamoHoldStore } from '#functions/retention/adapters/hold-store.ts';
import { dynamoSubjectItemsStore } from '#functions/retention/adapters/subject-items-store.ts';
import {
  type ErasureDeps,
  eraseDataSubject,
  replayAfterRestore,
  replayErasures,
} from '#functions/retention/erasure.ts';
import { liftLegalHold, placeLegalHold } from '#functions/retention/holds.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { manualClock } from '#shared/clock.ts';
import { retainedItem } from '#shared/dynamo/items.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { cognitoAccountResolver } from '#shared/identity/account-resolver.ts';
import { epochSeconds } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { signedInPerson, signUpAttributesFor } from '../support/identity.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
const cognito = localCognitoClient(cloud.urls.cognito);
const accounts = cognitoAccountResolver({ client: cognito, userPoolId: cloud.cognito.userPoolId });
let names: Record<string, string> = {};
afterAll(() => {
  db.destroy();
  cognito.destroy();
});
beforeAll(async () => {
  names = await ensureTables(cloud.urls.dynamodb, `it-erase-${randomUUID().slice(0, 8)}-`);
});

const dpo = { userId: 'dpo-user-2', roles: ['dpo' as const] };
const published: { type: string; data: unknown }[] = [];
const events: EventPublisher = {
  async publish(contract: EventContract, data) {
    published.push({ type: contract.detailType, data: contract.data.parse(data) });
    return 'evt_test000001';
  },
};

function setup(start: string, partitionRoots: ReadonlySet<string> = new Set()) {
  const clock = manualClock(start);
  const holds = dynamoHoldStore({ client: db, tableName: names.TABLE_RETENTION! });
  const subjects = dynamoSubjectItemsStore({
    client: db,
    tableNames: tableNamesFrom(names),
  });
  const erasureLog = dynamoErasureLogStore({ client: db, tableName: names.TABLE_RETENTION! });
  const deps: ErasureDeps = {
    holds,
    subjects,
    erasureLog,
    accounts,
    events,
    clock,
    partitionRoots,
    keptOnErasure: new Set(),
  };
  const contacts = dynamoContactRequestStore({ client: db, tableName: names.TABLE_CONTACT! });
  return { clock, deps, holdDeps: { holds, subjects, events, clock }, contacts };
}

const contactRequest = (email: string, receivedAt: Date) => ({
  id: `contact_${randomUUID().replaceAll('-', '')}`,
  name: 'Bernard Testeur',
  email,
  subject: 'Effacement',
  message: 'Merci de supprimer mes données',
  receivedAt,
});
const uniqueEmail = () => `erase.${randomUUID().slice(0, 8)}@example.test`;
const request = (email: string) => ({
  subject: { email },
  channel: 'email' as const,
  requestReference: 'DPO-2026-001',
});

const contactKey = (id: string) => ({ pk: `CONTACT#${id}`, sk: 'REQUEST' });
const getItem = async (table: string, key: { pk: string; sk: string }) =>
  (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
const logOf = async (day: string, erasureId: string) =>
  (
    (
      await db.send(
        new QueryCommand({
          TableName: names.TABLE_RETENTION!,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `ERASURE-LOG#${day}` },
        }),
      )
    ).Items ?? []
  ).filter((item) => item.erasureId === erasureId);

describe('erasure', () => {
  it('deletes every item of the subject in every table, and logs each key by identifier only', async () => {
    const { clock, deps, contacts } = setup('2026-09-01T10:00:00Z');
    const email = uniqueEmail();
    const first = contactRequest(email, clock.now());
    const second = contactRequest(email, new Date('2026-08-01T10:00:00Z'));
    const someoneElse = contactRequest(uniqueEmail(), clock.now());
    for (const r of [first, second, someoneElse]) await contacts.add(r);
    // Another table, same person (the subject key is the same hash of the email).
    const profileKey = { pk: `PRACTITIONER#p-${randomUUID().slice(0, 6)}`, sk: 'PROFILE' };
    await db.send(
      new PutCommand({
        TableName: names.TABLE_PRACTITIONERS!,
        Item: retainedItem(
          practitionerProfileEntity,
          { ...profileKey, displayName: 'B. Testeur' },
          {
            clockStartedAt: clock.now(),
            subjectKey: subjectKeyForEmail(email),
            now: clock.now(),
          },
        ),
      }),
    );

    const result = await eraseDataSubject(deps, request(email), dpo, 'corr');
    expect(result).toMatchObject({ itemsErased: 3, itemsUnderHold: 0 });
    expect(result.erasureId).toMatch(/^erasure_[0-9a-f]{32}$/);
    expect(result.message).toContain('3 item(s) erased');
    expect(await getItem(names.TABLE_CONTACT!, contactKey(first.id))).toBeUndefined();
    expect(await getItem(names.TABLE_CONTACT!, contactKey(second.id))).toBeUndefined();
    expect(await getItem(names.TABLE_PRACTITIONERS!, profileKey)).toBeUndefined();
    expect(await getItem(names.TABLE_CONTACT!, contactKey(someoneElse.id))).toBeDefined();

    const log = await logOf('2026-09-01', result.erasureId);
    expect(log.map((e) => `${e.erasedTable} ${e.erasedPk} ${e.erasedSk}`).sort()).toEqual(
      [
        `contact CONTACT#${first.id} REQUEST`,
        `contact CONTACT#${second.id} REQUEST`,
        `practitioners ${profileKey.pk} PROFILE`,
      ].sort(),
    );
    for (const entry of log) {
      expect(Object.keys(entry).sort()).toEqual(
        [
          'pk',
          'sk',
          'entity',
          'erasureId',
          'erasedTable',
          'erasedPk',
          'erasedSk',
          'erasedAt',
          'subjectKey',
          'expiresAt',
          'expiryDay',
          'retentionPurpose',
        ].sort(),
      );
      expect(entry).toMatchObject({ entity: 'erasure-log-entry', retentionPurpose: 'erasure-log' });
      expect(entry.expiresAt).toBe(epochSeconds(new Date('2026-10-06T10:00:00Z'))); // 35 days
      for (const value of [email, 'Bernard', 'supprimer', 'B. Testeur'])
        expect(JSON.stringify(entry)).not.toContain(value);
    }
    expect(published).toContainEqual({
      type: 'DataSubjectErased',
      data: { erasureId: result.erasureId, itemsErased: 3 },
    });
  });

  it('keeps the items under an active legal hold, says so, and erases them once the hold is lifted', async () => {
    const { clock, deps, holdDeps, contacts } = setup('2026-09-02T10:00:00Z');
    const email = uniqueEmail();
    const kept = contactRequest(email, clock.now());
    await contacts.add(kept);
    const hold = await placeLegalHold(
      holdDeps,
      { subject: { email }, reason: 'authority-request', authority: 'Police judiciaire', reference: 'PV-12' },
      dpo,
      'c',
    );

    const refused = await eraseDataSubject(deps, request(email), dpo, 'c');
    expect(refused).toMatchObject({ itemsErased: 0, itemsUnderHold: 1 });
    expect(refused.message).toContain(hold.id);
    expect(refused.message).toContain('prevails');
    expect(await getItem(names.TABLE_CONTACT!, contactKey(kept.id))).toBeDefined();
    expect(await logOf('2026-09-02', refused.erasureId)).toEqual([]);
    expect(published.some((e) => (e.data as { erasureId?: string }).erasureId === refused.erasureId)).toBe(false);

    await liftLegalHold(holdDeps, hold.id, dpo, 'c');
    expect(await eraseDataSubject(deps, request(email), dpo, 'c')).toMatchObject({ itemsErased: 1, itemsUnderHold: 0 });
    expect(await getItem(names.TABLE_CONTACT!, contactKey(kept.id))).toBeUndefined();
  });

  it('erases what a root of the subject owns with it, except items of another subject under a hold', async () => {
    const { deps, holdDeps } = setup('2026-09-03T10:00:00Z', new Set(['test-thread']));
    const owner = `acc_${randomUUID().slice(0, 8)}`;
    const other = `acc_${randomUUID().slice(0, 8)}`;
    const heldOther = `acc_${randomUUID().slice(0, 8)}`;
    const pk = `THREAD#${randomUUID().slice(0, 8)}`;
    const items = [
      { pk, sk: 'ROOT', entity: 'test-thread', subjectKey: subjectKeyForAccount(owner), expiresAt: 2_000_000_000 },
      { pk, sk: 'MSG#1', entity: 'test-message', subjectKey: subjectKeyForAccount(other) },
      { pk, sk: 'MSG#2', entity: 'test-message', subjectKey: subjectKeyForAccount(heldOther) },
    ];
    for (const Item of items) await db.send(new PutCommand({ TableName: names.TABLE_CONTACT!, Item }));
    await placeLegalHold(
      holdDeps,
      { subject: { accountId: heldOther }, reason: 'litigation', authority: 'Avocat', reference: 'X' },
      dpo,
      'c',
    );
    const result = await eraseDataSubject(
      deps,
      { subject: { accountId: owner }, channel: 'account', requestReference: 'in-app' },
      dpo,
      'c',
    );
    expect(result).toMatchObject({ itemsErased: 2, itemsUnderHold: 1 });
    expect(await getItem(names.TABLE_CONTACT!, { pk, sk: 'ROOT' })).toBeUndefined();
    expect(await getItem(names.TABLE_CONTACT!, { pk, sk: 'MSG#1' })).toBeUndefined();
    expect(await getItem(names.TABLE_CONTACT!, { pk, sk: 'MSG#2' })).toBeDefined();
    expect((await logOf('2026-09-03', result.erasureId)).length).toBe(2);
  });

  it('resolves the accounts of an address in the Cognito emulator, and the address of an account', async () => {
    const person = await signedInPerson(cloud, 'client');
    // Found as given or in another case (the pool stores what sign-up gave: lower case here).
    expect(await accounts.withEmail(person.email)).toEqual([person.accountId]);
    expect(await accounts.withEmail(person.email.toUpperCase())).toEqual([person.accountId]);
    expect(await accounts.byId(person.accountId)).toEqual({ accountId: person.accountId, email: person.email });
    // An address of nobody, quotes and backslashes included: nobody, and no broken filter.
    expect(await accounts.withEmail(uniqueEmail())).toEqual([]);
    expect(await accounts.withEmail(`x" or email ^= "\\${uniqueEmail()}`)).toEqual([]);
    expect(await accounts.byId(randomUUID())).toBeUndefined();
    expect(await accounts.removeUser(randomUUID())).toBe('absent');
  });

  it('by email, erases the account of the address and its Cognito user, and a sign-up never confirmed', async () => {
    const { clock, deps, contacts } = setup('2026-09-04T10:00:00Z');
    const person = await signedInPerson(cloud, 'client');
    const other = await signedInPerson(cloud, 'client');
    const request_ = contactRequest(person.email, clock.now());
    await contacts.add(request_);
    // An item of the account (the real account item lives in the local cloud's own table).
    const accountItem = (accountId: string) => ({
      pk: `ACCOUNT#${accountId}`,
      sk: 'ACCOUNT',
      entity: 'account',
      subjectKey: subjectKeyForAccount(accountId),
      expiresAt: 2_000_000_000,
    });
    for (const Item of [accountItem(person.accountId), accountItem(other.accountId)])
      await db.send(new PutCommand({ TableName: names.TABLE_ACCOUNTS!, Item }));

    const result = await eraseDataSubject(deps, request(person.email), dpo, 'c');
    expect(result).toMatchObject({ itemsErased: 2, itemsUnderHold: 0 });
    expect(result.subjects).toEqual([
      { subjectKey: subjectKeyForEmail(person.email), erasureId: result.erasureId, itemsErased: 1, itemsUnderHold: 0 },
      {
        subjectKey: subjectKeyForAccount(person.accountId),
        erasureId: expect.stringMatching(/^erasure_/),
        itemsErased: 1,
        itemsUnderHold: 0,
        cognitoUser: 'deleted',
      },
    ]);
    expect(await getItem(names.TABLE_CONTACT!, contactKey(request_.id))).toBeUndefined();
    expect(await getItem(names.TABLE_ACCOUNTS!, { pk: `ACCOUNT#${person.accountId}`, sk: 'ACCOUNT' })).toBeUndefined();
    expect(await accounts.byId(person.accountId)).toBeUndefined();
    expect(await accounts.withEmail(person.email)).toEqual([]);
    // The other person keeps everything.
    expect(await getItem(names.TABLE_ACCOUNTS!, { pk: `ACCOUNT#${other.accountId}`, sk: 'ACCOUNT' })).toBeDefined();
    expect(await accounts.byId(other.accountId)).toEqual({ accountId: other.accountId, email: other.email });
    // One log and one audit entry per subject.
    const day = '2026-09-04';
    expect((await logOf(day, result.subjects[0]!.erasureId)).map((e) => e.erasedPk)).toEqual([
      `CONTACT#${request_.id}`,
    ]);
    expect((await logOf(day, result.subjects[1]!.erasureId)).map((e) => e.erasedPk)).toEqual([
      `ACCOUNT#${person.accountId}`,
    ]);
    const { Items: audit = [] } = await db.send(
      new QueryCommand({
        TableName: names.TABLE_RETENTION!,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `STAFF-ACTIONS#${day}` },
      }),
    );
    expect(
      audit
        .filter((a) => result.subjects.some((e) => e.erasureId === a.erasureId))
        .map((a) => [a.subjectKey, a.counts])
        .sort(),
    ).toEqual(
      [
        [subjectKeyForEmail(person.email), { itemsErased: 1, itemsUnderHold: 0 }],
        [subjectKeyForAccount(person.accountId), { itemsErased: 1, itemsUnderHold: 0, cognitoUsersDeleted: 1 }],
      ].sort(),
    );

    // A sign-up never confirmed has a Cognito user and no account item: the user goes.
    const unconfirmed = uniqueEmail();
    const signUp = await cognito.send(
      new SignUpCommand({
        ClientId: cloud.cognito.clientId,
        Username: unconfirmed,
        Password: 'Correct-Horse-9-Battery',
        UserAttributes: signUpAttributesFor(cloud, unconfirmed),
      }),
    );
    const pending = await eraseDataSubject(deps, request(unconfirmed), dpo, 'c');
    expect(pending.subjects[1]).toMatchObject({
      subjectKey: subjectKeyForAccount(signUp.UserSub!),
      itemsErased: 0,
      cognitoUser: 'deleted',
    });
    const gone = await cognito
      .send(new AdminGetUserCommand({ UserPoolId: cloud.cognito.userPoolId, Username: signUp.UserSub! }))
      .catch((error: Error) => error);
    expect((gone as Error).name).toBe('UserNotFoundException');
  });

  it('by account id, erases its address’s items; a hold on the account keeps it and its Cognito user', async () => {
    const { clock, deps, holdDeps, contacts } = setup('2026-09-05T10:00:00Z');
    const person = await signedInPerson(cloud, 'client');
    const accountKey = { pk: `ACCOUNT#${person.accountId}`, sk: 'ACCOUNT' };
    await db.send(
      new PutCommand({
        TableName: names.TABLE_ACCOUNTS!,
        Item: { ...accountKey, entity: 'account', subjectKey: subjectKeyForAccount(person.accountId) },
      }),
    );
    const first = contactRequest(person.email, clock.now());
    await contacts.add(first);
    const hold = await placeLegalHold(
      holdDeps,
      { subject: { accountId: person.accountId }, reason: 'litigation', authority: 'Avocat', reference: 'L-1' },
      dpo,
      'c',
    );
    const byId = { subject: { accountId: person.accountId }, channel: 'account' as const, requestReference: 'in-app' };
    const held = await eraseDataSubject(deps, byId, dpo, 'c');
    expect(held.subjects.map((e) => [e.subjectKey, e.itemsErased, e.itemsUnderHold, e.cognitoUser])).toEqual([
      [subjectKeyForAccount(person.accountId), 0, 1, 'kept-under-hold'],
      [subjectKeyForEmail(person.email), 1, 0, undefined],
    ]);
    expect(held.message).toContain(hold.id);
    expect(await getItem(names.TABLE_ACCOUNTS!, accountKey)).toBeDefined();
    expect(await getItem(names.TABLE_CONTACT!, contactKey(first.id))).toBeUndefined();
    expect(await accounts.byId(person.accountId)).toEqual({ accountId: person.accountId, email: person.email });

    await liftLegalHold(holdDeps, hold.id, dpo, 'c');
    const erased = await eraseDataSubject(deps, byId, dpo, 'c');
    expect(erased.subjects[0]).toMatchObject({ itemsErased: 1, itemsUnderHold: 0, cognitoUser: 'deleted' });
    expect(await getItem(names.TABLE_ACCOUNTS!, accountKey)).toBeUndefined();
    expect(await accounts.byId(person.accountId)).toBeUndefined();
  });

  it('replays the erasures after a restore brought the items back, and only those since the date', async () => {
    const { clock, deps, contacts } = setup('2026-09-10T10:00:00Z');
    const email = uniqueEmail();
    const erased = [contactRequest(email, clock.now()), contactRequest(email, clock.now())];
    for (const r of erased) await contacts.add(r);
    const before = await Promise.all(erased.map((r) => getItem(names.TABLE_CONTACT!, contactKey(r.id))));
    const erasure = await eraseDataSubject(deps, request(email), dpo, 'c');
    expect(erasure.itemsErased).toBe(2);

    // A point-in-time restore to 2026-09-10T09:00Z brings both items back, as they were.
    clock.set('2026-09-20T08:00:00Z');
    for (const Item of before) await db.send(new PutCommand({ TableName: names.TABLE_CONTACT!, Item }));
    expect(await getItem(names.TABLE_CONTACT!, contactKey(erased[0]!.id))).toBeDefined();

    const replayDeps = { ...deps, holds: dynamoHoldStore({ client: db, tableName: names.TABLE_RETENTION! }) };
    expect(await replayErasures(replayDeps, new Date('2026-09-10T10:00:01Z'), 'operations')).toMatchObject({
      keysReplayed: 0,
    });
    const replay = await replayErasures(replayDeps, new Date('2026-09-10T09:00:00Z'), 'operations');
    expect(replay.keysReplayed).toBeGreaterThanOrEqual(2);
    expect(replay.itemsDeletedAgain).toBe(2);
    for (const r of erased) expect(await getItem(names.TABLE_CONTACT!, contactKey(r.id))).toBeUndefined();
    // Replaying again finds nothing left to delete: idempotent.
    expect(await replayErasures(replayDeps, new Date('2026-09-10T09:00:00Z'), 'operations')).toMatchObject({
      itemsDeletedAgain: 0,
    });

    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: names.TABLE_RETENTION!,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'STAFF-ACTIONS#2026-09-20' },
      }),
    );
    expect(Items.find((i) => i.erasureId === erasure.erasureId && i.action === 'erasure-replayed')).toMatchObject({
      actor: 'operations',
      subjectKey: subjectKeyForEmail(email),
    });
  });

  it('after a restore, re-applies the active holds and releases again the holds lifted since', async () => {
    const { clock, deps, holdDeps, contacts } = setup('2026-10-01T10:00:00Z');
    const heldEmail = uniqueEmail();
    const liftedEmail = uniqueEmail();
    const heldItem = contactRequest(heldEmail, clock.now());
    const liftedItem = contactRequest(liftedEmail, clock.now());
    await contacts.add(heldItem);
    await contacts.add(liftedItem);
    const snapshot = await Promise.all(
      [heldItem, liftedItem].map((r) => getItem(names.TABLE_CONTACT!, contactKey(r.id))),
    );
    const restoreTime = clock.now();

    const liftedLater = await placeLegalHold(
      holdDeps,
      { subject: { email: liftedEmail }, reason: 'litigation', authority: 'A', reference: 'R' },
      dpo,
      'c',
    );
    // Restored as it was while held (taken between the hold and its lift):
    const liftedHeldState = await getItem(names.TABLE_CONTACT!, contactKey(liftedItem.id));
    await placeLegalHold(
      holdDeps,
      { subject: { email: heldEmail }, reason: 'litigation', authority: 'A', reference: 'R' },
      dpo,
      'c',
    );
    clock.advance(3600_000);
    await liftLegalHold(holdDeps, liftedLater.id, dpo, 'c');

    // The restored tables know neither the later hold nor the lift.
    await db.send(new PutCommand({ TableName: names.TABLE_CONTACT!, Item: snapshot[0] }));
    await db.send(new PutCommand({ TableName: names.TABLE_CONTACT!, Item: liftedHeldState }));
    const result = await replayAfterRestore(
      { ...deps, holds: dynamoHoldStore({ client: db, tableName: names.TABLE_RETENTION! }) },
      restoreTime,
      'operations',
    );
    expect(result).toMatchObject({ holdsItemsHeld: 1, holdsItemsReleased: 1 });
    expect(await getItem(names.TABLE_CONTACT!, contactKey(heldItem.id))).toMatchObject({
      heldExpiresAt: expect.any(Number),
    });
    expect((await getItem(names.TABLE_CONTACT!, contactKey(liftedItem.id)))?.expiresAt).toEqual(expect.any(Number));
  });
});
