/**
 * The messaging context against DynamoDB Local (ADR 0016): one conversation per pair, unread
 * counts, pages both ways, blocks, closure, reports, the one mail while messages wait, a deleted
 * party, the data export; and time travel: the conversation is kept 5 years from its last message
 * (the clock slides at each one), its messages and reports with it.
 *
 * Every date lies after the machine's clock, and so does every expiry: DynamoDB Local deletes
 * expired items by itself, which would race the purge. The use cases' and the purge's clocks are
 * injected; DynamoDB Local's is not.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { dynamoConnectionStore } from '#functions/messaging/adapters/connection-store.ts';
import { dynamoConversationStore } from '#functions/messaging/adapters/conversation-store.ts';
import {
  closeConversation,
  exportConversations,
  forgetDeletedParty,
  listMessages,
  listMyConversations,
  mailRecipient,
  markConversationRead,
  openConversation,
  reportMessage,
  sendMessage,
  setConversationBlock,
} from '#functions/messaging/use-cases.ts';
import { dynamoCheckpointStore } from '#functions/retention/adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from '#functions/retention/adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from '#functions/retention/adapters/purge-tables.ts';
import { purgeExpiredItems } from '#functions/retention/purge.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';
import { addPeriod, epochSeconds, utcDay } from '#shared/retention/expiry.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';
import { recordingPublisher } from '../unit/purge-memory-store.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterEach(() => dropFreshTables(cloud.urls.dynamodb));
afterAll(() => db.destroy());

const DAY = 86_400_000;

async function setUp(label: string, start: string) {
  const names = await freshTables(cloud.urls.dynamodb, label);
  const clock = manualClock(new Date(start));
  const store = dynamoConversationStore({ client: db, tableName: names.messaging });
  const people = {
    identityOf: async (id: string) =>
      id === clientId ? { firstName: 'Zoé', lastName: 'martin', email: 'zoe@example.test' } : undefined,
  };
  const offers = {
    find: async (id: string) =>
      id === practitionerId
        ? {
            practitionerId,
            displayName: 'Camille Praticienne',
            services: [],
            schedule: {} as never,
            cancellationPolicy: {} as never,
          }
        : undefined,
  };
  const clientId = randomUUID();
  const practitionerId = randomUUID();
  const mails: Mail[] = [];
  const mailer = {
    send: async (mail: Mail) => {
      mails.push(mail);
      return { messageId: `m${mails.length}` };
    },
  };
  return {
    names,
    clock,
    store,
    deps: { store, clock },
    openDeps: { store, clock, people, offers },
    mailDeps: {
      store,
      clock,
      people: { identityOf: async () => ({ email: 'x@example.test', firstName: 'X' }) },
      mailer,
      // Nobody objected to the mail (test/integration/consents.test.ts tests an objection).
      alerts: { record: async () => true, get: async () => undefined, slide: async () => undefined },
    },
    mails,
    clientId,
    practitionerId,
  };
}

describe('conversations', () => {
  it('one per pair; messages both ways with unread counts, pages before and after, read marks', async () => {
    const t = await setUp('msg-flow', '2031-01-10T10:00:00Z');
    const first = await openConversation(t.openDeps, t.clientId, t.practitionerId);
    expect(first.created).toBe(true);
    expect(first.view.otherParty).toEqual({ side: 'practitioner', name: 'Camille Praticienne', deleted: false });
    const again = await openConversation(t.openDeps, t.clientId, t.practitionerId);
    expect(again).toMatchObject({ created: false, view: { id: first.view.id } });
    await expect(openConversation(t.openDeps, t.clientId, randomUUID())).rejects.toMatchObject({ status: 404 });

    const id = first.view.id;
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      t.clock.advance(1000);
      const from = i % 2 === 0 ? t.clientId : t.practitionerId;
      sent.push((await sendMessage(t.deps, from, id, `Message ${i}`)).id);
    }
    const forPractitioner = await listMyConversations(t.deps, t.practitionerId, ['practitioner'], { limit: 10 });
    expect(forPractitioner.items).toHaveLength(1);
    expect(forPractitioner.items[0]).toMatchObject({
      unreadCount: 4,
      otherParty: { side: 'client', name: 'Zoé M.', deleted: false },
      canSend: true,
    });
    const forClient = await listMyConversations(t.deps, t.clientId, ['client'], { limit: 10 });
    expect(forClient.items[0]).toMatchObject({ unreadCount: 3, lastMessageAt: t.clock.now().toISOString() });

    // The latest three, oldest first; then the ones before, then none after the newest.
    const latest = await listMessages(t.deps, t.clientId, id, { limit: 3 });
    expect(latest.items.map((m) => m.text)).toEqual(['Message 4', 'Message 5', 'Message 6']);
    expect(latest.items.map((m) => m.from)).toEqual(['me', 'other', 'me']);
    expect(latest.olderCursor).toBeDefined();
    const older = await listMessages(t.deps, t.clientId, id, { limit: 3, before: latest.olderCursor });
    expect(older.items.map((m) => m.text)).toEqual(['Message 1', 'Message 2', 'Message 3']);
    const oldest = await listMessages(t.deps, t.clientId, id, { limit: 3, before: older.olderCursor });
    expect(oldest.items.map((m) => m.text)).toEqual(['Message 0']);
    expect(oldest.olderCursor).toBeUndefined();
    const none = await listMessages(t.deps, t.clientId, id, { limit: 3, after: latest.newerCursor });
    expect(none.items).toEqual([]);
    t.clock.advance(1000);
    await sendMessage(t.deps, t.practitionerId, id, 'Message 7');
    const newer = await listMessages(t.deps, t.clientId, id, { limit: 3, after: latest.newerCursor });
    expect(newer.items.map((m) => m.text)).toEqual(['Message 7']);
    await expect(listMessages(t.deps, t.clientId, id, { limit: 3, after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      status: 400,
    });

    // A stranger sees nothing: 404 on every door.
    const stranger = randomUUID();
    await expect(listMessages(t.deps, stranger, id, { limit: 3 })).rejects.toMatchObject({ status: 404 });
    await expect(sendMessage(t.deps, stranger, id, 'Bonjour')).rejects.toMatchObject({ status: 404 });
    await expect(markConversationRead(t.deps, stranger, id)).rejects.toMatchObject({ status: 404 });

    const read = await markConversationRead(t.deps, t.clientId, id);
    expect(read.unreadCount).toBe(0);
    const practitionerView = await listMyConversations(t.deps, t.practitionerId, ['practitioner'], { limit: 10 });
    expect(practitionerView.items[0]?.unreadCount).toBe(4);
  });

  it('a block stops messages both ways until lifted; a closed conversation takes none; reports name ids only', async () => {
    const t = await setUp('msg-block', '2031-01-10T10:00:00Z');
    const { view } = await openConversation(t.openDeps, t.clientId, t.practitionerId);
    const hello = await sendMessage(t.deps, t.clientId, view.id, 'Bonjour');
    const blocked = await setConversationBlock(t.deps, t.practitionerId, view.id, true);
    expect(blocked).toMatchObject({ blockedByMe: true, canSend: false });
    await expect(sendMessage(t.deps, t.clientId, view.id, 'Encore')).rejects.toMatchObject({ status: 409 });
    await expect(sendMessage(t.deps, t.practitionerId, view.id, 'Non')).rejects.toMatchObject({ status: 409 });
    await setConversationBlock(t.deps, t.practitionerId, view.id, false);
    await sendMessage(t.deps, t.clientId, view.id, 'Merci');

    // Reports: never one's own message, once per message and reporter; the event has ids only.
    const reported: unknown[] = [];
    const reportDeps = { ...t.deps, reported: async (r: unknown) => void reported.push(r) };
    await expect(reportMessage(reportDeps, t.clientId, view.id, hello.id, 'spam')).rejects.toMatchObject({
      status: 403,
    });
    const receipt = await reportMessage(reportDeps, t.practitionerId, view.id, hello.id, 'harassment');
    await expect(reportMessage(reportDeps, t.practitionerId, view.id, hello.id, 'spam')).rejects.toMatchObject({
      status: 409,
    });
    expect(reported).toEqual([
      { reportId: receipt.reportId, conversationId: view.id, messageId: hello.id, reason: 'harassment' },
    ]);

    await expect(closeConversation(t.deps, t.clientId, view.id)).rejects.toMatchObject({ status: 404 });
    const closed = await closeConversation(t.deps, t.practitionerId, view.id);
    expect(closed).toMatchObject({ canSend: false, closedAt: t.clock.now().toISOString() });
    await expect(sendMessage(t.deps, t.clientId, view.id, 'Allô ?')).rejects.toMatchObject({ status: 409 });
  });

  it('mails the recipient once while messages wait unread, again after they read', async () => {
    const t = await setUp('msg-mail', '2031-01-10T10:00:00Z');
    const { view } = await openConversation(t.openDeps, t.clientId, t.practitionerId);
    const text = 'Un texte que personne ne doit voir par courriel';
    for (let i = 0; i < 3; i++) {
      await sendMessage(t.deps, t.clientId, view.id, text);
      expect(await mailRecipient(t.mailDeps, view.id, t.practitionerId)).toBe(i === 0 ? 'mailed' : 'already-told');
    }
    // A duplicate delivery of the same event: still one mail.
    expect(await mailRecipient(t.mailDeps, view.id, t.practitionerId)).toBe('already-told');
    expect(t.mails).toHaveLength(1);
    expect(t.mails[0]?.subject).toBe('Nouveau message sur Mon Pro du Bien-Être');
    expect(JSON.stringify(t.mails[0])).not.toContain(text);
    await markConversationRead(t.deps, t.practitionerId, view.id);
    await sendMessage(t.deps, t.clientId, view.id, text);
    expect(await mailRecipient(t.mailDeps, view.id, t.practitionerId)).toBe('mailed');
    expect(t.mails).toHaveLength(2);
  });

  it('a deleted party is "compte supprimé" to the other, who keeps the conversation; the export has it all', async () => {
    const t = await setUp('msg-deleted', '2031-01-10T10:00:00Z');
    const { view } = await openConversation(t.openDeps, t.clientId, t.practitionerId);
    await sendMessage(t.deps, t.clientId, view.id, 'Bonjour');
    t.clock.advance(1000);
    await sendMessage(t.deps, t.practitionerId, view.id, 'Bonjour Zoé');
    const exported = await exportConversations(t.deps, t.clientId);
    expect(exported).toEqual([
      expect.objectContaining({
        id: view.id,
        side: 'client',
        otherParty: 'Camille Praticienne',
        messages: [
          expect.objectContaining({ from: 'me', text: 'Bonjour' }),
          expect.objectContaining({ from: 'other', text: 'Bonjour Zoé' }),
        ],
      }),
    ]);

    const connections = dynamoConnectionStore({ client: db, tableName: t.names.messaging });
    await connections.add('conn-a', t.clientId, t.clock.now());
    const closedConnections: string[] = [];
    const outcome = await forgetDeletedParty(
      { ...t.deps, connections, disconnect: async (id) => void closedConnections.push(id) },
      t.clientId,
    );
    expect(outcome).toEqual({ conversations: 1, connections: 1 });
    expect(closedConnections).toEqual(['conn-a']);
    expect(await connections.of(t.clientId)).toEqual([]);

    const seen = await listMyConversations(t.deps, t.practitionerId, ['practitioner'], { limit: 10 });
    expect(seen.items[0]).toMatchObject({
      otherParty: { side: 'client', name: 'compte supprimé', deleted: true },
      canSend: false,
    });
    expect((await listMessages(t.deps, t.practitionerId, view.id, { limit: 10 })).items).toHaveLength(2);
    await expect(sendMessage(t.deps, t.practitionerId, view.id, 'Au revoir')).rejects.toMatchObject({ status: 409 });
    expect((await listMyConversations(t.deps, t.clientId, ['client'], { limit: 10 })).items).toEqual([]);
    const root = await db.send(
      new GetCommand({
        TableName: t.names.messaging,
        Key: { pk: `CONV#${view.id}`, sk: 'CONV' },
        ConsistentRead: true,
      }),
    );
    expect(root.Item?.clientName).toBeUndefined();
    expect(JSON.stringify(root.Item)).not.toContain('Zoé');
  });
});

describe('conversation retention: time travel', () => {
  it('kept 5 years from its last message (the clock slides at each one), then purged with its messages', async () => {
    const t = await setUp('msg-retention', '2031-01-10T10:00:00Z');
    const { view } = await openConversation(t.openDeps, t.clientId, t.practitionerId);
    const root = async () =>
      (
        await db.send(
          new GetCommand({
            TableName: t.names.messaging,
            Key: { pk: `CONV#${view.id}`, sk: 'CONV' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    expect((await root())?.expiresAt).toBe(epochSeconds(addPeriod(new Date('2031-01-10T10:00:00Z'), { years: 5 })));

    await sendMessage(t.deps, t.clientId, view.id, 'Bonjour');
    // A year later, the last message: the clock starts again from it.
    const last = new Date('2032-02-20T08:30:00Z');
    t.clock.set(last);
    const reply = await sendMessage(t.deps, t.practitionerId, view.id, 'Bonjour, oui');
    await reportMessage({ ...t.deps, reported: async () => undefined }, t.clientId, view.id, reply.id, 'spam');
    const end = addPeriod(last, { years: 5 });
    expect((await root())?.expiresAt).toBe(epochSeconds(end));
    expect((await root())?.expiryDay).toBe(utcDay(end));

    const partition = async () =>
      (
        await db.send(
          new QueryCommand({
            TableName: t.names.messaging,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `CONV#${view.id}` },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    expect((await partition()).map((i) => i.entity).sort()).toEqual([
      'conversation',
      'message',
      'message',
      'message-report',
    ]);
    const deps = {
      store: dynamoRetentionTables({ client: db, tableNames: t.names }),
      checkpoints: dynamoCheckpointStore({ client: db, tableName: t.names.retention }),
      holds: dynamoLegalHolds({ client: db, tableName: t.names.retention }),
      events: recordingPublisher(),
      clock: t.clock,
      entities,
      tables: Object.keys(tables) as TableName[],
      // The first expiry (5 years from the opening) was moved: the purge starts near the real one.
      options: { startDay: utcDay(new Date(end.getTime() - 30 * DAY)) },
    };

    // One day before the end: readable, and the purge leaves it.
    t.clock.set(new Date(end.getTime() - DAY));
    expect((await listMessages(t.deps, t.clientId, view.id, { limit: 10 })).items).toHaveLength(2);
    expect(await purgeExpiredItems(deps)).toMatchObject({ complete: true, itemsDeleted: 0 });
    expect(await partition()).toHaveLength(4);

    // One day after: no read shows it, and the purge deletes it with its messages and report.
    t.clock.set(new Date(end.getTime() + DAY));
    await expect(listMessages(t.deps, t.clientId, view.id, { limit: 10 })).rejects.toMatchObject({ status: 404 });
    expect((await listMyConversations(t.deps, t.practitionerId, ['practitioner'], { limit: 10 })).items).toEqual([]);
    expect(await purgeExpiredItems(deps)).toMatchObject({
      complete: true,
      itemsDeleted: 4,
      deletedByPurpose: { exchange: 4 },
    });
    expect(await partition()).toEqual([]);
  });
});
