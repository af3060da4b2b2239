/**
 * Local SQS queues kept in DynamoDB Local (so in MPBE_DATA_DIR with the tables), and the part of
 * the SQS API (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Operation>`, what @aws-sdk/client-sqs
 * speaks) that the local cloud and `npm run dead-letters` use: GetQueueUrl, ListQueues,
 * GetQueueAttributes, SendMessage, ReceiveMessage (with a visibility timeout),
 * ChangeMessageVisibility and DeleteMessage. Served by local/aws-endpoint.ts.
 *
 * The queues are the dead-letter queues of the bounded contexts (local/sqs-dead-letters.ts), one
 * item per message in the local-only table `mpbe-local-dead-letters`: the queue name as partition
 * key, the send time and message id as sort key (oldest first), the body and attributes as sent,
 * the receive count and when the message becomes visible again. As in SQS:
 * - a received message is hidden for its visibility timeout, then comes back (receive count + 1);
 * - DeleteMessage takes the latest receipt handle; an older one of the same message succeeds and
 *   deletes nothing; ChangeMessageVisibility with an older one is refused;
 * - a message is kept 14 days (the retention of the deployed queues), then it is gone;
 * - MD5OfBody and MD5OfMessageAttributes are computed as SQS documents them (the SDK checks the first);
 * - a standard queue's order is not guaranteed: here it is the send order.
 * Not implemented: CreateQueue and DeleteQueue (the local cloud creates its queues), FIFO queues,
 * long polling (the local store is exact: an empty answer means an empty queue), batches,
 * message timers (DelaySeconds other than 0), purges and tags.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { AwsServiceError } from './event-bus.ts';

/** The local-only table holding every local queue's messages (not a table of shared/tables.ts: no function reads it). */
export const LOCAL_QUEUE_TABLE = 'mpbe-local-dead-letters';
/** SQS's maximum retention, which the deployed dead-letter queues use (infra/constructs/dead-letter-queue.ts). */
export const QUEUE_RETENTION_SECONDS = 14 * 24 * 3600;
/** SQS's default visibility timeout. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
/** SQS's historical message size limit (body and attributes); stricter than the 1 MiB AWS allows now. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 3600;

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as the JSON protocol carries blobs. */
  readonly BinaryValue?: string;
}

export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: MessageAttributes;
  readonly sentAt: number;
  readonly receiveCount: number;
  readonly firstReceiveAt: number;
}

export interface QueueCounts {
  /** ApproximateNumberOfMessages: visible now. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received and not yet visible again. */
  readonly inFlight: number;
}

export interface LocalQueues {
  readonly region: string;
  readonly account: string;
  /** The queues there are, by name. */
  readonly names: readonly string[];
  has(name: string): boolean;
  arn(name: string): string;
  send(name: string, message: { body: string; attributes?: MessageAttributes }): Promise<{ messageId: string }>;
  receive(name: string, options: { max: number; visibilityTimeoutSeconds: number }): Promise<ReceivedMessage[]>;
  /** SQS DeleteMessage: an outdated receipt handle of the message deletes nothing (and is no error). */
  delete(name: string, receiptHandle: string): Promise<void>;
  changeVisibility(name: string, receiptHandle: string, seconds: number): Promise<void>;
  counts(name: string): Promise<QueueCounts>;
}

export interface LocalQueuesOptions {
  readonly client: DynamoDBClient;
  readonly queueNames: readonly string[];
  readonly region: string;
  readonly account: string;
  readonly tableName?: string;
  readonly now?: () => Date;
}

interface StoredMessage {
  readonly sk: string;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: MessageAttributes;
  readonly sentAt: number;
  readonly receiveCount: number;
  readonly firstReceiveAt: number;
  readonly visibleAt: number;
  readonly receipt: string;
}

/** Creates the table when it does not exist (kept in MPBE_DATA_DIR with DynamoDB Local's other tables). */
export async function ensureQueueTable(client: DynamoDBClient, tableName = LOCAL_QUEUE_TABLE): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

const queueDoesNotExist = () =>
  new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.', 400, {
    'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
  });
const invalidReceipt = () =>
  new AwsServiceError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.', 400, {
    'x-amzn-query-error': 'ReceiptHandleIsInvalid;Sender',
  });

function encodeReceipt(queue: string, sk: string, token: string): string {
  return Buffer.from(JSON.stringify([queue, sk, token])).toString('base64url');
}

