/**
 * The operator's dead-letter tool (`npm run dead-letters`, ./dead-letters-cli.ts): lists the
 * messages of the contexts' dead-letter queues and hands each one back to its function. The same
 * code runs against AWS (the default credential chain) and against the local cloud (its AWS
 * endpoint), through the SQS and Lambda APIs only.
 *
 * The queues are found by their names (`<prefix>-<context>-dead-letters`, prefix the stack name
 * in AWS, `mpbe-local` locally: infra/constructs/dead-letter-queue.ts, local/sqs-dead-letters.ts)
 * with ListQueues. A message is one of four shapes, told apart by what AWS writes:
 *
 * | source                        | body                          | names                                   | redrive: an asynchronous Invoke of |
 * | ----------------------------- | ----------------------------- | --------------------------------------- | ---------------------------------- |
 * | EventBridge target            | the event                     | attributes RULE_ARN, TARGET_ARN, ERROR_* | TARGET_ARN with the body           |
 * | Scheduler target              | the target's input            | attributes SCHEDULE_ARN, TARGET_ARN, …  | TARGET_ARN with the body           |
 * | Lambda asynchronous failure   | the invocation record         | requestContext.functionArn              | functionArn with requestPayload    |
 * | stream batch failure          | a pointer (shard, sequences)  | requestContext.functionArn, streamArn   | none: kept (the records are not in the message) |
 *
 * Listing never prints a body (it may hold personal data): ids, names, errors, ages and sizes
 * only, and of an EventBridge event its detail-type and id. A redriven message is deleted once
 * Lambda has accepted the event (202); one that cannot be redriven stays in its queue, visible
 * again at once. As with Lambda's own retries, an event that fails again comes back to the queue
 * as a new message.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DEAD_LETTER_QUEUE_SUFFIX } from './sqs-dead-letters.ts';

export type Source =
  | {
      readonly kind: 'eventbridge-target';
      readonly rule: string;
      readonly target: string;
      readonly error: string;
      readonly attempts?: number;
    }
  | {
      readonly kind: 'scheduler-target';
      readonly schedule: string;
      readonly target: string;
      readonly error: string;
      readonly attempts?: number;
      readonly truncated: boolean;
    }
  | {
      readonly kind: 'lambda-async';
      readonly target: string;
      readonly condition: string;
      readonly error: string;
      readonly attempts?: number;
    }
  | {
      readonly kind: 'stream-batch';
      readonly target: string;
      readonly stream: string;
      readonly shardId: string;
      readonly sequences: string;
      readonly records: number;
      readonly attempts?: number;
    }
  | { readonly kind: 'unknown' };

export interface DeadLetter {
  readonly queue: string;
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly source: Source;
  /** The detail-type and id of the EventBridge event it carries, if it carries one. */
  readonly event?: { readonly detailType: string; readonly id: string };
  readonly sentAt?: Date;
  readonly receiveCount?: number;
  readonly bytes: number;
  /** What a redrive invokes, or why it cannot. */
  readonly redrive: { readonly functionArn: string; readonly payload: string } | { readonly cannot: string };
}

