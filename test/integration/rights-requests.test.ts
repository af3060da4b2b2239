/**
 * The DPO's register of rights requests against DynamoDB Local (ADR 0017), by time travel: the
 * warning 7 days before the deadline, the overdue alert the day after it, each once; an extension
 * moves both; an answered request leaves the open list and is kept 5 years from the answer, then
 * purged. Dates lie after the machine's clock (DynamoDB Local expires items by itself).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { dynamoRightsRequestStore } from '#functions/privacy/adapters/request-store.ts';
import {
  answerRightsRequest,
  checkRightsRequestIdentity,
  extendRightsRequest,
  getRightsRequest,
  listOpenRightsRequests,
  recordRightsRequest,
  warnRightsRequestDeadlines,
} from '#functions/privacy/use-cases.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { addPeriod, utcDay } from '#shared/retention/expiry.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const DAY = 86_400_000;
/** Noon in Paris on a day. */
const noon = (day: string) => new Date(`${day}T10:00:00Z`);

async function setUp(label: string, start: string) {
  const names = await freshTables(cloud.urls.dynamodb, label);
  const clock = manualClock(noon(start));
  const mails: Mail[] = [];
  const events: string[] = [];
  const deps = {
    store: dynamoRightsRequestStore({ client: db, tableName: names.privacy }),
    clock,
    events: {
      recorded: async (id: string) => void events.push(`recorded ${id}`),
      closed: async (id: string) => void events.push(`closed ${id}`),
      deadlineNear: async (id: string, deadline: string, overdue: boolean) =>
        void events.push(`${overdue ? 'overdue' : 'near'} ${id} ${deadline}`),
    },
    people: { identityOf: async () => ({ email: 'account-owner@example.test' }) },
    mailer: {
      send: async (mail: Mail) => {
        mails.push(mail);
        return { messageId: `m${mails.length}` };
      },
    },
    dpoInbox: 'dpo@example.test',
  };
  return { names, clock, deps, mails, events };
}

describe('rights requests: deadlines by time travel', () => {
  it('warns at D−7 and at D+1, once each; an extension moves both and tells the subject', async () => {
    const t = await setUp('rrq-deadlines', '2031-03-15');
    const plain = await recordRightsRequest(t.deps, 'dpo-1', {
      type: 'access',
      channel: 'email',
      receivedOn: '2031-03-15',
      subject: { email: 'zoe@example.test' },
    });
    expect(plain.deadline).toBe('2031-04-15');
    const extended = await recordRightsRequest(t.deps, 'dpo-1', {
      type: 'erasure',
      channel: 'post',
      receivedOn: '2031-03-15',
      subject: { accountId: randomUUID() },
    });
    t.clock.set(noon('2031-04-01'));
    const moved = await extendRightsRequest(t.deps, 'dpo-1', extended.id, {
      months: 1,
      reason: 'Votre demande nécessite des recherches dans plusieurs systèmes.',
    });
    expect(moved.deadline).toBe('2031-05-15');
    // The subject known by account is told at the account's address.
    expect(t.mails.map((m) => m.to[0])).toEqual(['account-owner@example.test']);
    t.mails.length = 0;

    const run = async (day: string) => {
      t.clock.set(noon(day));
      return warnRightsRequestDeadlines(t.deps);
    };
    expect(await run('2031-04-07')).toEqual({ near: 0, overdue: 0 });
    expect(await run('2031-04-08')).toEqual({ near: 1, overdue: 0 });
    expect(await run('2031-04-08')).toEqual({ near: 0, overdue: 0 });
    expect(await run('2031-04-15')).toEqual({ near: 0, overdue: 0 });
    expect(await run('2031-04-16')).toEqual({ near: 0, overdue: 1 });
    expect(await run('2031-04-17')).toEqual({ near: 0, overdue: 0 });
    // The extended one: warned for its own deadline only.
    expect(await run('2031-05-07')).toEqual({ near: 0, overdue: 0 });
    expect(await run('2031-05-08')).toEqual({ near: 1, overdue: 0 });
    expect(await run('2031-05-16')).toEqual({ near: 0, overdue: 1 });

    expect(t.events.filter((e) => !e.startsWith('recorded'))).toEqual([
      `near ${plain.id} 2031-04-15`,
      `overdue ${plain.id} 2031-04-15`,
      `near ${extended.id} 2031-05-15`,
      `overdue ${extended.id} 2031-05-15`,
    ]);
    expect(t.mails.map((m) => m.to[0])).toEqual(Array(4).fill('dpo@example.test'));
    expect(t.mails.map((m) => m.subject)).toEqual([
      "Demande d'exercice de droits : échéance le 15 avril 2031",
      "Demande d'exercice de droits en retard : échéance du 15 avril 2031 dépassée",
      "Demande d'exercice de droits : échéance le 15 mai 2031",
      "Demande d'exercice de droits en retard : échéance du 15 mai 2031 dépassée",
    ]);
    expect(JSON.stringify(t.mails)).not.toContain('zoe@example.test');
  });

  it('an answered request leaves the open list, is kept 5 years from the answer, then purged', async () => {
    const t = await setUp('rrq-answer', '2031-03-15');
    const request = await recordRightsRequest(t.deps, 'dpo-1', {
      type: 'portability',
      channel: 'email',
      receivedOn: '2031-03-14',
      subject: { email: 'zoe@example.test' },
    });
    await expect(
      answerRightsRequest(t.deps, 'dpo-1', request.id, { answeredOn: '2031-03-15', outcome: 'granted' }),
    ).rejects.toMatchObject({ status: 409 });
    await checkRightsRequestIdentity(t.deps, 'dpo-1', request.id, { verified: true, method: 'signed-identity-proof' });
    t.clock.set(noon('2031-03-20'));
    const answered = await answerRightsRequest(t.deps, 'dpo-1', request.id, {
      answeredOn: '2031-03-20',
      outcome: 'granted',
    });
    expect(answered).toMatchObject({ state: 'answered', identity: { verified: true, checkedOn: '2031-03-15' } });
    expect((await listOpenRightsRequests(t.deps)).items).toEqual([]);
    expect(t.events).toEqual([`recorded ${request.id}`, `closed ${request.id}`]);
    expect(await warnRightsRequestDeadlines(t.deps)).toEqual({ near: 0, overdue: 0 });

    const end = addPeriod(new Date('2031-03-20T00:00:00Z'), { years: 5 });
    const purgeDeps = {
      store: dynamoRetentionTables({ client: db, tableNames: t.names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: t.names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: t.names.retention }),
      events: recordingPublisher(),
      clock: t.clock,
      entities,
      tables: Object.keys(tables) as TableName[],
      options: { startDay: utcDay(new Date(end.getTime() - 30 * DAY)) },
    };
    t.clock.set(new Date(end.getTime() - DAY));
    expect((await getRightsRequest(t.deps, request.id)).id).toBe(request.id);
    expect(await purgeExpiredItems(purgeDeps)).toMatchObject({ complete: true, itemsDeleted: 0 });
    t.clock.set(new Date(end.getTime() + DAY));
    await expect(getRightsRequest(t.deps, request.id)).rejects.toMatchObject({ status: 404 });
    expect(await purgeExpiredItems(purgeDeps)).toMatchObject({
      complete: true,
      itemsDeleted: 1,
      deletedByPurpose: { 'rights-request': 1 },
    });
  });
});
