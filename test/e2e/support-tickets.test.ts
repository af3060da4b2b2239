/**
 * Support tickets end to end, over HTTP against the local cloud (ADR 0019): a client opens a
 * complaint and is mailed an acknowledgement; support finds it in the queue, assigns it to
 * themselves, answers (the client is mailed, without the answer), the client answers back, support
 * closes it unresolved: the closing mail names the consumer mediator, and a scan of every table
 * finds nothing of the ticket but its audit entry and the month's count (no text anywhere); a
 * reported message becomes a ticket in the queue; a stranger cannot reach a ticket. The texts are
 * in no log line, no mail and no event.
 */
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { MessageReported, TicketAnswered, TicketClosed, TicketOpened } from '#events/catalogue.ts';
import { DEFAULT_MEDIATOR } from '#shared/mail/mediator.ts';
import { callAs, openAgenda } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address: rate limits are per IP and account.
const IP = '127.0.0.127';
const dynamo = localDocumentClient(cloud.urls.dynamodb);
/** In every text of this file, so that the scan finds any copy of one. */
const MARK = `ticket-privé-${Date.now().toString(36)}`;

let client: Person;
let otherClient: Person;
let staff: Person;

beforeAll(async () => {
  [client, otherClient, staff] = await Promise.all([
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'support'),
  ]);
}, 90_000);

afterAll(() => dynamo.destroy());

const json = <T>(reply: { body: string }) => JSON.parse(reply.body) as T;

interface StaffTicket {
  id: string;
  kind: string;
  category: string;
  status: string;
  assigneeId?: string;
  messageCount: number;
  report?: { reportId: string; conversationId: string; messageId: string; reason: string };
  messages?: { from: string; authorId: string; text: string }[];
}