const attribute = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;
const count = (value: unknown) => {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
};
const oneLine = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** An EventBridge event's detail-type and id, never its detail. */
function eventOf(value: unknown): DeadLetter['event'] {
  if (value === null || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e['detail-type'] !== 'string' || typeof e.id !== 'string' || !('detail' in e)) return undefined;
  return { detailType: e['detail-type'], id: e.id };
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** What a received message is, where it came from and what a redrive would invoke. */
export function classify(queue: string, m: Message): DeadLetter {
  const body = m.Body ?? '';
  const base = {
    queue,
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    bytes: Buffer.byteLength(body),
    ...(m.Attributes?.SentTimestamp ? { sentAt: new Date(Number(m.Attributes.SentTimestamp)) } : {}),
    ...(m.Attributes?.ApproximateReceiveCount ? { receiveCount: Number(m.Attributes.ApproximateReceiveCount) } : {}),
  };
  const json = parse(body);
  const error = (code: string | undefined, message: string | undefined) =>
    oneLine([code, message].filter(Boolean).join(': ') || 'unknown error');
  const targetArn = attribute(m, 'TARGET_ARN');
  const ruleArn = attribute(m, 'RULE_ARN');
  const scheduleArn = attribute(m, 'SCHEDULE_ARN');
  if (targetArn && ruleArn) {
    const attempts = count(attribute(m, 'RETRY_ATTEMPTS'));
    return {
      ...base,
      source: {
        kind: 'eventbridge-target',
        rule: ruleArn,
        target: targetArn,
        error: error(attribute(m, 'ERROR_CODE'), attribute(m, 'ERROR_MESSAGE')),
        ...(attempts !== undefined ? { attempts: attempts + 1 } : {}),
      },
      ...(eventOf(json) ? { event: eventOf(json) } : {}),
      redrive: isLambdaArn(targetArn)
        ? { functionArn: targetArn, payload: body }
        : { cannot: `the target ${targetArn} is not a Lambda function` },
    };
  }
  if (targetArn && scheduleArn) {
    const truncated = attribute(m, 'IS_PAYLOAD_TRUNCATED') === 'true';
    const attempts = count(attribute(m, 'RETRY_ATTEMPTS'));
    return {
      ...base,
      source: {
        kind: 'scheduler-target',
        schedule: scheduleArn,
        target: targetArn,
        error: error(attribute(m, 'ERROR_CODE'), attribute(m, 'ERROR_MESSAGE')),
        truncated,
        ...(attempts !== undefined ? { attempts: attempts + 1 } : {}),
      },
      redrive: truncated
        ? { cannot: 'Scheduler truncated the input it kept (IS_PAYLOAD_TRUNCATED)' }
        : isLambdaArn(targetArn)
          ? { functionArn: targetArn, payload: body }
          : { cannot: `the target ${targetArn} is not a Lambda function` },
    };
  }
  const record = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
  const context = record?.requestContext as Record<string, unknown> | undefined;
  const functionArn = typeof context?.functionArn === 'string' ? context.functionArn : undefined;
  const attempts = count(context?.approximateInvokeCount);
  const batch = record?.DDBStreamBatchInfo as Record<string, unknown> | undefined;
  if (functionArn && batch) {
    return {
      ...base,
      source: {
        kind: 'stream-batch',
        target: functionArn,
        stream: String(batch.streamArn ?? ''),
        shardId: String(batch.shardId ?? ''),
        sequences: `${String(batch.startSequenceNumber ?? '')}…${String(batch.endSequenceNumber ?? '')}`,
        records: count(batch.batchSize) ?? 0,
        ...(attempts !== undefined ? { attempts } : {}),
      },
      redrive: {
        cannot:
          'a stream batch: the message points at the records (shard and sequence numbers) and holds none; they stay in the stream 24 h (docs/runbooks/dead-letters.md)',
      },
    };
  }
  if (functionArn && record && 'requestPayload' in record) {
    const response = record.responsePayload as Record<string, unknown> | undefined;
    return {
      ...base,
      source: {
        kind: 'lambda-async',
        target: functionArn,
        condition: String(context?.condition ?? ''),
        error: error(
          typeof response?.errorType === 'string' ? response.errorType : undefined,
          typeof response?.errorMessage === 'string' ? response.errorMessage : undefined,
        ),
        ...(attempts !== undefined ? { attempts } : {}),
      },
      ...(eventOf(record.requestPayload) ? { event: eventOf(record.requestPayload) } : {}),
      redrive: { functionArn, payload: JSON.stringify(record.requestPayload ?? {}) },
    };
  }
  return { ...base, source: { kind: 'unknown' }, redrive: { cannot: 'not a message AWS writes to these queues' } };
}

function isLambdaArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9-_]+(:[A-Za-z0-9-_$]+)?$/.test(arn);
}

/** The name of a resource from its ARN: the function, rule, schedule (group/name) or table. */
export function shortName(arn: string): string {
  const fn = /:function:([^:]+)/.exec(arn);
  if (fn) return fn[1] as string;
  const rule = /:rule\/(?:[^/]+\/)?([^/]+)$/.exec(arn);
  if (rule) return rule[1] as string;
  const schedule = /:schedule\/(.+)$/.exec(arn);
  if (schedule) return schedule[1] as string;
  const table = /:table\/([^/]+)/.exec(arn);
  if (table) return table[1] as string;
  return arn;
}

export interface Queue {
  readonly name: string;
  readonly url: string;
}

export interface ToolClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
}

/** The dead-letter queues of a deployment: ListQueues by `<prefix>-`, those ending in `-dead-letters`. */
export async function findQueues(sqs: SQSClient, prefix: string): Promise<Queue[]> {
  const queues: Queue[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: `${prefix}-`, MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }),
    );
    for (const url of page.QueueUrls ?? []) {
      const name = url.split('/').at(-1) ?? '';
      if (name.endsWith(DEAD_LETTER_QUEUE_SUFFIX)) queues.push({ name, url });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return queues.sort((a, b) => a.name.localeCompare(b.name));
}