function decodeReceipt(queue: string, handle: string): { sk: string; token: string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
  } catch {
    throw invalidReceipt();
  }
  if (!Array.isArray(parts) || parts.length !== 3 || parts.some((p) => typeof p !== 'string') || parts[0] !== queue)
    throw invalidReceipt();
  return { sk: parts[1] as string, token: parts[2] as string };
}

export async function createLocalQueues(options: LocalQueuesOptions): Promise<LocalQueues> {
  const { client, region, account } = options;
  const table = options.tableName ?? LOCAL_QUEUE_TABLE;
  const now = options.now ?? (() => new Date());
  const names = [...new Set(options.queueNames)].sort();
  await ensureQueueTable(client, table);

  const existing = (name: string) => {
    if (!names.includes(name)) throw queueDoesNotExist();
  };

  async function all(name: string): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = [];
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :q',
          ExpressionAttributeValues: { ':q': { S: name } },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        messages.push({
          sk: item.sk?.S ?? '',
          messageId: item.messageId?.S ?? '',
          body: item.body?.S ?? '',
          attributes: JSON.parse(item.attributes?.S ?? '{}') as MessageAttributes,
          sentAt: Number(item.sentAt?.N ?? 0),
          receiveCount: Number(item.receiveCount?.N ?? 0),
          firstReceiveAt: Number(item.firstReceiveAt?.N ?? 0),
          visibleAt: Number(item.visibleAt?.N ?? 0),
          receipt: item.receipt?.S ?? '',
        });
      }
      ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (ExclusiveStartKey);
    return messages;
  }

  const expired = (m: StoredMessage, at: number) => m.sentAt + QUEUE_RETENTION_SECONDS * 1000 <= at;

  return {
    region,
    account,
    names,
    has: (name) => names.includes(name),
    arn: (name) => `arn:aws:sqs:${region}:${account}:${name}`,
    async send(name, message) {
      existing(name);
      const attributes = message.attributes ?? {};
      const size =
        Buffer.byteLength(message.body) +
        Object.entries(attributes).reduce(
          (sum, [k, v]) =>
            sum +
            Buffer.byteLength(k) +
            Buffer.byteLength(v.DataType) +
            Buffer.byteLength(v.StringValue ?? '') +
            Buffer.from(v.BinaryValue ?? '', 'base64').length,
          0,
        );
      if (size > MAX_MESSAGE_BYTES) {
        throw new AwsServiceError(
          'InvalidParameterValue',
          `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
        );
      }
      const sentAt = now().getTime();
      const messageId = randomUUID();
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: name },
            sk: { S: `${String(sentAt).padStart(15, '0')}#${messageId}` },
            messageId: { S: messageId },
            body: { S: message.body },
            attributes: { S: JSON.stringify(attributes) },
            sentAt: { N: String(sentAt) },
            receiveCount: { N: '0' },
            firstReceiveAt: { N: '0' },
            visibleAt: { N: String(sentAt) },
            receipt: { S: '' },
            expiresAt: { N: String(Math.ceil(sentAt / 1000) + QUEUE_RETENTION_SECONDS) },
          },
        }),
      );
      return { messageId };
    },
    async receive(name, { max, visibilityTimeoutSeconds }) {
      existing(name);
      const at = now().getTime();
      const received: ReceivedMessage[] = [];
      for (const m of await all(name)) {
        if (received.length >= max) break;
        if (expired(m, at)) {
          await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: name }, sk: { S: m.sk } } }));
          continue;
        }
        if (m.visibleAt > at) continue;
        const token = randomBytes(12).toString('base64url');
        const firstReceiveAt = m.firstReceiveAt || at;
        try {
          // Taken only if nobody received it since it was read (two receivers never get one message at once).
          await client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { pk: { S: name }, sk: { S: m.sk } },
              UpdateExpression: 'SET visibleAt = :until, receiveCount = :count, firstReceiveAt = :first, receipt = :r',
              ConditionExpression: 'visibleAt = :seen AND receipt = :previous',
              ExpressionAttributeValues: {
                ':until': { N: String(at + visibilityTimeoutSeconds * 1000) },
                ':count': { N: String(m.receiveCount + 1) },
                ':first': { N: String(firstReceiveAt) },
                ':r': { S: token },
                ':seen': { N: String(m.visibleAt) },
                ':previous': { S: m.receipt },
              },
            }),
          );
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) continue;
          throw error;
        }
        received.push({
          messageId: m.messageId,
          receiptHandle: encodeReceipt(name, m.sk, token),
          body: m.body,
          attributes: m.attributes,
          sentAt: m.sentAt,
          receiveCount: m.receiveCount + 1,
          firstReceiveAt,
        });
      }
      return received;
    },
    async delete(name, receiptHandle) {
      existing(name);
      const { sk, token } = decodeReceipt(name, receiptHandle);
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: { pk: { S: name }, sk: { S: sk } },
            ConditionExpression: 'receipt = :r',
            ExpressionAttributeValues: { ':r': { S: token } },
          }),
        );
      } catch (error) {
        // Already gone, or received again since (a newer receipt handle): SQS answers success.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async changeVisibility(name, receiptHandle, seconds) {
      existing(name);
      const { sk, token } = decodeReceipt(name, receiptHandle);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: name }, sk: { S: sk } },
            UpdateExpression: 'SET visibleAt = :until',
            ConditionExpression: 'receipt = :r',
            ExpressionAttributeValues: {
              ':r': { S: token },
              ':until': { N: String(now().getTime() + seconds * 1000) },
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw invalidReceipt();
        throw error;
      }
    },
    async counts(name) {
      existing(name);
      const at = now().getTime();
      const live = (await all(name)).filter((m) => !expired(m, at));
      const visible = live.filter((m) => m.visibleAt <= at).length;
      return { visible, inFlight: live.length - visible };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The SQS API, AWS JSON 1.0.

export const SQS_TARGET_PREFIX = 'AmazonSQS.';

/** MD5 of the message attributes, as SQS computes MD5OfMessageAttributes (names sorted; length-prefixed parts). */
export function md5OfMessageAttributes(attributes: MessageAttributes): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

export const md5Hex = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

function parseAttributes(raw: unknown): MessageAttributes {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new AwsServiceError('InvalidParameterValue', 'MessageAttributes must be a map.');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10)
    throw new AwsServiceError('InvalidParameterValue', 'A message can have at most 10 message attributes.');
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    const v = value as Partial<Record<'DataType' | 'StringValue' | 'BinaryValue', unknown>> | null;
    if (!ATTRIBUTE_NAME.test(name) || name.toLowerCase().startsWith('aws.') || name.startsWith('amazon.'))
      throw new AwsServiceError('InvalidParameterValue', `Message attribute name ${name} is invalid.`);
    if (!v || typeof v.DataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(v.DataType))
      throw new AwsServiceError('InvalidParameterValue', `Message attribute ${name} has no valid DataType.`);
    const binary = v.DataType.startsWith('Binary');
    if (binary ? typeof v.BinaryValue !== 'string' : typeof v.StringValue !== 'string')
      throw new AwsServiceError('InvalidParameterValue', `Message attribute ${name} has no value.`);
    attributes[name] = binary
      ? { DataType: v.DataType, BinaryValue: v.BinaryValue as string }
      : { DataType: v.DataType, StringValue: v.StringValue as string };
  }
  return attributes;
}

