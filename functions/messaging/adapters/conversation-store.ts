/**
 * Conversations and their messages in the messaging table (ADR 0016):
 * - `CONV#<cnv>` / `CONV`: the conversation, the root of its partition, kept 5 years from its last
 *   message (`exchange`, sliding); `clientKey`/`practitionerKey` with `activityKey` (the last
 *   activity, then the id) list it for each party (indexes `byClient`, `byPractitioner`);
 * - `CONV#<cnv>` / `MSG#<msg>`: its messages; message ids begin with their time, so the sort key
 *   orders them; owned by the conversation (no expiry of their own, deleted with it);
 * - `CONV#<cnv>` / `REPORT#<msg>#<account>`: one report of a message per reporter.
 *
 * Sending is one transaction of two writes: the message (not-exists) and the conversation's update
 * (last activity, the recipient's unread count, the expiry moved to 5 years from now), conditioned
 * on the conversation being open, unblocked, with both parties' accounts, and on the legal-hold
 * state read (under a hold the held expiry moves instead). Events are not published here: the
 * table's stream is the outbox (handlers/publish-message-events.ts).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ownedItem, retainedItem } from '#shared/dynamo/items.ts';
import { queryAll, withoutDue } from '#shared/dynamo/reads.ts';
import { transact } from '#shared/dynamo/transactions.ts';
import { decodeCursor, encodeCursor, invalidCursor } from '#shared/http/cursor.ts';
import { expiryFor, isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import type { Conversation, Message, MessageReportReason, Side } from '../domain/conversation.ts';
import { conversationEntity, messageEntity, messageReportEntity } from '../entities.ts';

export const CLIENT_INDEX = 'byClient';
export const PRACTITIONER_INDEX = 'byPractitioner';

const ROOT_SK = 'CONV';
const MESSAGE_PREFIX = 'MSG#';
/** Sorts after every message key (`#` < `$`). */
const AFTER_MESSAGES = 'MSG$';

const cap = (side: Side) => (side === 'client' ? 'Client' : 'Practitioner');
const rootKey = (id: string) => ({ pk: `CONV#${id}`, sk: ROOT_SK });
const messageKey = (conversationId: string, messageId: string) => ({
  pk: `CONV#${conversationId}`,
  sk: `${MESSAGE_PREFIX}${messageId}`,
});
const partyKey = (side: Side, accountId: string) => `${side === 'client' ? 'CLIENT' : 'PRACTITIONER'}#${accountId}`;
const partyIndex = (side: Side) => (side === 'client' ? CLIENT_INDEX : PRACTITIONER_INDEX);
const partyKeyName = (side: Side) => (side === 'client' ? 'clientKey' : 'practitionerKey');
const activityKey = (at: Date, id: string) => `${at.toISOString()}#${id}`;

