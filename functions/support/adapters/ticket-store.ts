/**
 * Tickets, their messages, closures and counts in the support table (ADR 0019):
 * - `TICKET#<tkt>` / `TICKET`: the ticket, root of its partition (`support-ticket`, or
 *   `message-report-ticket` for a message report); while open, in the index `byQueue`
 *   (`queuePk` = its state, `queueSk` = opening time + id: oldest first), a person's in `byOpener`
 *   (`openerPk` = the opener, `openerSk` = opening time + id), and, while waiting for its opener,
 *   in `byWaiting` (`waitingPk` = `WAITING`, `waitingSk` = since when + id);
 * - `TICKET#<tkt>` / `MSG#<smg>`: its messages, in time order (message ids begin with their time);
 * - `CLOSURE#<tkt>` / `CLOSURE`: the closure's audit entry (no text), 5 years from the closure;
 * - `COUNT#<YYYY-MM>` / `<category>#<outcome>`: closed tickets per month (no personal data).
 *
 * Adding a message is one transaction (the message, and the ticket's update conditioned on the
 * state read). The closure is one transaction too: the ticket and every message deleted (the
 * ticket on condition that its message count is the one read: no message slips in between), the
 * audit entry written, the count incremented. Events are not published here: the table's stream
 * is the outbox (handlers/publish-support-events.ts).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { openItem, ownedItem, plainItem, retainedItem } from '#shared/dynamo/items.ts';
import { queryAll } from '#shared/dynamo/reads.ts';
import { type TransactItem, transact } from '#shared/dynamo/transactions.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import {
  type Closure,
  closureMonth,
  MAX_MESSAGES,
  type ReportTicket,
  type RequestTicket,
  type Ticket,
  type TicketMessage,
  type TicketStatus,
} from '../domain/ticket.ts';
import {
  messageReportClosureEntity,
  messageReportTicketEntity,
  supportClosureCountEntity,
  supportClosureEntity,
  supportMessageEntity,
  supportTicketEntity,
} from '../entities.ts';

export const QUEUE_INDEX = 'byQueue';
export const OPENER_INDEX = 'byOpener';
export const WAITING_INDEX = 'byWaiting';

const ROOT_SK = 'TICKET';
const MESSAGE_PREFIX = 'MSG#';
const WAITING_PK = 'WAITING';

const partitionOf = (id: string) => `TICKET#${id}`;
const rootKey = (id: string) => ({ pk: partitionOf(id), sk: ROOT_SK });
const closureKey = (id: string) => ({ pk: `CLOSURE#${id}`, sk: 'CLOSURE' });
const countKey = (month: string, category: string, outcome: string) => ({
  pk: `COUNT#${month}`,
  sk: `${category}#${outcome}`,
});
const queuePk = (status: TicketStatus) => `QUEUE#${status}`;
const openerPk = (accountId: string) => `OPENER#${accountId}`;
const sortKeyOf = (at: Date, id: string) => `${at.toISOString()}#${id}`;

interface TicketItem {
  pk: string;
  sk: string;
  entity: string;
  id: string;
  category: string;
  status: TicketStatus;
  openedAt: string;
  lastActivityAt: string;
  messageCount: number;
  assigneeId?: string;
  assignedAt?: string;
  // A person's ticket.
  subject?: string;
  openerId?: string;
  openerRole?: 'client' | 'practitioner';
  waitingSince?: string;
  noticeSentAt?: string;
  // A message report.
  reportId?: string;
  conversationId?: string;
  messageId?: string;
  reason?: string;
}

interface MessageItem {
  id: string;
  ticketId: string;
  from: 'user' | 'support';
  authorId: string;
  sentAt: string;
  text: string;
}

function toTicket(item: TicketItem): Ticket {
  const base = {
    id: item.id,
    status: item.status,
    openedAt: new Date(item.openedAt),
    lastActivityAt: new Date(item.lastActivityAt),
    messageCount: item.messageCount,
    ...(item.assigneeId ? { assigneeId: item.assigneeId } : {}),
    ...(item.assignedAt ? { assignedAt: new Date(item.assignedAt) } : {}),
  };
  if (item.entity === messageReportTicketEntity.name) {
    return {
      ...base,
      kind: 'message-report',
      category: 'message-report',
      report: {
        reportId: item.reportId ?? '',
        conversationId: item.conversationId ?? '',
        messageId: item.messageId ?? '',
        reason: (item.reason ?? 'other') as ReportTicket['report']['reason'],
      },
    };
  }
  return {
    ...base,
    kind: 'request',
    category: item.category as RequestTicket['category'],
    subject: item.subject ?? '',
    openerId: item.openerId ?? '',
    openerRole: item.openerRole ?? 'client',
    ...(item.waitingSince ? { waitingSince: new Date(item.waitingSince) } : {}),
    ...(item.noticeSentAt ? { noticeSentAt: new Date(item.noticeSentAt) } : {}),
  };
}

const toMessage = (item: MessageItem): TicketMessage => ({
  id: item.id,
  ticketId: item.ticketId,
  from: item.from,
  authorId: item.authorId,
  sentAt: new Date(item.sentAt),
  text: item.text,
});

/** The index keys of an open ticket in its state. */
function indexKeys(ticket: Ticket) {
  return {
    queuePk: queuePk(ticket.status),
    queueSk: sortKeyOf(ticket.openedAt, ticket.id),
    ...(ticket.kind === 'request'
      ? {
          openerPk: openerPk(ticket.openerId),
          openerSk: sortKeyOf(ticket.openedAt, ticket.id),
          ...(ticket.waitingSince
            ? { waitingPk: WAITING_PK, waitingSk: sortKeyOf(ticket.waitingSince, ticket.id) }
            : {}),
        }
      : {}),
  };
}