/** A queue's message counts (approximate, as SQS says). */
export async function queueCounts(sqs: SQSClient, queue: Queue): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export interface ReceiveOptions {
  /** At most this many messages (default 1000). */
  readonly limit?: number;
  /** How long received messages stay hidden from others while the tool works on them. */
  readonly visibilitySeconds?: number;
  /** Long polling of each receive (AWS: 1 s, so that every SQS server is asked; locally 0). */
  readonly waitSeconds?: number;
}

/** Receives a queue's messages (each hidden from others until released, deleted, or its visibility timeout). */
export async function receiveAll(sqs: SQSClient, queue: Queue, options: ReceiveOptions = {}): Promise<DeadLetter[]> {
  const limit = options.limit ?? 1000;
  const letters: DeadLetter[] = [];
  while (letters.length < limit) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(10, limit - letters.length),
        VisibilityTimeout: options.visibilitySeconds ?? 300,
        WaitTimeSeconds: options.waitSeconds ?? 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    if (!Messages || Messages.length === 0) break;
    for (const m of Messages) letters.push(classify(queue.name, m));
  }
  return letters;
}

/** Makes a received message visible again at once (it stays in its queue). */
export async function release(sqs: SQSClient, queue: Queue, letter: DeadLetter): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queue.url,
      ReceiptHandle: letter.receiptHandle,
      VisibilityTimeout: 0,
    }),
  );
}

export type RedriveOutcome =
  | { readonly letter: DeadLetter; readonly outcome: 'redriven' }
  | { readonly letter: DeadLetter; readonly outcome: 'kept'; readonly why: string }
  | { readonly letter: DeadLetter; readonly outcome: 'failed'; readonly why: string };

/**
 * Hands a message back to its function: an asynchronous Invoke (InvocationType Event) with the
 * event or input it carries, then DeleteMessage once Lambda accepted it. A message that cannot be
 * redriven, or whose Invoke fails, is released (visible again at once) and kept.
 */
export async function redrive(clients: ToolClients, queue: Queue, letter: DeadLetter): Promise<RedriveOutcome> {
  if ('cannot' in letter.redrive) {
    await release(clients.sqs, queue, letter);
    return { letter, outcome: 'kept', why: letter.redrive.cannot };
  }
  try {
    const answer = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: letter.redrive.functionArn,
        InvocationType: 'Event',
        Payload: Buffer.from(letter.redrive.payload, 'utf8'),
      }),
    );
    if (answer.StatusCode !== 202) throw new Error(`Lambda answered ${answer.StatusCode} instead of 202`);
  } catch (error) {
    await release(clients.sqs, queue, letter).catch(() => undefined);
    return { letter, outcome: 'failed', why: oneLine(`${(error as Error).name}: ${(error as Error).message}`) };
  }
  await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: letter.receiptHandle }));
  return { letter, outcome: 'redriven' };
}

/** How long ago, in words an operator reads at a glance. */
export function age(from: Date | undefined, now: Date): string {
  if (!from) return '?';
  const minutes = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** One line per message: no body, ever. */
export function describe(letter: DeadLetter, now: Date): string {
  const s = letter.source;
  const parts: string[] = [letter.messageId];
  switch (s.kind) {
    case 'eventbridge-target':
      parts.push(`EventBridge rule ${shortName(s.rule)} → ${shortName(s.target)}`, s.error);
      break;
    case 'scheduler-target':
      parts.push(`schedule ${shortName(s.schedule)} → ${shortName(s.target)}`, s.error);
      break;
    case 'lambda-async':
      parts.push(`function ${shortName(s.target)} (${s.condition})`, s.error);
      break;
    case 'stream-batch':
      parts.push(
        `stream ${shortName(s.stream)} → ${shortName(s.target)}`,
        `${s.records} record(s), shard ${s.shardId}, sequence ${s.sequences}`,
      );
      break;
    default:
      parts.push('unknown source');
  }
  if ('attempts' in s && s.attempts !== undefined) parts.push(`${s.attempts} attempt(s)`);
  if (letter.event) parts.push(`event ${letter.event.detailType} ${letter.event.id}`);
  parts.push(`age ${age(letter.sentAt, now)}`, `${letter.bytes} bytes`);
  return parts.join(' | ');
}