/** The requested subset: names, `All` / `.*`, or `prefix.*`. */
function selectAttributes(attributes: MessageAttributes, requested: unknown): MessageAttributes {
  if (!Array.isArray(requested) || requested.length === 0) return {};
  const wanted = requested.filter((r): r is string => typeof r === 'string');
  const matches = (name: string) =>
    wanted.some(
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => matches(name)));
}

function integer(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new AwsServiceError('InvalidParameterValue', `Value for parameter ${field} is invalid (${min} to ${max}).`);
  return value;
}

/** The queue a QueueUrl names (its last path segment; the host is not checked, as a proxy may sit in between). */
function queueOf(queues: LocalQueues, body: Record<string, unknown>): string {
  const url = body.QueueUrl;
  if (typeof url !== 'string' || url === '')
    throw new AwsServiceError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  let name: string | undefined;
  try {
    name = new URL(url).pathname.split('/').filter(Boolean).at(-1);
  } catch {
    name = undefined;
  }
  if (!name || !queues.has(name)) throw queueDoesNotExist();
  return name;
}

/**
 * Answers one SQS JSON 1.0 operation. `baseUrl` is the endpoint's own URL, which queue URLs
 * start with: `<baseUrl>/<account>/<queue name>`, as SQS's `https://sqs.<region>.amazonaws.com/<account>/<name>`.
 */