/** Every open ticket of a state in support's queue, page after page. */
async function queue(status: string): Promise<StaffTicket[]> {
  const found: StaffTicket[] = [];
  let cursor: string | undefined;
  do {
    const path = `/support/tickets?status=${status}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = json<{ items: StaffTicket[]; nextCursor?: string }>(await callAs(cloud, IP, staff, 'GET', path));
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

const mailTo = (person: Person, subject: string) => async () =>
  (await mails(cloud.urls.mailStore)).find((m) => m.destination.to.includes(person.email) && m.subject === subject);

async function scanAll(): Promise<{ table: string; item: Record<string, unknown> }[]> {
  const found: { table: string; item: Record<string, unknown> }[] = [];
  for (const [table, name] of Object.entries(tableNamesFrom(cloud.env))) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: name, ExclusiveStartKey }));
      for (const item of page.Items ?? []) found.push({ table, item });
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return found;
}

describe('support tickets over HTTP', () => {
  it('open, answer, close: the ticket and its messages are gone; its audit entry and the count remain, without text', async () => {
    const opened = await callAs(cloud, IP, client, 'POST', '/me/support-tickets', {
      category: 'complaint',
      subject: `Réclamation ${MARK}`,
      text: `Le praticien n’est pas venu ${MARK}`,
    });
    expect(opened.status).toBe(201);
    const ticket = json<{ id: string; status: string; messages: { from: string }[] }>(opened);
    expect(ticket).toMatchObject({ status: 'waiting-for-support', messages: [{ from: 'me' }] });
    const acknowledgement = await until(
      'the acknowledgement',
      mailTo(client, 'Votre demande au support a bien été reçue'),
    );
    expect(acknowledgement.body.text).toContain(ticket.id);

    // Support finds it in the queue (a client does not reach the queue), takes it and answers.
    expect((await callAs(cloud, IP, client, 'GET', '/support/tickets')).status).toBe(403);
    expect((await queue('waiting-for-support')).find((t) => t.id === ticket.id)).toMatchObject({
      kind: 'request',
      category: 'complaint',
    });
    const path = `/support/tickets/${ticket.id}`;
    const assigned = await callAs(cloud, IP, staff, 'POST', `${path}/assignment`, {});
    expect(json<StaffTicket>(assigned)).toMatchObject({ assigneeId: staff.accountId });
    const answer = await callAs(cloud, IP, staff, 'POST', `${path}/messages`, {
      text: `Pouvez-vous préciser ${MARK} ?`,
    });
    expect(answer.status).toBe(201);
    const notice = await until('the answer notice', mailTo(client, 'Le support vous a répondu'));
    expect(notice.body.text).toContain(ticket.id);
    expect((await queue('waiting-for-user')).some((t) => t.id === ticket.id)).toBe(true);

    // The client reads the thread and answers back.
    const mine = json<{ status: string; autoCloseAt?: string; messages: { from: string; text: string }[] }>(
      await callAs(cloud, IP, client, 'GET', `/me/support-tickets/${ticket.id}`),
    );
    expect(mine.status).toBe('waiting-for-user');
    expect(mine.autoCloseAt).toBeDefined();
    expect(mine.messages.map((m) => m.from)).toEqual(['me', 'support']);
    const back = await callAs(cloud, IP, client, 'POST', `/me/support-tickets/${ticket.id}/messages`, {
      text: `Le rendez-vous du 3 ${MARK}`,
    });
    expect(back.status).toBe(201);
    const list = json<{ items: { id: string }[] }>(await callAs(cloud, IP, client, 'GET', '/me/support-tickets'));
    expect(list.items.map((t) => t.id)).toContain(ticket.id);

    // Support closes it, unresolved: deleted at once; the closing mail names the mediator.
    const closed = await callAs(cloud, IP, staff, 'POST', `${path}/close`, { outcome: 'unresolved' });
    expect(closed.status).toBe(200);
    expect(json<{ outcome: string }>(closed).outcome).toBe('unresolved');
    expect((await callAs(cloud, IP, client, 'GET', `/me/support-tickets/${ticket.id}`)).status).toBe(404);
    expect((await callAs(cloud, IP, staff, 'GET', path)).status).toBe(404);
    const closing = await until('the closing mail', mailTo(client, 'Votre demande au support est close'));
    expect(closing.body.text).toContain(DEFAULT_MEDIATOR.name);
    expect(closing.body.text).toContain(DEFAULT_MEDIATOR.address);

    const everything = await scanAll();
    expect(everything.filter(({ item }) => JSON.stringify(item).includes(MARK))).toEqual([]);
    const ofTicket = everything.filter(({ item }) => JSON.stringify(item).includes(ticket.id));
    expect(ofTicket.map(({ table, item }) => `${table} ${String(item.entity)}`)).toEqual([
      'support support-ticket-closure',
    ]);
    expect(ofTicket[0]!.item).toMatchObject({ outcome: 'unresolved', openerId: client.accountId, messageCount: 3 });
    expect(ofTicket[0]!.item.subject).toBeUndefined();
    const month = new Date().toISOString().slice(0, 7);
    const count = everything.find(
      ({ item }) => item.entity === 'support-closure-count' && item.sk === 'complaint#unresolved',
    );
    expect(count?.item).toMatchObject({ month, category: 'complaint', outcome: 'unresolved' });
    expect(Object.keys(count!.item).sort()).toEqual(['category', 'closed', 'entity', 'month', 'outcome', 'pk', 'sk']);
  }, 120_000);

  it('turns a reported message into a ticket of ids in the queue, which support closes', async () => {
    const practitioner = await signedInPerson(cloud, 'practitioner');
    await openAgenda(cloud, IP, practitioner);
    const conversation = json<{ id: string }>(
      await callAs(cloud, IP, client, 'POST', '/conversations', { practitionerId: practitioner.accountId }),
    );
    const sent = json<{ id: string }>(
      await callAs(cloud, IP, practitioner, 'POST', `/conversations/${conversation.id}/messages`, {
        text: 'Un message désagréable',
      }),
    );
    const reported = await callAs(
      cloud,
      IP,
      client,
      'POST',
      `/conversations/${conversation.id}/messages/${sent.id}/reports`,
      { reason: 'harassment' },
    );
    expect(reported.status).toBe(202);
    const { reportId } = json<{ reportId: string }>(reported);

    const ticket = await until('the report’s ticket in the queue', async () =>
      (await queue('waiting-for-support')).find((t) => t.report?.reportId === reportId),
    );
    expect(ticket).toMatchObject({
      kind: 'message-report',
      category: 'message-report',
      messageCount: 0,
      report: { conversationId: conversation.id, messageId: sent.id, reason: 'harassment' },
    });
    const path = `/support/tickets/${ticket.id}`;
    expect(json<StaffTicket>(await callAs(cloud, IP, staff, 'GET', path)).messages).toEqual([]);
    expect((await callAs(cloud, IP, staff, 'POST', `${path}/messages`, { text: 'À qui ?' })).status).toBe(409);
    expect((await callAs(cloud, IP, staff, 'POST', `${path}/assignment`, {})).status).toBe(200);
    expect((await callAs(cloud, IP, staff, 'POST', `${path}/close`, { outcome: 'resolved' })).status).toBe(200);
    expect((await queue('waiting-for-support')).some((t) => t.id === ticket.id)).toBe(false);
  }, 120_000);

  it('gives a ticket to its opener only: a stranger gets a 404 and changes nothing', async () => {
    const opened = json<{ id: string }>(
      await callAs(cloud, IP, client, 'POST', '/me/support-tickets', {
        category: 'account',
        subject: `Mon compte ${MARK}`,
        text: `Je ne peux plus me connecter ${MARK}`,
      }),
    );
    const path = `/me/support-tickets/${opened.id}`;
    // Another client, and a support member calling the client routes (staff accounts are client accounts).
    for (const stranger of [otherClient, staff]) {
      expect((await callAs(cloud, IP, stranger, 'GET', path)).status).toBe(404);
      expect((await callAs(cloud, IP, stranger, 'POST', `${path}/messages`, { text: 'Intrus' })).status).toBe(404);
      const theirs = json<{ items: { id: string }[] }>(await callAs(cloud, IP, stranger, 'GET', '/me/support-tickets'));
      expect(theirs.items.map((t) => t.id)).not.toContain(opened.id);
    }
    expect(
      (await callAs(cloud, IP, otherClient, 'POST', `/support/tickets/${opened.id}/close`, { outcome: 'resolved' }))
        .status,
    ).toBe(403);
    const seen = json<{ messageCount: number; status: string }>(await callAs(cloud, IP, client, 'GET', path));
    expect(seen).toMatchObject({ messageCount: 1, status: 'waiting-for-support' });
    expect(
      (await callAs(cloud, IP, staff, 'POST', `/support/tickets/${opened.id}/close`, { outcome: 'resolved' })).status,
    ).toBe(200);
  }, 60_000);

  it('keeps the texts out of every log line, mail and event', async () => {
    await until('the closing mails', async () =>
      (await mails(cloud.urls.mailStore)).filter(
        (m) => m.destination.to.includes(client.email) && m.subject === 'Votre demande au support est close',
      ).length >= 2
        ? true
        : undefined,
    );
    const log = readFileSync(cloud.logFile, 'utf8');
    for (const contract of [TicketOpened, TicketAnswered, TicketClosed, MessageReported]) {
      expect(log).toContain(`detail-type=${contract.detailType} `);
    }
    expect(log.split('\n').filter((line) => line.includes(MARK))).toEqual([]);
    expect((await mails(cloud.urls.mailStore)).filter((m) => JSON.stringify(m).includes(MARK))).toEqual([]);
    // The events: strict contracts of identifiers and codes, none of whose fields can take a text.
    for (const contract of [TicketOpened, TicketAnswered, TicketClosed]) {
      const data = contract.data as unknown as z.ZodObject;
      expect(data.def.catchall?._zod.def.type).toBe('never');
      for (const [name, field] of Object.entries(data.shape as Record<string, z.ZodType>)) {
        expect(field.safeParse(`Bonjour ${MARK}`).success, `${contract.detailType}.${name}`).toBe(false);
      }
    }
  }, 60_000);
});
