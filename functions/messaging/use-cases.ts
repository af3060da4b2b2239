/**
 * The use cases of the messaging context (ADR 0016): opening a conversation, the lists, sending,
 * read marks, blocks, closure, reports, the recipient's mail, the live push, a deleted party, the
 * data export. What the handlers run, with injected deps. Only the two parties reach a
 * conversation: to anyone else it does not exist (404).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { displayName } from '#shared/identity/display-name.ts';
import type { PersonDirectory } from '#shared/identity/people.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { OfferReader } from '#shared/offer/offer-reader.ts';
import type { ConnectionStore } from './adapters/connection-store.ts';
import { type ConversationStore, decodeMessageCursor, encodeMessageCursor } from './adapters/conversation-store.ts';
import type { MailAlertStore } from './adapters/mail-alert-store.ts';
import {
  accountOf,
  type Conversation,
  type ConversationView,
  conversationIdFor,
  type Message,
  type MessageReportReason,
  type MessageView,
  messageViewFor,
  otherSide,
  refusalToSend,
  type Side,
  sideOf,
  sides,
  viewFor,
} from './domain/conversation.ts';
import { newMessageMail } from './domain/message-mail.ts';
import { wantsMailAlerts } from './mail-alerts.ts';

export interface MessagingDeps {
  readonly store: ConversationStore;
  readonly clock: Clock;
}

export interface OpenDeps extends MessagingDeps {
  readonly people: PersonDirectory;
  readonly offers: OfferReader;
}

const notFound = () => new HttpProblem(404, 'Not found', 'No conversation of yours with this id');

/** A message id begins with its time (12 hex digits of milliseconds), so ids sort as messages were sent. */
export function newMessageId(at: Date): string {
  return `msg_${at.getTime().toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

/** The conversation and the caller's side in it, or the 404 anyone else gets. */
async function partyConversation(
  deps: MessagingDeps,
  conversationId: string,
  accountId: string,
): Promise<{ conversation: Conversation; side: Side }> {
  const conversation = await deps.store.get(conversationId, deps.clock.now());
  const side = conversation && sideOf(conversation, accountId);
  if (!conversation || !side) throw notFound();
  return { conversation, side };
}

export async function openConversation(
  deps: OpenDeps,
  clientId: string,
  practitionerId: string,
): Promise<{ created: boolean; view: ConversationView }> {
  const now = deps.clock.now();
  if (practitionerId === clientId) throw new HttpProblem(404, 'Not found', 'No published practitioner with this id');
  const offer = await deps.offers.find(practitionerId, now);
  if (!offer) throw new HttpProblem(404, 'Not found', 'No published practitioner with this id');
  const id = conversationIdFor(clientId, practitionerId);
  const existing = await deps.store.get(id, now);
  if (existing) return { created: false, view: viewFor(existing, 'client') };
  const client = await deps.people.identityOf(clientId);
  const conversation: Conversation = {
    id,
    clientId,
    practitionerId,
    names: { client: displayName(client?.firstName, client?.lastName), practitioner: offer.displayName },
    deleted: { client: false, practitioner: false },
    openedAt: now,
    unread: { client: 0, practitioner: 0 },
    notified: { client: false, practitioner: false },
    blockedBy: { client: false, practitioner: false },
  };
  const opened = await deps.store.open(conversation, now);
  if (!opened.conversation) {
    throw new HttpProblem(409, 'Conflict', 'The previous conversation with this practitioner is being deleted');
  }
  return { created: opened.created, view: viewFor(opened.conversation, 'client') };
}

/** The caller's side in the lists: a practitioner lists the conversations they are the practitioner of. */
const sideOfRoles = (roles: readonly string[]): Side => (roles.includes('practitioner') ? 'practitioner' : 'client');

export async function listMyConversations(
  deps: MessagingDeps,
  accountId: string,
  roles: readonly string[],
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: ConversationView[]; nextCursor?: string }> {
  const side = sideOfRoles(roles);
  const found = await deps.store.listFor(
    side,
    accountId,
    { limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) },
    deps.clock.now(),
  );
  return {
    items: found.items.map((c) => viewFor(c, side)),
    ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
  };
}

export async function listMessages(
  deps: MessagingDeps,
  accountId: string,
  conversationId: string,
  query: { limit: number; before?: string | undefined; after?: string | undefined },
): Promise<{ items: MessageView[]; olderCursor?: string; newerCursor?: string }> {
  // Cursors are checked before anything is read: a forged one is a 400, whoever asks.
  const before = query.before !== undefined ? decodeMessageCursor(query.before) : undefined;
  const after = query.after !== undefined ? decodeMessageCursor(query.after) : undefined;
  const { side } = await partyConversation(deps, conversationId, accountId);
  const page = await deps.store.messages(conversationId, {
    limit: query.limit,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
  });
  return {
    items: page.items.map((m) => messageViewFor(m, side)),
    ...(page.olderCursor ? { olderCursor: encodeMessageCursor(page.olderCursor) } : {}),
    ...(page.newerCursor ? { newerCursor: encodeMessageCursor(page.newerCursor) } : {}),
  };
}

const refusalDetail: Record<NonNullable<ReturnType<typeof refusalToSend>>, string> = {
  blocked: 'A party blocked the other: no new message',
  closed: 'The practitioner closed this conversation',
  'party-deleted': 'The other party deleted their account',
};

/**
 * One message: the conversation read, then one transaction (the message and the conversation's
 * update). A conversation changed between the two (a block, a closure, a hold) is read again.
 */
export async function sendMessage(
  deps: MessagingDeps,
  accountId: string,
  conversationId: string,
  text: string,
): Promise<MessageView> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { conversation, side } = await partyConversation(deps, conversationId, accountId);
    const refusal = refusalToSend(conversation, side);
    if (refusal) throw new HttpProblem(409, 'Conflict', refusalDetail[refusal]);
    const now = deps.clock.now();
    const message: Message = {
      id: newMessageId(now),
      conversationId,
      senderId: accountId,
      from: side,
      sentAt: now,
      text,
    };
    const outcome = await deps.store.send(conversation, message, accountOf(conversation, otherSide(side)), now);
    if (outcome === 'sent') return messageViewFor(message, side);
  }
  throw new HttpProblem(409, 'Conflict', 'The conversation changed meanwhile: try again');
}

export async function markConversationRead(
  deps: MessagingDeps,
  accountId: string,
  conversationId: string,
): Promise<ConversationView> {
  const { side } = await partyConversation(deps, conversationId, accountId);
  const read = await deps.store.markRead(conversationId, side, deps.clock.now());
  if (!read) throw notFound();
  return viewFor(read, side);
}

export async function setConversationBlock(
  deps: MessagingDeps,
  accountId: string,
  conversationId: string,
  blocked: boolean,
): Promise<ConversationView> {
  const { side } = await partyConversation(deps, conversationId, accountId);
  const changed = await deps.store.setBlock(conversationId, side, blocked);
  if (!changed) throw notFound();
  return viewFor(changed, side);
}

export async function closeConversation(
  deps: MessagingDeps,
  accountId: string,
  conversationId: string,
): Promise<ConversationView> {
  const { side } = await partyConversation(deps, conversationId, accountId);
  if (side !== 'practitioner') throw notFound();
  const closed = await deps.store.close(conversationId, deps.clock.now());
  if (!closed) throw notFound();
  return viewFor(closed, side);
}

export interface ReportDeps extends MessagingDeps {
  /** Tells support (MessageReported): identifiers and the reason code only. */
  readonly reported: (report: {
    reportId: string;
    conversationId: string;
    messageId: string;
    reason: MessageReportReason;
  }) => Promise<void>;
}

export async function reportMessage(
  deps: ReportDeps,
  accountId: string,
  conversationId: string,
  messageId: string,
  reason: MessageReportReason,
): Promise<{ reportId: string }> {
  const { side } = await partyConversation(deps, conversationId, accountId);
  const message = await deps.store.message(conversationId, messageId);
  if (!message) throw new HttpProblem(404, 'Not found', 'No such message in a conversation of yours');
  if (message.from === side) throw new HttpProblem(403, 'Forbidden', 'One’s own message cannot be reported');
  const reportId = newId('mrp');
  const filed = await deps.store.fileReport(
    conversationId,
    { id: reportId, messageId, reporterId: accountId, reason },
    deps.clock.now(),
  );
  if (!filed) throw new HttpProblem(409, 'Conflict', 'You reported this message already');
  await deps.reported({ reportId, conversationId, messageId, reason });
  return { reportId };
}

export interface MailDeps extends MessagingDeps {
  readonly people: PersonDirectory;
  readonly mailer: Mailer;
  /** The recipients' choices about the mail (./mail-alerts.ts). */
  readonly alerts: MailAlertStore;
}

/** `objected`: the recipient objected to the mail (GET/PUT /me/consents); the message reached the app all the same. */
export type MailOutcome = 'mailed' | 'already-told' | 'no-address' | 'objected';

/**
 * MessageSent: mails the recipient once while unread messages wait (the claim is a conditional
 * write: at most one mail however many messages and deliveries). A failed send releases the
 * claim, so that the event's retry mails.
 */
export async function mailRecipient(deps: MailDeps, conversationId: string, recipientId: string): Promise<MailOutcome> {
  const conversation = await deps.store.get(conversationId, deps.clock.now());
  const side = conversation && sideOf(conversation, recipientId);
  if (!conversation || !side) return 'already-told';
  // Before the claim: a person who stops objecting is mailed for the messages that come next.
  if (!(await wantsMailAlerts(deps, recipientId))) return 'objected';
  if (!(await deps.store.claimNotification(conversationId, side, deps.clock.now()))) return 'already-told';
  try {
    const identity = await deps.people.identityOf(recipientId);
    if (!identity?.email) return 'no-address';
    await deps.mailer.send(newMessageMail(identity.email, identity.firstName, side));
    return 'mailed';
  } catch (error) {
    await deps.store.releaseNotification(conversationId, side);
    throw error;
  }
}

/** What the recipient's open connections are sent: the message, as the recipient reads it. */
export interface PushedMessage {
  readonly type: 'message';
  readonly conversationId: string;
  readonly message: MessageView;
}

export interface PushDeps {
  readonly store: ConversationStore;
  readonly connections: ConnectionStore;
  /** Sends to one connection; false when it is gone (API Gateway's GoneException). */
  readonly post: (connectionId: string, data: string) => Promise<boolean>;
}

export async function pushMessage(
  deps: PushDeps,
  conversationId: string,
  messageId: string,
  recipientId: string,
): Promise<{ delivered: number; gone: number }> {
  const connections = await deps.connections.of(recipientId);
  if (connections.length === 0) return { delivered: 0, gone: 0 };
  const message = await deps.store.message(conversationId, messageId);
  if (!message) return { delivered: 0, gone: 0 };
  const side: Side = message.from === 'client' ? 'practitioner' : 'client';
  const data = JSON.stringify({
    type: 'message',
    conversationId,
    message: messageViewFor(message, side),
  } satisfies PushedMessage);
  let delivered = 0;
  let gone = 0;
  for (const connectionId of connections) {
    if (await deps.post(connectionId, data)) delivered++;
    else {
      gone++;
      await deps.connections.remove(connectionId);
    }
  }
  return { delivered, gone };
}

export interface ForgetDeps extends MessagingDeps {
  readonly connections: ConnectionStore;
  /** Closes one connection (API Gateway's DeleteConnection); a gone one is fine. */
  readonly disconnect: (connectionId: string) => Promise<void>;
}

/**
 * AccountDeletionRequested: each conversation of the account stays for the other party, under
 * the same clock, the deleted party shown as "compte supprimé" (its name is removed); the
 * account's open connections are closed and forgotten.
 */
export async function forgetDeletedParty(
  deps: ForgetDeps,
  accountId: string,
): Promise<{ conversations: number; connections: number }> {
  const now = deps.clock.now();
  let conversations = 0;
  for (const side of sides) {
    for (const conversation of await deps.store.allFor(side, accountId, now)) {
      await deps.store.forgetParty(conversation.id, side);
      conversations++;
    }
  }
  const connections = await deps.connections.of(accountId);
  for (const connectionId of connections) {
    await deps.disconnect(connectionId);
    await deps.connections.remove(connectionId);
  }
  return { conversations, connections: connections.length };
}

/** One conversation in a person's data export: what they and the other party wrote, in order. */
export interface ExportedConversation {
  readonly id: string;
  readonly side: Side;
  readonly otherParty: string;
  readonly openedAt: string;
  readonly messages: readonly MessageView[];
}

/**
 * The person's exchanges for their data export (the privacy rights' seam): every conversation
 * they are a party of, with every message, as they see it in the app.
 */
export async function exportConversations(deps: MessagingDeps, accountId: string): Promise<ExportedConversation[]> {
  const now = deps.clock.now();
  const exported: ExportedConversation[] = [];
  for (const side of sides) {
    for (const conversation of await deps.store.allFor(side, accountId, now)) {
      const view = viewFor(conversation, side);
      const messages = await deps.store.allMessages(conversation.id);
      exported.push({
        id: conversation.id,
        side,
        otherParty: view.otherParty.name,
        openedAt: view.openedAt,
        messages: messages.map((m) => messageViewFor(m, side)),
      });
    }
  }
  return exported;
}
