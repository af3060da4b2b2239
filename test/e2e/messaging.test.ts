/**
 * Messaging end to end, over HTTP and the WebSocket API of the local cloud (ADR 0016): a client
 * opens a conversation with a published practitioner; both have a socket open; each message
 * reaches the other's socket (MessageSent from the table's stream, pushed through the management
 * API); the recipient is mailed once while messages wait unread; read marks, a block, a closure, a
 * report to support; a deleted account is "compte supprimé" to the other party and its socket is
 * closed. Then the scan: the messages' text is in message items and nowhere else we keep or send
 * (no other item, no log line, no event, no mail).
 */
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import type { z } from 'zod';
import { MessageReported, MessageSent } from '#events/catalogue.ts';
import { callAs, openAgenda } from '../support/bookings.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address: rate limits are per IP and account.
const IP = '127.0.0.121';
const dynamo = localDocumentClient(cloud.urls.dynamodb);
/** In every message of this file, so that the scan finds any copy of a text. */
const MARK = `texte-privé-${Date.now().toString(36)}`;

let client: Person;
let practitioner: Person;

beforeAll(async () => {
  [client, practitioner] = await Promise.all([signedInPerson(cloud, 'client'), signedInPerson(cloud, 'practitioner')]);
  await openAgenda(cloud, IP, practitioner);
}, 90_000);

afterAll(() => dynamo.destroy());

interface Pushed {
  type: string;
  conversationId: string;
  message: { id: string; from: 'me' | 'other'; text: string; sentAt: string };
}