interface ConversationItem {
  pk: string;
  sk: string;
  id: string;
  clientId: string;
  practitionerId: string;
  clientName?: string;
  practitionerName?: string;
  clientDeleted?: boolean;
  practitionerDeleted?: boolean;
  openedAt: string;
  lastMessageAt?: string;
  unreadClient?: number;
  unreadPractitioner?: number;
  notifiedClient?: string;
  notifiedPractitioner?: string;
  blockedByClient?: boolean;
  blockedByPractitioner?: boolean;
  closedAt?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

interface MessageItem {
  id: string;
  conversationId: string;
  senderId: string;
  from: Side;
  recipientId: string;
  sentAt: string;
  text: string;
}

function toConversation(item: ConversationItem): Conversation {
  return {
    id: item.id,
    clientId: item.clientId,
    practitionerId: item.practitionerId,
    names: { client: item.clientName, practitioner: item.practitionerName },
    deleted: { client: item.clientDeleted === true, practitioner: item.practitionerDeleted === true },
    openedAt: new Date(item.openedAt),
    ...(item.lastMessageAt ? { lastMessageAt: new Date(item.lastMessageAt) } : {}),
    unread: { client: item.unreadClient ?? 0, practitioner: item.unreadPractitioner ?? 0 },
    notified: { client: item.notifiedClient !== undefined, practitioner: item.notifiedPractitioner !== undefined },
    blockedBy: { client: item.blockedByClient === true, practitioner: item.blockedByPractitioner === true },
    ...(item.closedAt ? { closedAt: new Date(item.closedAt) } : {}),
    ...(item.heldExpiresAt !== undefined ? { underHold: true } : {}),
  };
}

const toMessage = (item: MessageItem): Message => ({
  id: item.id,
  conversationId: item.conversationId,
  senderId: item.senderId,
  from: item.from,
  sentAt: new Date(item.sentAt),
  text: item.text,
});

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/** Messages in time order, with the cursors to read older and newer ones. */
export interface MessagePage {
  readonly items: Message[];
  /** Present when older messages exist. */
  readonly olderCursor?: string;
  /** After the newest message given (or the cursor asked after): where to look for newer ones. */
  readonly newerCursor?: string;
}

export type SendOutcome = 'sent' | 'changed';

export interface ConversationStore {
  get(id: string, now: Date): Promise<Conversation | undefined>;
  /** Stores the conversation unless one exists for the pair: the stored one either way. */
  open(conversation: Conversation, now: Date): Promise<{ created: boolean; conversation: Conversation | undefined }>;
  listFor(
    side: Side,
    accountId: string,
    page: { limit: number; cursor?: string },
    now: Date,
  ): Promise<Page<Conversation>>;
  /** Every conversation of the account on this side (account deletion, data export). */
  allFor(side: Side, accountId: string, now: Date): Promise<Conversation[]>;
  /** `changed`: the conversation is not as read (closed, blocked, a party gone, a hold): read it again. */
  send(read: Conversation, message: Message, recipientId: string, now: Date): Promise<SendOutcome>;
  message(conversationId: string, messageId: string): Promise<Message | undefined>;
  messages(conversationId: string, page: { limit: number; before?: string; after?: string }): Promise<MessagePage>;
  allMessages(conversationId: string): Promise<Message[]>;
  markRead(id: string, side: Side, now: Date): Promise<Conversation | undefined>;
  setBlock(id: string, side: Side, blocked: boolean): Promise<Conversation | undefined>;
  close(id: string, now: Date): Promise<Conversation | undefined>;
  /** Marks that `side` was mailed, if it has unread messages and was not mailed since it last read. */
  claimNotification(id: string, side: Side, now: Date): Promise<boolean>;
  releaseNotification(id: string, side: Side): Promise<void>;
  /** The account of `side` is deleted: its name goes, the conversation stays for the other party. */
  forgetParty(id: string, side: Side): Promise<void>;
  /** One report per message and reporter: false when this reporter already reported it. */
  fileReport(
    conversationId: string,
    report: { id: string; messageId: string; reporterId: string; reason: MessageReportReason },
    now: Date,
  ): Promise<boolean>;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoConversationStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): ConversationStore {
  const { client, tableName } = deps;

  const update = async (
    id: string,
    expression: string,
    values: Record<string, unknown> = {},
  ): Promise<Conversation | undefined> => {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: rootKey(id),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toConversation(Attributes as ConversationItem);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };

  const pageOf = async (input: QueryCommandInput, limit: number) => {
    const { Items, LastEvaluatedKey } = await client.send(new QueryCommand({ ...input, Limit: limit }));
    return { items: (Items ?? []) as Record<string, unknown>[], last: LastEvaluatedKey };
  };

  const get = async (id: string, now: Date, consistent = false) => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: rootKey(id), ConsistentRead: consistent }),
    );
    const item = Item as ConversationItem | undefined;
    return item && !isDue(item, now) ? item : undefined;
  };

  return {
    async get(id, now) {
      const item = await get(id, now);
      return item ? toConversation(item) : undefined;
    },

    async open(conversation, now) {
      const item = retainedItem(
        conversationEntity,
        {
          ...rootKey(conversation.id),
          id: conversation.id,
          clientId: conversation.clientId,
          practitionerId: conversation.practitionerId,
          ...(conversation.names.client ? { clientName: conversation.names.client } : {}),
          ...(conversation.names.practitioner ? { practitionerName: conversation.names.practitioner } : {}),
          openedAt: conversation.openedAt.toISOString(),
          unreadClient: 0,
          unreadPractitioner: 0,
          clientKey: partyKey('client', conversation.clientId),
          practitionerKey: partyKey('practitioner', conversation.practitionerId),
          activityKey: activityKey(conversation.openedAt, conversation.id),
        },
        { clockStartedAt: conversation.openedAt, subjectKey: subjectKeyForAccount(conversation.clientId), now },
      );
      try {
        await client.send(
          new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return { created: true, conversation };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await get(conversation.id, now, true);
        return { created: false, conversation: existing ? toConversation(existing) : undefined };
      }
    },

    async listFor(side, accountId, page, now) {
      const key = partyKeyName(side);
      const value = partyKey(side, accountId);
      const start = page.cursor
        ? decodeCursor(page.cursor, ['pk', 'sk', key, 'activityKey'], { [key]: value })
        : undefined;
      const { items, last } = await pageOf(
        withoutDue(
          {
            TableName: tableName,
            IndexName: partyIndex(side),
            KeyConditionExpression: '#key = :key',
            ExpressionAttributeNames: { '#key': key },
            ExpressionAttributeValues: { ':key': value },
            ScanIndexForward: false,
            ...(start ? { ExclusiveStartKey: start } : {}),
          },
          now,
        ),
        page.limit,
      );
      return {
        items: items.map((i) => toConversation(i as unknown as ConversationItem)),
        ...(last ? { nextCursor: encodeCursor(last) } : {}),
      };
    },

    async allFor(side, accountId, now) {
      const key = partyKeyName(side);
      const items = await queryAll<ConversationItem>(
        client,
        withoutDue(
          {
            TableName: tableName,
            IndexName: partyIndex(side),
            KeyConditionExpression: '#key = :key',
            ExpressionAttributeNames: { '#key': key },
            ExpressionAttributeValues: { ':key': partyKey(side, accountId) },
          },
          now,
        ),
      );
      return items.map(toConversation);
    },

    async send(read, message, recipientId, now) {
      const recipient: Side = message.from === 'client' ? 'practitioner' : 'client';
      const held = read.underHold === true;
      const expiry = expiryFor(conversationEntity.retention.purpose, now, now);
      const outcome = await transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: ownedItem(
              messageEntity,
              {
                ...messageKey(read.id, message.id),
                id: message.id,
                conversationId: read.id,
                senderId: message.senderId,
                from: message.from,
                recipientId,
                sentAt: message.sentAt.toISOString(),
                text: message.text,
              },
              subjectKeyForAccount(message.senderId),
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: rootKey(read.id),
            UpdateExpression: `SET lastMessageAt = :at, activityKey = :activity, #unread = if_not_exists(#unread, :zero) + :one, ${
              held ? 'heldExpiresAt = :expiresAt' : 'expiresAt = :expiresAt, expiryDay = :expiryDay'
            }`,
            ConditionExpression: [
              'attribute_exists(pk)',
              'attribute_not_exists(closedAt)',
              'attribute_not_exists(blockedByClient)',
              'attribute_not_exists(blockedByPractitioner)',
              'attribute_not_exists(clientDeleted)',
              'attribute_not_exists(practitionerDeleted)',
              held ? 'attribute_exists(heldExpiresAt)' : 'attribute_not_exists(heldExpiresAt)',
            ].join(' AND '),
            ExpressionAttributeNames: { '#unread': `unread${cap(recipient)}` },
            ExpressionAttributeValues: {
              ':at': message.sentAt.toISOString(),
              ':activity': activityKey(message.sentAt, read.id),
              ':zero': 0,
              ':one': 1,
              ':expiresAt': expiry.expiresAt,
              ...(held ? {} : { ':expiryDay': expiry.expiryDay }),
            },
          },
        },
      ]);
      return outcome.committed ? 'sent' : 'changed';
    },

    async message(conversationId, messageId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: messageKey(conversationId, messageId) }),
      );
      return Item ? toMessage(Item as MessageItem) : undefined;
    },

    async messages(conversationId, page) {
      const pk = `CONV#${conversationId}`;
      const base = { TableName: tableName, ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' } };
      if (page.after) {
        // Newer than the cursor, oldest first: one more than asked, the cursor itself may come first.
        const { items } = await pageOf(
          {
            ...base,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': pk, ':from': page.after, ':to': AFTER_MESSAGES },
            ScanIndexForward: true,
          },
          page.limit + 1,
        );
        const newer = items.filter((i) => i.sk !== page.after).slice(0, page.limit) as unknown as MessageItem[];
        const newest = newer.at(-1);
        return {
          items: newer.map(toMessage),
          newerCursor: newest ? `${MESSAGE_PREFIX}${newest.id}` : page.after,
        };
      }
      // The newest (or those older than the cursor), newest first, one more to know whether older ones exist.
      const upper = page.before ?? AFTER_MESSAGES;
      const { items } = await pageOf(
        {
          ...base,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': MESSAGE_PREFIX, ':to': upper },
          ScanIndexForward: false,
        },
        page.limit + 2,
      );
      const older = items.filter((i) => i.sk !== page.before) as unknown as MessageItem[];
      const shown = older.slice(0, page.limit).reverse();
      const oldest = shown[0];
      const newest = shown.at(-1);
      return {
        items: shown.map(toMessage),
        ...(older.length > page.limit && oldest ? { olderCursor: `${MESSAGE_PREFIX}${oldest.id}` } : {}),
        ...(page.before === undefined
          ? newest
            ? { newerCursor: `${MESSAGE_PREFIX}${newest.id}` }
            : { newerCursor: MESSAGE_PREFIX }
          : {}),
      };
    },

    async allMessages(conversationId) {
      const items = await queryAll<MessageItem>(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :messages)',
        ExpressionAttributeValues: { ':pk': `CONV#${conversationId}`, ':messages': MESSAGE_PREFIX },
      });
      return items.map(toMessage);
    },

    markRead(id, side, now) {
      return update(id, `SET unread${cap(side)} = :zero, readAt${cap(side)} = :now REMOVE notified${cap(side)}`, {
        ':zero': 0,
        ':now': now.toISOString(),
      });
    },

    setBlock(id, side, blocked) {
      return blocked
        ? update(id, `SET blockedBy${cap(side)} = :true`, { ':true': true })
        : update(id, `REMOVE blockedBy${cap(side)}`);
    },

    close(id, now) {
      return update(id, 'SET closedAt = if_not_exists(closedAt, :now)', { ':now': now.toISOString() });
    },

    async claimNotification(id, side, now) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: rootKey(id),
            UpdateExpression: 'SET #notified = :now',
            ConditionExpression:
              'attribute_exists(pk) AND #unread > :zero AND attribute_not_exists(#notified) AND attribute_not_exists(#deleted)',
            ExpressionAttributeNames: {
              '#notified': `notified${cap(side)}`,
              '#unread': `unread${cap(side)}`,
              '#deleted': `${side}Deleted`,
            },
            ExpressionAttributeValues: { ':now': now.toISOString(), ':zero': 0 },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async releaseNotification(id, side) {
      await update(id, `REMOVE notified${cap(side)}`);
    },

    async forgetParty(id, side) {
      await update(id, `SET ${side}Deleted = :true REMOVE ${side}Name, ${partyKeyName(side)}`, { ':true': true });
    },

    async fileReport(conversationId, report, now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: ownedItem(
              messageReportEntity,
              {
                pk: `CONV#${conversationId}`,
                sk: `REPORT#${report.messageId}#${report.reporterId}`,
                id: report.id,
                messageId: report.messageId,
                reporterId: report.reporterId,
                reason: report.reason,
                reportedAt: now.toISOString(),
              },
              subjectKeyForAccount(report.reporterId),
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}

/** What a message cursor holds: a message's sort key, nothing else. */
export const MESSAGE_CURSOR = /^MSG#msg_[0-9a-f]{32}$/;

export const encodeMessageCursor = (sortKey: string) => encodeCursor({ sk: sortKey });

/** A cursor this API gave for messages (`MSG#` alone: before the first message), or a 400. */
export function decodeMessageCursor(cursor: string): string {
  const { sk } = decodeCursor(cursor, ['sk']);
  if (sk === undefined || (sk !== MESSAGE_PREFIX && !MESSAGE_CURSOR.test(sk))) throw invalidCursor();
  return sk;
}
