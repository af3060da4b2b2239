/**
 * Conversations between a client and a practitioner (ADR 0016), pure: who is which party, whether
 * a party may write, what each party sees. One conversation per client–practitioner pair: its id
 * is derived from the pair, so the table holds one by construction (a conditional put).
 */
import { createHash } from 'node:crypto';

export type Side = 'client' | 'practitioner';

export const sides: readonly Side[] = ['client', 'practitioner'];

export const otherSide = (side: Side): Side => (side === 'client' ? 'practitioner' : 'client');

/** How a deleted party is shown to the other, who keeps the conversation. */
export const DELETED_PARTY_NAME = 'compte supprimé';

export const MESSAGE_TEXT = { min: 1, max: 2000 } as const;

export interface Conversation {
  readonly id: string;
  readonly clientId: string;
  readonly practitionerId: string;
  /** The parties' display names when the conversation opened; absent once the account is deleted. */
  readonly names: Readonly<Record<Side, string | undefined>>;
  readonly deleted: Readonly<Record<Side, boolean>>;
  readonly openedAt: Date;
  readonly lastMessageAt?: Date;
  /** Messages each party has not read yet (as recipient). */
  readonly unread: Readonly<Record<Side, number>>;
  /** Whether each party was mailed about its unread messages (at most one mail while they wait). */
  readonly notified: Readonly<Record<Side, boolean>>;
  /** The parties who blocked the other. */
  readonly blockedBy: Readonly<Record<Side, boolean>>;
  readonly closedAt?: Date;
  /** Under a legal hold: the expiry is frozen, a message moves the held expiry instead. */
  readonly underHold?: boolean;
}

/**
 * `cnv_` and 32 hex digits of SHA-256 over the pair: the same pair always gets the same id, and
 * the id tells nothing of the accounts to whoever does not know both.
 */
export function conversationIdFor(clientId: string, practitionerId: string): string {
  const digest = createHash('sha256').update(`conversation\u0000${clientId}\u0000${practitionerId}`).digest('hex');
  return `cnv_${digest.slice(0, 32)}`;
}

/** The side of an account in the conversation; undefined for anyone else. */
export function sideOf(conversation: Conversation, accountId: string): Side | undefined {
  if (conversation.clientId === accountId) return 'client';
  if (conversation.practitionerId === accountId) return 'practitioner';
  return undefined;
}

export const accountOf = (conversation: Conversation, side: Side): string =>
  side === 'client' ? conversation.clientId : conversation.practitionerId;

export type SendRefusal = 'blocked' | 'closed' | 'party-deleted';

/** Why `side` may not write now: a block (by either party), a closure, the other party's deletion. */
export function refusalToSend(conversation: Conversation, side: Side): SendRefusal | undefined {
  if (conversation.deleted[otherSide(side)] || conversation.deleted[side]) return 'party-deleted';
  if (conversation.closedAt) return 'closed';
  if (conversation.blockedBy.client || conversation.blockedBy.practitioner) return 'blocked';
  return undefined;
}

export interface ConversationView {
  readonly id: string;
  readonly practitionerId: string;
  readonly otherParty: { readonly side: Side; readonly name: string; readonly deleted: boolean };
  readonly openedAt: string;
  readonly lastMessageAt?: string;
  readonly unreadCount: number;
  readonly blockedByMe: boolean;
  readonly blockedByOtherParty: boolean;
  readonly closedAt?: string;
  /** Whether the caller may send a message now. */
  readonly canSend: boolean;
}

/** The conversation as one party sees it. */
export function viewFor(conversation: Conversation, side: Side): ConversationView {
  const other = otherSide(side);
  const deleted = conversation.deleted[other];
  return {
    id: conversation.id,
    practitionerId: conversation.practitionerId,
    otherParty: {
      side: other,
      name: deleted ? DELETED_PARTY_NAME : (conversation.names[other] ?? (other === 'client' ? 'Client' : 'Praticien')),
      deleted,
    },
    openedAt: conversation.openedAt.toISOString(),
    ...(conversation.lastMessageAt ? { lastMessageAt: conversation.lastMessageAt.toISOString() } : {}),
    unreadCount: conversation.unread[side],
    blockedByMe: conversation.blockedBy[side],
    blockedByOtherParty: conversation.blockedBy[other],
    ...(conversation.closedAt ? { closedAt: conversation.closedAt.toISOString() } : {}),
    canSend: refusalToSend(conversation, side) === undefined,
  };
}

export interface Message {
  readonly id: string;
  readonly conversationId: string;
  readonly senderId: string;
  readonly from: Side;
  readonly sentAt: Date;
  readonly text: string;
}

export interface MessageView {
  readonly id: string;
  readonly conversationId: string;
  /** `me` or `other`, from the reader's side. */
  readonly from: 'me' | 'other';
  readonly sentAt: string;
  readonly text: string;
}

export function messageViewFor(message: Message, side: Side): MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    from: message.from === side ? 'me' : 'other',
    sentAt: message.sentAt.toISOString(),
    text: message.text,
  };
}

/** Reasons a party may give when reporting a message to support (the event carries the code). */
export { messageReportReasons } from '#events/catalogue.ts';
export type MessageReportReason = typeof import('#events/catalogue.ts').messageReportReasons[number];