export async function sqsOperation(
  queues: LocalQueues,
  operation: string,
  body: Record<string, unknown>,
  baseUrl: string,
): Promise<unknown> {
  const urlOf = (name: string) => `${baseUrl}/${queues.account}/${name}`;
  switch (operation) {
    case 'GetQueueUrl': {
      const name = body.QueueName;
      if (typeof name !== 'string' || !queues.has(name)) throw queueDoesNotExist();
      return { QueueUrl: urlOf(name) };
    }
    case 'ListQueues': {
      const prefix = typeof body.QueueNamePrefix === 'string' ? body.QueueNamePrefix : '';
      const max = integer(body.MaxResults, 'MaxResults', 1, 1000, 1000);
      const start = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
      const matching = queues.names.filter((n) => n.startsWith(prefix));
      const page = matching.slice(start, start + max);
      const more = start + max < matching.length && body.MaxResults !== undefined;
      return { QueueUrls: page.map(urlOf), ...(more ? { NextToken: String(start + max) } : {}) };
    }
    case 'GetQueueAttributes': {
      const name = queueOf(queues, body);
      const requested = Array.isArray(body.AttributeNames) ? (body.AttributeNames as string[]) : [];
      const { visible, inFlight } = await queues.counts(name);
      const known: Record<string, string> = {
        QueueArn: queues.arn(name),
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: String(inFlight),
        ApproximateNumberOfMessagesDelayed: '0',
        MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
        VisibilityTimeout: String(DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
        SqsManagedSseEnabled: 'true',
      };
      const all = requested.includes('All');
      const unknown = requested.filter((r) => r !== 'All' && !Object.hasOwn(known, r));
      if (unknown.length > 0)
        throw new AwsServiceError('InvalidAttributeName', `Unknown or unsupported attribute ${unknown[0]}.`);
      return { Attributes: Object.fromEntries(Object.entries(known).filter(([k]) => all || requested.includes(k))) };
    }
    case 'SendMessage': {
      const name = queueOf(queues, body);
      if (typeof body.MessageBody !== 'string' || body.MessageBody === '')
        throw new AwsServiceError('MissingParameter', 'The request must contain the parameter MessageBody.');
      integer(body.DelaySeconds, 'DelaySeconds', 0, 0, 0);
      const attributes = parseAttributes(body.MessageAttributes);
      const { messageId } = await queues.send(name, { body: body.MessageBody, attributes });
      return {
        MessageId: messageId,
        MD5OfMessageBody: md5Hex(body.MessageBody),
        ...(Object.keys(attributes).length > 0 ? { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) } : {}),
      };
    }
    case 'ReceiveMessage': {
      const name = queueOf(queues, body);
      const max = integer(body.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10, 1);
      const visibility = integer(
        body.VisibilityTimeout,
        'VisibilityTimeout',
        0,
        MAX_VISIBILITY_TIMEOUT_SECONDS,
        DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      );
      integer(body.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 0);
      const system = [
        ...(Array.isArray(body.AttributeNames) ? body.AttributeNames : []),
        ...(Array.isArray(body.MessageSystemAttributeNames) ? body.MessageSystemAttributeNames : []),
      ] as string[];
      const wantsSystem = (n: string) => system.includes('All') || system.includes(n);
      const messages = await queues.receive(name, { max, visibilityTimeoutSeconds: visibility });
      return {
        Messages: messages.map((m) => {
          const attributes = selectAttributes(m.attributes, body.MessageAttributeNames);
          const systemAttributes = Object.fromEntries(
            Object.entries({
              SenderId: queues.account,
              SentTimestamp: String(m.sentAt),
              ApproximateReceiveCount: String(m.receiveCount),
              ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
            }).filter(([k]) => wantsSystem(k)),
          );
          return {
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: md5Hex(m.body),
            Body: m.body,
            ...(Object.keys(systemAttributes).length > 0 ? { Attributes: systemAttributes } : {}),
            ...(Object.keys(attributes).length > 0
              ? { MessageAttributes: attributes, MD5OfMessageAttributes: md5OfMessageAttributes(attributes) }
              : {}),
          };
        }),
      };
    }
    case 'DeleteMessage': {
      const name = queueOf(queues, body);
      if (typeof body.ReceiptHandle !== 'string') throw invalidReceipt();
      await queues.delete(name, body.ReceiptHandle);
      return {};
    }
    case 'ChangeMessageVisibility': {
      const name = queueOf(queues, body);
      if (typeof body.ReceiptHandle !== 'string') throw invalidReceipt();
      const seconds = integer(body.VisibilityTimeout, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT_SECONDS, -1);
      if (seconds < 0)
        throw new AwsServiceError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
      await queues.changeVisibility(name, body.ReceiptHandle, seconds);
      return {};
    }
    default:
      throw new AwsServiceError('UnsupportedOperation', `The local SQS does not implement ${operation}.`);
  }
}