/** A socket of the person, with what it received; resolves once open, rejects with the refusal's status. */
function connect(
  person: Person | undefined,
  token = person?.idToken,
): Promise<{
  socket: WebSocket;
  received: Pushed[];
  closed: Promise<number>;
}> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${cloud.urls.webSocket}?token=${encodeURIComponent(token ?? '')}`, {
      localAddress: IP,
    });
    const received: Pushed[] = [];
    const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as Pushed));
    socket.once('open', () => resolve({ socket, received, closed }));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

const json = <T>(reply: { body: string }) => JSON.parse(reply.body) as T;

interface ConversationView {
  id: string;
  unreadCount: number;
  canSend: boolean;
  otherParty: { side: string; name: string; deleted: boolean };
  blockedByMe: boolean;
  closedAt?: string;
}

describe('messaging over HTTP and the WebSocket API', () => {
  it('refuses a socket without a valid token (401); staff, client accounts too, may connect', async () => {
    await expect(connect(undefined, 'not-a-token')).rejects.toThrow('refused 401');
    await expect(connect(undefined, '')).rejects.toThrow('refused 401');
    const moderator = await signedInPerson(cloud, 'moderator');
    // A staff account is a client account with a staff group: it may message as a client.
    const socket = await connect(moderator);
    socket.socket.close();
  });

  it('open, exchange with live push, one mail while unread, read marks, block, close, report', async () => {
    const clientSocket = await connect(client);
    const practitionerSocket = await connect(practitioner);

    const opened = await callAs(cloud, IP, client, 'POST', '/conversations', {
      practitionerId: practitioner.accountId,
    });
    expect(opened.status).toBe(201);
    const conversation = json<ConversationView>(opened);
    const again = await callAs(cloud, IP, client, 'POST', '/conversations', {
      practitionerId: practitioner.accountId,
    });
    expect(again.status).toBe(200);
    expect(json<ConversationView>(again).id).toBe(conversation.id);
    const path = `/conversations/${conversation.id}`;

    // The client writes: the practitioner's socket gets it, as the practitioner reads it.
    const first = await callAs(cloud, IP, client, 'POST', `${path}/messages`, { text: `Bonjour ${MARK} 1` });
    expect(first.status).toBe(201);
    const firstId = json<{ id: string }>(first).id;
    const pushed = await until('the push of the first message', () =>
      practitionerSocket.received.find((p) => p.message.id === firstId),
    );
    expect(pushed).toMatchObject({
      type: 'message',
      conversationId: conversation.id,
      message: { from: 'other', text: `Bonjour ${MARK} 1` },
    });
    // The practitioner is mailed once, without the text.
    const mailed = await until('the new-message mail', async () =>
      (await mails(cloud.urls.mailStore)).find(
        (m) =>
          m.destination.to.includes(practitioner.email) && m.subject === 'Nouveau message sur Mon Pro du Bien-Être',
      ),
    );
    expect(JSON.stringify(mailed)).not.toContain(MARK);

    // Two more: pushed, but no second mail while they wait unread (the mail consumer says so in the log).
    const more: string[] = [];
    for (const n of [2, 3]) {
      const sent = await callAs(cloud, IP, client, 'POST', `${path}/messages`, { text: `Et ${MARK} ${n}` });
      more.push(json<{ id: string }>(sent).id);
    }
    await until('the pushes', () =>
      more.every((id) => practitionerSocket.received.some((p) => p.message.id === id)) ? true : undefined,
    );
    await until('the mail consumer to have seen both', () => {
      const log = readFileSync(cloud.logFile, 'utf8');
      return more.every((id) => log.split('\n').some((l) => l.includes(id) && l.includes('already-told')))
        ? true
        : undefined;
    });
    const toPractitioner = (await mails(cloud.urls.mailStore)).filter(
      (m) => m.destination.to.includes(practitioner.email) && m.subject.startsWith('Nouveau message'),
    );
    expect(toPractitioner).toHaveLength(1);

    const practitionerList = json<{ items: ConversationView[] }>(
      await callAs(cloud, IP, practitioner, 'GET', '/conversations'),
    );
    expect(practitionerList.items.find((c) => c.id === conversation.id)).toMatchObject({
      unreadCount: 3,
      otherParty: { side: 'client', name: 'Test P.', deleted: false },
    });

    // The practitioner reads and answers: the client's socket gets it.
    const read = await callAs(cloud, IP, practitioner, 'POST', `${path}/read`);
    expect(json<ConversationView>(read).unreadCount).toBe(0);
    const answer = await callAs(cloud, IP, practitioner, 'POST', `${path}/messages`, { text: `Oui ${MARK} 4` });
    const answerId = json<{ id: string }>(answer).id;
    await until('the push of the answer', () => clientSocket.received.find((p) => p.message.id === answerId));
    const page = json<{ items: { id: string; from: string }[] }>(
      await callAs(cloud, IP, client, 'GET', `${path}/messages?limit=10`),
    );
    expect(page.items.map((m) => m.from)).toEqual(['me', 'me', 'me', 'other']);

    // A block stops both ways until lifted.
    expect(
      json<ConversationView>(await callAs(cloud, IP, client, 'PUT', `${path}/block`, { blocked: true })),
    ).toMatchObject({ blockedByMe: true, canSend: false });
    expect((await callAs(cloud, IP, practitioner, 'POST', `${path}/messages`, { text: `Non ${MARK}` })).status).toBe(
      409,
    );
    await callAs(cloud, IP, client, 'PUT', `${path}/block`, { blocked: false });

    // A report names the message to support: MessageReported carries ids and the reason.
    const report = await callAs(cloud, IP, client, 'POST', `${path}/messages/${answerId}/reports`, {
      reason: 'inappropriate',
    });
    expect(report.status).toBe(202);
    await until('MessageReported on the bus', () =>
      readFileSync(cloud.logFile, 'utf8').includes(`detail-type=${MessageReported.detailType} `) ? true : undefined,
    );

    // The practitioner closes: nobody writes any more.
    expect((await callAs(cloud, IP, client, 'POST', `${path}/close`)).status).toBe(403);
    const closed = json<ConversationView>(await callAs(cloud, IP, practitioner, 'POST', `${path}/close`));
    expect(closed).toMatchObject({ canSend: false });
    expect((await callAs(cloud, IP, client, 'POST', `${path}/messages`, { text: `Allô ${MARK}` })).status).toBe(409);

    clientSocket.socket.close();
    practitionerSocket.socket.close();
  }, 90_000);

  it('a deleted account is "compte supprimé" to the other party, who keeps the conversation; its socket closes', async () => {
    const leaving = await signedInPerson(cloud, 'client');
    const leavingSocket = await connect(leaving);
    const opened = json<ConversationView>(
      await callAs(cloud, IP, leaving, 'POST', '/conversations', { practitionerId: practitioner.accountId }),
    );
    await callAs(cloud, IP, leaving, 'POST', `/conversations/${opened.id}/messages`, { text: `Au revoir ${MARK}` });
    expect((await callAs(cloud, IP, leaving, 'DELETE', '/me')).status).toBe(202);

    expect(await leavingSocket.closed).toBe(1000);
    const seen = await until('the conversation to show the deleted party', async () => {
      const list = json<{ items: ConversationView[] }>(await callAs(cloud, IP, practitioner, 'GET', '/conversations'));
      const found = list.items.find((c) => c.id === opened.id);
      return found?.otherParty.deleted ? found : undefined;
    });
    expect(seen).toMatchObject({ otherParty: { name: 'compte supprimé', deleted: true }, canSend: false });
    const page = json<{ items: { text: string }[] }>(
      await callAs(cloud, IP, practitioner, 'GET', `/conversations/${opened.id}/messages`),
    );
    expect(page.items.map((m) => m.text)).toEqual([`Au revoir ${MARK}`]);
  }, 60_000);

  it('keeps the texts in message items only: no other item, log line, event or mail holds one', async () => {
    const names = Object.values(tableNamesFrom(cloud.env));
    const holding: string[] = [];
    let messageItems = 0;
    for (const table of names) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
        for (const item of page.Items ?? []) {
          if (!JSON.stringify(item).includes(MARK)) continue;
          if (item.entity === 'message') messageItems++;
          else holding.push(`${table} ${String(item.pk)} | ${String(item.sk)} (${String(item.entity)})`);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    expect(messageItems).toBeGreaterThanOrEqual(5);
    expect(holding).toEqual([]);

    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain(`detail-type=${MessageSent.detailType} `);
    expect(log.split('\n').filter((l) => l.includes(MARK))).toEqual([]);
    expect((await mails(cloud.urls.mailStore)).filter((m) => JSON.stringify(m).includes(MARK))).toEqual([]);
    // The events: strict contracts of identifiers, none of whose fields can take a text.
    for (const contract of [MessageSent, MessageReported]) {
      const data = contract.data as unknown as z.ZodObject;
      expect(data.def.catchall?._zod.def.type).toBe('never');
      for (const [name, field] of Object.entries(data.shape as Record<string, z.ZodType>)) {
        expect(field.safeParse(`Bonjour ${MARK}`).success, `${contract.detailType}.${name}`).toBe(false);
      }
    }
  });
});