function messageItem(ticket: RequestTicket, message: TicketMessage) {
  return ownedItem(
    supportMessageEntity,
    {
      pk: partitionOf(ticket.id),
      sk: `${MESSAGE_PREFIX}${message.id}`,
      id: message.id,
      ticketId: ticket.id,
      from: message.from,
      authorId: message.authorId,
      sentAt: message.sentAt.toISOString(),
      text: message.text,
    },
    subjectKeyForAccount(ticket.openerId),
  );
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export type WriteOutcome = 'done' | 'changed';

export interface TicketStore {
  /** Stores a new ticket with its first message (one transaction). */
  open(ticket: RequestTicket, first: TicketMessage): Promise<void>;
  /** Stores a message report's ticket; false when it is there already (a redelivered event). */
  openReport(ticket: ReportTicket): Promise<boolean>;
  get(id: string): Promise<Ticket | undefined>;
  messages(id: string): Promise<TicketMessage[]>;
  /** One account's tickets, newest first. */
  listOf(openerId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<RequestTicket>>;
  /** The open tickets in one state, oldest first. */
  queue(status: TicketStatus, page: { limit: number; cursor?: string | undefined }): Promise<Page<Ticket>>;
  /** The tickets waiting for their opener since `before` or earlier, the longest waiting first (index `byWaiting`). */
  waitingSince(before: Date): Promise<RequestTicket[]>;
  /** Adds a message and moves the ticket to `next`; `changed`: the ticket is not as read (gone, another message). */
  addMessage(read: RequestTicket, message: TicketMessage, next: RequestTicket): Promise<WriteOutcome>;
  assign(id: string, assigneeId: string, at: Date): Promise<Ticket | undefined>;
  /** Marks the day-23 notice of this waiting stretch as sent; false when it was, or the ticket changed. */
  claimNotice(read: RequestTicket, at: Date): Promise<boolean>;
  releaseNotice(read: RequestTicket): Promise<void>;
  /**
   * Deletes the ticket and every message, writes the audit entry and counts it, at once.
   * `changed`: the ticket is not as read (a message came, or, with `waitingSince`, its opener
   * answered): read it again. `gone`: no such ticket any more.
   */
  close(read: Ticket, closure: Closure, now: Date): Promise<WriteOutcome | 'gone'>;
  /** The audit entry of a closed ticket (for tests and support's records). */
  closure(ticketId: string): Promise<Record<string, unknown> | undefined>;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoTicketStore(deps: { client: DynamoDBDocumentClient; tableName: string }): TicketStore {
  const { client, tableName } = deps;

  const page = async (input: QueryCommandInput, limit: number) => {
    const { Items, LastEvaluatedKey } = await client.send(new QueryCommand({ ...input, Limit: limit }));
    return {
      items: (Items ?? []) as TicketItem[],
      ...(LastEvaluatedKey ? { nextCursor: encodeCursor(LastEvaluatedKey) } : {}),
    };
  };

  return {
    async open(ticket, first) {
      const outcome = await transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: openItem(
              supportTicketEntity,
              {
                ...rootKey(ticket.id),
                id: ticket.id,
                category: ticket.category,
                subject: ticket.subject,
                openerId: ticket.openerId,
                openerRole: ticket.openerRole,
                status: ticket.status,
                openedAt: ticket.openedAt.toISOString(),
                lastActivityAt: ticket.lastActivityAt.toISOString(),
                messageCount: ticket.messageCount,
                ...indexKeys(ticket),
              },
              subjectKeyForAccount(ticket.openerId),
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: messageItem(ticket, first),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
      if (!outcome.committed) throw new Error(`Ticket not opened: ${outcome.reasons.join(',')}`);
    },

    async openReport(ticket) {
      // Once per report: neither a redelivery nor a report whose ticket was closed opens another.
      const outcome = await transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: plainItem(messageReportTicketEntity, {
              ...rootKey(ticket.id),
              id: ticket.id,
              category: ticket.category,
              ...ticket.report,
              status: ticket.status,
              openedAt: ticket.openedAt.toISOString(),
              lastActivityAt: ticket.lastActivityAt.toISOString(),
              messageCount: 0,
              ...indexKeys(ticket),
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          ConditionCheck: {
            TableName: tableName,
            Key: closureKey(ticket.id),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
      return outcome.committed;
    },

    async get(id) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: rootKey(id), ConsistentRead: true }),
      );
      return Item ? toTicket(Item as TicketItem) : undefined;
    },

    async messages(id) {
      const items = await queryAll<MessageItem>(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :messages)',
        ExpressionAttributeValues: { ':pk': partitionOf(id), ':messages': MESSAGE_PREFIX },
        ConsistentRead: true,
      });
      return items.map(toMessage);
    },

    async listOf(openerId, { limit, cursor }) {
      const pk = openerPk(openerId);
      const start = cursor ? decodeCursor(cursor, ['pk', 'sk', 'openerPk', 'openerSk'], { openerPk: pk }) : undefined;
      const found = await page(
        {
          TableName: tableName,
          IndexName: OPENER_INDEX,
          KeyConditionExpression: 'openerPk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        },
        limit,
      );
      return { ...found, items: found.items.map((i) => toTicket(i) as RequestTicket) };
    },

    async queue(status, { limit, cursor }) {
      const pk = queuePk(status);
      const start = cursor ? decodeCursor(cursor, ['pk', 'sk', 'queuePk', 'queueSk'], { queuePk: pk }) : undefined;
      const found = await page(
        {
          TableName: tableName,
          IndexName: QUEUE_INDEX,
          KeyConditionExpression: 'queuePk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        },
        limit,
      );
      return { ...found, items: found.items.map(toTicket) };
    },

    async waitingSince(before) {
      // `#` sorts before every id character: every ticket that began to wait at `before` or earlier.
      const items = await queryAll<TicketItem>(client, {
        TableName: tableName,
        IndexName: WAITING_INDEX,
        KeyConditionExpression: 'waitingPk = :pk AND waitingSk <= :upTo',
        ExpressionAttributeValues: { ':pk': WAITING_PK, ':upTo': `${before.toISOString()}#~` },
      });
      return items.map((i) => toTicket(i) as RequestTicket);
    },

    async addMessage(read, message, next) {
      const keys = indexKeys(next);
      const sets = [
        '#status = :status',
        'lastActivityAt = :at',
        'messageCount = :count',
        'queuePk = :queuePk',
        ...(next.waitingSince ? ['waitingSince = :since', 'waitingPk = :waitingPk', 'waitingSk = :waitingSk'] : []),
      ];
      const removes = [...(next.waitingSince ? [] : ['waitingSince', 'waitingPk', 'waitingSk']), 'noticeSentAt'];
      const outcome = await transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: messageItem(read, message),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: rootKey(read.id),
            UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk) AND messageCount = :read AND messageCount < :max',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': next.status,
              ':at': next.lastActivityAt.toISOString(),
              ':count': next.messageCount,
              ':queuePk': keys.queuePk,
              ':read': read.messageCount,
              ':max': MAX_MESSAGES,
              ...(next.waitingSince
                ? {
                    ':since': next.waitingSince.toISOString(),
                    ':waitingPk': keys.waitingPk,
                    ':waitingSk': keys.waitingSk,
                  }
                : {}),
            },
          },
        },
      ]);
      return outcome.committed ? 'done' : 'changed';
    },

    async assign(id, assigneeId, at) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: rootKey(id),
            UpdateExpression: 'SET assigneeId = :assignee, assignedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':assignee': assigneeId, ':at': at.toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toTicket(Attributes as TicketItem);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async claimNotice(read, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: rootKey(read.id),
            UpdateExpression: 'SET noticeSentAt = :at',
            ConditionExpression: 'waitingSince = :since AND attribute_not_exists(noticeSentAt)',
            ExpressionAttributeValues: { ':at': at.toISOString(), ':since': read.waitingSince?.toISOString() ?? '' },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async releaseNotice(read) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: rootKey(read.id),
            UpdateExpression: 'REMOVE noticeSentAt',
            ConditionExpression: 'waitingSince = :since',
            ExpressionAttributeValues: { ':since': read.waitingSince?.toISOString() ?? '' },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async close(read, closure, now) {
      const partition = await queryAll<{ pk: string; sk: string }>(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partitionOf(read.id) },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      });
      if (!partition.some((k) => k.sk === ROOT_SK)) return 'gone';
      const others = partition.filter((k) => k.sk !== ROOT_SK);
      const waiting = read.kind === 'request' && closure.outcome === 'no-reply' ? read.waitingSince : undefined;
      const audit = {
        ...closureKey(read.id),
        ticketId: closure.ticketId,
        category: closure.category,
        openedAt: closure.openedAt.toISOString(),
        closedAt: closure.closedAt.toISOString(),
        outcome: closure.outcome,
        ...(closure.closedBy ? { closedBy: closure.closedBy } : {}),
        ...(closure.assigneeId ? { assigneeId: closure.assigneeId } : {}),
        messageCount: closure.messageCount,
      };
      const auditItem = closure.openerId
        ? retainedItem(
            supportClosureEntity,
            { ...audit, openerId: closure.openerId },
            { clockStartedAt: closure.closedAt, subjectKey: subjectKeyForAccount(closure.openerId), now },
          )
        : plainItem(messageReportClosureEntity, { ...audit, ...closure.report }, closure.closedAt, now);
      const month = closureMonth(closure.closedAt);
      const count = plainItem(supportClosureCountEntity, {
        ...countKey(month, closure.category, closure.outcome),
        month,
        category: closure.category,
        outcome: closure.outcome,
      });
      const items: TransactItem[] = [
        {
          Delete: {
            TableName: tableName,
            Key: rootKey(read.id),
            ConditionExpression: `attribute_exists(pk) AND messageCount = :count${waiting ? ' AND waitingSince = :since' : ''}`,
            ExpressionAttributeValues: {
              ':count': read.messageCount,
              ...(waiting ? { ':since': waiting.toISOString() } : {}),
            },
          },
        },
        ...others.map((key): TransactItem => ({ Delete: { TableName: tableName, Key: { pk: key.pk, sk: key.sk } } })),
        { Put: { TableName: tableName, Item: auditItem, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName: tableName,
            Key: { pk: count.pk, sk: count.sk },
            UpdateExpression:
              'SET #entity = :entity, #month = :month, #category = :category, #outcome = :outcome ADD #closed :one',
            ExpressionAttributeNames: {
              '#entity': 'entity',
              '#month': 'month',
              '#category': 'category',
              '#outcome': 'outcome',
              '#closed': 'closed',
            },
            ExpressionAttributeValues: {
              ':entity': count.entity,
              ':month': count.month,
              ':category': count.category,
              ':outcome': count.outcome,
              ':one': 1,
            },
          },
        },
      ];
      const outcome = await transact(client, items);
      if (outcome.committed) return 'done';
      // The ticket's own condition failed: changed or gone; the audit entry's: closed meanwhile.
      return outcome.reasons[items.length - 2] === 'ConditionalCheckFailed' ? 'gone' : 'changed';
    },

    async closure(ticketId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: closureKey(ticketId) }));
      return Item;
    },
  };
}
