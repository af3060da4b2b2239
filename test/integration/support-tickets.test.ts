/**
 * The support context against DynamoDB Local (ADR 0019): a ticket with its thread, one's list
 * (index byOpener) and support's queue (index byQueue, per state, oldest first, paginated); the
 * closure deletes the ticket and every message in one transaction, leaving the audit entry (no
 * text, 5 years) and the month's count; a message report becomes one ticket however often it is
 * delivered; and time travel with a manual clock: a ticket waiting for its opener gets the notice
 * at day 23 (once) and is closed at day 30, read from the index byWaiting, while a ticket whose
 * opener answered is left alone. Every stored attribute is explained in the export.
 *
 * Every date lies after the machine's clock, and so does every expiry: DynamoDB Local deletes
 * expired items by itself. The use cases' clock is injected; DynamoDB Local's is not.
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { dynamoTicketStore } from '#functions/support/adapters/ticket-store.ts';
import { closureOf } from '#functions/support/domain/ticket.ts';
import {
  answerMyTicket,
  answerTicket,
  assignTicket,
  closeTicket,
  getMyTicket,
  getTicket,
  listMyTickets,
  listQueue,
  openReportTicket,
  openTicket,
  runTicketClock,
} from '#functions/support/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { KEPT_UNTIL, recordOf, technicalAttributes } from '#shared/privacy/subject-export.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const DAY = 86_400_000;
const STAFF = randomUUID();
const SECRET = 'texte-du-ticket-confidentiel';

async function setUp(label: string, start: string) {
  const names = await freshTables(cloud.urls.dynamodb, label);
  const clock = manualClock(new Date(start));
  const store = dynamoTicketStore({ client: db, tableName: names.support });
  const mails: Mail[] = [];
  const deps = {
    store,
    clock,
    people: { identityOf: async () => ({ email: 'opener@example.test', firstName: 'Alice' }) },
    mailer: {
      send: async (mail: Mail) => {
        mails.push(mail);
        return { messageId: `m${mails.length}` };
      },
    },
  };
  return { table: names.support, clock, store, deps, mails };
}

async function scan(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

const problemOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { status?: number }) => error.status,
  );

describe('support tickets in DynamoDB', () => {
  it('keeps a thread, lists one’s tickets and support’s queue by index, and moves a ticket between states', async () => {
    const { deps, clock, table } = await setUp('support-store', '2031-05-04T08:00:00Z');
    const alice = randomUUID();
    const bob = randomUUID();
    const first = await openTicket(deps, alice, ['client'], {
      category: 'booking',
      subject: 'Mon rendez-vous',
      text: SECRET,
    });
    clock.advance(60_000);
    const second = await openTicket(deps, bob, ['practitioner'], {
      category: 'complaint',
      subject: 'Un praticien',
      text: 'Bonjour',
    });
    clock.advance(60_000);
    const third = await openTicket(deps, alice, ['client'], {
      category: 'question',
      subject: 'Une question',
      text: 'Et ?',
    });

    // One's own, newest first; someone else's is a 404.
    const mine = await listMyTickets(deps, alice, { limit: 10 });
    expect(mine.items.map((t) => t.id)).toEqual([third.id, first.id]);
    expect(await problemOf(getMyTicket(deps, bob, first.id))).toBe(404);
    expect(await problemOf(answerMyTicket(deps, bob, first.id, 'intrusion'))).toBe(404);

    // Support's queue: oldest first, a page at a time, by state.
    const page1 = await listQueue(deps, { status: 'waiting-for-support', limit: 2 });
    expect(page1.items.map((t) => t.id)).toEqual([first.id, second.id]);
    expect(page1.items[1]).toMatchObject({ openerId: bob, openerRole: 'practitioner', category: 'complaint' });
    const page2 = await listQueue(deps, { status: 'waiting-for-support', limit: 2, cursor: page1.nextCursor });
    expect(page2.items.map((t) => t.id)).toEqual([third.id]);
    expect(await problemOf(listQueue(deps, { status: 'waiting-for-user', limit: 2, cursor: page1.nextCursor }))).toBe(
      400,
    );

    // Assigned, answered: it waits for Alice, out of support's queue.
    clock.advance(3600_000);
    expect(await assignTicket(deps, first.id, STAFF)).toMatchObject({ assigneeId: STAFF });
    const answer = await answerTicket(deps, STAFF, first.id, `Réponse ${SECRET}`);
    expect(answer).toMatchObject({ from: 'support', authorId: STAFF });
    const waitingForUser = await listQueue(deps, { status: 'waiting-for-user', limit: 10 });
    expect(waitingForUser.items.map((t) => t.id)).toEqual([first.id]);
    expect(waitingForUser.items[0]).toMatchObject({
      waitingSince: clock.now().toISOString(),
      autoCloseAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
    });
    expect((await listQueue(deps, { status: 'waiting-for-support', limit: 10 })).items.map((t) => t.id)).toEqual([
      second.id,
      third.id,
    ]);

    // Alice answers: support's turn again; the thread, oldest first.
    clock.advance(60_000);
    await answerMyTicket(deps, alice, first.id, 'Merci');
    const thread = await getMyTicket(deps, alice, first.id);
    expect(thread).toMatchObject({ status: 'waiting-for-support', messageCount: 3, canAnswer: true });
    expect(thread.autoCloseAt).toBeUndefined();
    expect(thread.messages?.map((m) => [m.from, m.text])).toEqual([
      ['me', SECRET],
      ['support', `Réponse ${SECRET}`],
      ['me', 'Merci'],
    ]);
    expect((await getTicket(deps, first.id)).messages?.map((m) => m.authorId)).toEqual([alice, STAFF, alice]);
    expect((await listQueue(deps, { status: 'waiting-for-user', limit: 10 })).items).toEqual([]);
    const waiting = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byWaiting',
        KeyConditionExpression: 'waitingPk = :w',
        ExpressionAttributeValues: { ':w': 'WAITING' },
      }),
    );
    expect(waiting.Items).toEqual([]);
  });

  it('deletes the ticket and every message at its closure, at once; the audit entry (no text) and the count remain', async () => {
    const { deps, clock, table, store } = await setUp('support-close', '2031-06-10T08:00:00Z');
    const alice = randomUUID();
    const ticket = await openTicket(deps, alice, ['client'], {
      category: 'complaint',
      subject: `Objet ${SECRET}`,
      text: SECRET,
    });
    await assignTicket(deps, ticket.id, STAFF);
    await answerTicket(deps, STAFF, ticket.id, `Réponse ${SECRET}`);
    await answerMyTicket(deps, alice, ticket.id, `Encore ${SECRET}`);
    const other = await openTicket(deps, alice, ['client'], { category: 'complaint', subject: 'Autre', text: 'Autre' });

    // Every stored attribute is explained in the person's export (keys and index keys aside).
    const stored = await scan(table);
    for (const item of stored.filter((i) => i.pk === `TICKET#${ticket.id}`)) {
      const entity = entities.find((e) => e.name === item.entity)!;
      const fields = 'export' in entity && 'fields' in entity.export ? entity.export.fields : {};
      for (const field of Object.keys(recordOf(item as never, technicalAttributes('support')))) {
        if (field !== KEPT_UNTIL) expect(Object.keys(fields), `${entity.name}.${field}`).toContain(field);
      }
    }

    // A message read before a closure's read makes the closure read again (the count is the condition).
    const read = (await store.get(ticket.id))!;
    await answerTicket(deps, STAFF, ticket.id, 'Une dernière précision');
    expect(await store.close(read, closureOf(read, 'resolved', clock.now(), STAFF), clock.now())).toBe('changed');

    clock.advance(DAY);
    const closed = await closeTicket(deps, STAFF, ticket.id, 'unresolved');
    expect(closed).toEqual({
      ticketId: ticket.id,
      category: 'complaint',
      outcome: 'unresolved',
      closedAt: clock.now().toISOString(),
    });
    const after = await scan(table);
    expect(after.filter((i) => JSON.stringify(i).includes(SECRET))).toEqual([]);
    expect(after.filter((i) => i.pk === `TICKET#${ticket.id}`)).toEqual([]);
    const audit = after.filter((i) => JSON.stringify(i).includes(ticket.id));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entity: 'support-ticket-closure',
      ticketId: ticket.id,
      openerId: alice,
      outcome: 'unresolved',
      closedBy: STAFF,
      assigneeId: STAFF,
      messageCount: 4,
      subjectKey: `account#${alice}`,
      retentionPurpose: 'support-audit',
      expiresAt: epochSeconds(addPeriod(clock.now(), { years: 5 })),
    });
    expect(audit[0]!.subject).toBeUndefined();
    expect(after.find((i) => i.entity === 'support-closure-count')).toMatchObject({
      pk: `COUNT#${clock.now().toISOString().slice(0, 7)}`,
      sk: 'complaint#unresolved',
      closed: 1,
    });
    // The other ticket is there, untouched; the closed one is gone for everyone.
    expect(after.filter((i) => i.pk === `TICKET#${other.id}`)).toHaveLength(2);
    expect(await problemOf(getMyTicket(deps, alice, ticket.id))).toBe(404);
    expect(await problemOf(closeTicket(deps, STAFF, ticket.id, 'resolved'))).toBe(404);
    expect((await listMyTickets(deps, alice, { limit: 10 })).items.map((t) => t.id)).toEqual([other.id]);

    // A second closure in the month adds to the count.
    await closeTicket(deps, STAFF, other.id, 'unresolved');
    expect((await scan(table)).find((i) => i.entity === 'support-closure-count')).toMatchObject({ closed: 2 });
  });

  it('opens one ticket per message report, shows it in the queue, and closes it to an audit entry of ids', async () => {
    const { deps, table } = await setUp('support-report', '2031-07-01T08:00:00Z');
    const report = {
      reportId: `mrp_${randomUUID().replaceAll('-', '')}`,
      conversationId: `cnv_${'1'.repeat(32)}`,
      messageId: `msg_${'2'.repeat(32)}`,
      reason: 'harassment' as const,
    };
    const opened = await openReportTicket(deps, report);
    expect(opened.opened).toBe(true);
    expect(await openReportTicket(deps, report)).toEqual({ ticketId: opened.ticketId, opened: false });
    const queue = await listQueue(deps, { status: 'waiting-for-support', limit: 10 });
    expect(queue.items).toEqual([
      expect.objectContaining({ id: opened.ticketId, kind: 'message-report', category: 'message-report', report }),
    ]);
    expect(await problemOf(answerTicket(deps, STAFF, opened.ticketId, 'à qui ?'))).toBe(409);
    await closeTicket(deps, STAFF, opened.ticketId, 'resolved');
    const items = await scan(table);
    expect(items.filter((i) => i.pk === `TICKET#${opened.ticketId}`)).toEqual([]);
    const audit = items.find((i) => i.entity === 'message-report-closure');
    expect(audit).toMatchObject({ ticketId: opened.ticketId, ...report, outcome: 'resolved', closedBy: STAFF });
    expect(audit?.subjectKey).toBeUndefined();
    // Closed, the report opens no ticket again.
    expect((await openReportTicket(deps, report)).opened).toBe(false);
  });
});

describe('time travel: a ticket waiting for its opener', () => {
  it('gets the notice at day 23 (once), is closed at day 30, unless its opener answered', async () => {
    const { deps, clock, table, mails } = await setUp('support-clock', '2032-01-10T09:00:00Z');
    const alice = randomUUID();
    const bob = randomUUID();
    const silent = await openTicket(deps, alice, ['client'], {
      category: 'payment',
      subject: 'Paiement',
      text: SECRET,
    });
    const talkative = await openTicket(deps, bob, ['client'], { category: 'account', subject: 'Compte', text: 'Aide' });
    const untouched = await openTicket(deps, bob, ['client'], { category: 'question', subject: 'Question', text: '?' });
    const answeredAt = clock.now();
    await answerTicket(deps, STAFF, silent.id, 'Pouvez-vous préciser ?');
    await answerTicket(deps, STAFF, talkative.id, 'Pouvez-vous préciser ?');

    clock.set(new Date(answeredAt.getTime() + 22 * DAY));
    expect(await runTicketClock(deps)).toEqual({ noticed: 0, closed: 0, changed: 0 });
    clock.set(new Date(answeredAt.getTime() + 23 * DAY + 60_000));
    expect(await runTicketClock(deps)).toEqual({ noticed: 2, closed: 0, changed: 0 });
    expect(mails.map((m) => m.subject)).toEqual([
      'Votre demande au support sera bientôt close',
      'Votre demande au support sera bientôt close',
    ]);
    expect(mails.every((m) => !m.text.includes(SECRET))).toBe(true);
    expect((await getTicket(deps, silent.id)).noticeSentAt).toBe(clock.now().toISOString());
    clock.advance(DAY);
    expect(await runTicketClock(deps)).toEqual({ noticed: 0, closed: 0, changed: 0 });

    // Bob answers on day 25: his ticket waits for support again, the clock leaves it.
    clock.set(new Date(answeredAt.getTime() + 25 * DAY));
    await answerMyTicket(deps, bob, talkative.id, 'Voici');

    clock.set(new Date(answeredAt.getTime() + 30 * DAY - 60_000));
    expect(await runTicketClock(deps)).toEqual({ noticed: 0, closed: 0, changed: 0 });
    clock.set(new Date(answeredAt.getTime() + 30 * DAY + 60_000));
    expect(await runTicketClock(deps)).toEqual({ noticed: 0, closed: 1, changed: 0 });

    const items = await scan(table);
    expect(items.filter((i) => i.pk === `TICKET#${silent.id}`)).toEqual([]);
    expect(items.find((i) => i.ticketId === silent.id && i.entity === 'support-ticket-closure')).toMatchObject({
      outcome: 'no-reply',
      openerId: alice,
    });
    expect(
      items.find((i) => i.ticketId === silent.id && i.entity === 'support-ticket-closure')?.closedBy,
    ).toBeUndefined();
    expect((await getTicket(deps, talkative.id)).status).toBe('waiting-for-support');
    expect((await getTicket(deps, untouched.id)).status).toBe('waiting-for-support');
    // Nothing waits for an opener any more: the index is empty.
    const waiting = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byWaiting',
        KeyConditionExpression: 'waitingPk = :w',
        ExpressionAttributeValues: { ':w': 'WAITING' },
      }),
    );
    expect(waiting.Items).toEqual([]);
  });
});
