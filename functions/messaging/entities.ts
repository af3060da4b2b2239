/**
 * The messaging context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0016-messaging.md.
 */
import type { OwnedEntity, RetainedEntity } from '#shared/retention/entity.ts';

/**
 * A conversation between a client and a practitioner (`CONV#<cnv>` / `CONV`), the root of its
 * partition: its messages go with it. Kept 5 years from the end of the exchange, its last message
 * (or its opening, before any): the clock slides at each message. The subject key is the client's.
 */
export const conversationEntity = {
  name: 'conversation',
  table: 'messaging',
  description:
    "A client–practitioner conversation: the two account ids, the parties' display names (until an account is deleted), unread counts, blocks, closure, last activity.",
  personalData: true,
  retention: { purpose: 'exchange', clockStartsAt: 'the last message (the end of the exchange)', sliding: true },
  owns: 'partition',
} as const satisfies RetainedEntity;

/** One message of a conversation: sender, time, text. The subject key is the sender's. */
export const messageEntity = {
  name: 'message',
  table: 'messaging',
  description: 'A text message of a conversation: sender (account id and side), time, text.',
  personalData: true,
  ownedBy: conversationEntity.name,
} as const satisfies OwnedEntity;

/** A party's report of a message to support: one per message and reporter (ids and a reason code). */
export const messageReportEntity = {
  name: 'message-report',
  table: 'messaging',
  description: 'A report of a message to support: reporter, message, reason code, time (never the text).',
  personalData: true,
  ownedBy: conversationEntity.name,
} as const satisfies OwnedEntity;

/**
 * An open connection of the WebSocket API (`SOCKET#<connection id>` / `SOCKET`): the account it
 * belongs to, for the live push. API Gateway closes a connection after 2 hours at most; the item
 * expires 2 hours 5 minutes after the connection, whatever happened to `$disconnect`.
 */
export const webSocketConnectionEntity = {
  name: 'web-socket-connection',
  table: 'messaging',
  description: 'An open WebSocket connection: its id, the account, the time of connection.',
  personalData: true,
  retention: { purpose: 'technical-operation', clockStartsAt: 'the connection', sliding: false },
} as const satisfies RetainedEntity;

export const messagingEntities = [
  conversationEntity,
  messageEntity,
  messageReportEntity,
  webSocketConnectionEntity,
] as const;
