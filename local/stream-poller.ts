/**
 * The local stand-in for Lambda's DynamoDB event source mappings: for every consumer × table of
 * functions/streams.ts it reads the table's stream on DynamoDB Local from TRIM_HORIZON once, then
 * from its checkpoint (the last sequence number read in each shard), keeps the
 * records whose eventName the consumer's filter accepts, and invokes the target function through
 * the local Lambda runtime with the AWS DynamoDBStreamEvent shape, in batches of the consumer's
 * size. A failing batch is retried as the event source mapping does (ADR 0005): a thrown error
 * splits it in two (bisectBatchOnError), a partial batch response retries from the first failed
 * record, and after `maximumRetryAttempts` retries the batch goes to the consumer's on-failure
 * queue as the mapping's on-failure record (`deadLetters`, local/sqs-dead-letters.ts: the shard
 * and sequence numbers, never the records) and the poller moves on.
 *
 * DynamoDB Local serves the DynamoDB Streams API on its own port. The SDK's streams client is not
 * a dependency of the project, so the four calls go through the DynamoDB client: a command whose
 * request is re-targeted (X-Amz-Target, body) before it is signed, and whose raw answer is read
 * before the DynamoDB deserializer sees it (dynamoDbStreamsApi below).
 */
import { DescribeTableCommand, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { FunctionName } from '#functions/catalogue.ts';
import { consumerAccepts, type StreamConsumer } from '#functions/streams.ts';
import type { TableName } from '#shared/tables.ts';
import type { DeadLetterSink } from './sqs-dead-letters.ts';

/** A record as DynamoDB Streams' GetRecords returns it (AttributeValue JSON images). */
export interface StreamRecordJson {
  readonly eventID: string;
  /** INSERT, MODIFY or REMOVE; DynamoDB Local names its own TTL deletions otherwise (see fromLocalTtl). */
  readonly eventName: string;
  readonly eventVersion?: string;
  readonly eventSource?: string;
  readonly awsRegion?: string;
  readonly dynamodb: { readonly SequenceNumber: string; readonly [key: string]: unknown };
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
}

export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardId?: string;
}

export type ShardPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** The four DynamoDB Streams calls the poller makes (and DescribeTable for the stream's ARN). */
export interface StreamsApi {
  /** The table's current stream and its primary key's attribute names. */
  describeTable(tableName: string): Promise<{ streamArn?: string; keyAttributes: readonly string[] }>;
  shards(streamArn: string): Promise<readonly ShardInfo[]>;
  shardIterator(streamArn: string, shardId: string, position: ShardPosition): Promise<string>;
  records(iterator: string, limit: number): Promise<{ records: readonly StreamRecordJson[]; next?: string }>;
}

export interface StreamFailure {
  readonly consumer: string;
  readonly table: TableName;
  readonly target: FunctionName;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  readonly records: number;
  readonly attempts: number;
  /** The error's name and message only, never a record. */
  readonly reason: string;
}

export interface StreamPollerOptions {
  readonly consumers: readonly StreamConsumer[];
  /** Physical table names by logical name. */
  readonly tableNames: Readonly<Record<TableName, string>>;
  readonly api: StreamsApi;
  readonly invoke: (name: FunctionName, event: unknown) => Promise<unknown>;
  readonly region: string;
  readonly account: string;
  /**
   * Pause after a pass that found nothing new (100 ms); it doubles after each further empty pass,
   * up to `maxIdleIntervalMs` (1 s), and comes back to this at the first record read or nudge.
   */
  readonly pollIntervalMs?: number;
  readonly maxIdleIntervalMs?: number;
  /** Wait before the n-th retry of a batch. */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Where a batch goes once its retries are over (the consumer's on-failure queue). */
  readonly deadLetters?: Pick<DeadLetterSink, 'streamFailure'>;
  readonly log?: (line: string) => void;
}

export interface StreamPoller {
  start(): void;
  /** Stops polling; resolves once every loop has ended. */
  stop(): Promise<void>;
  /** Resolves once every stream was read to its end, with nothing in flight, after this call. */
  idle(timeoutMs?: number): Promise<void>;
  /**
   * Something was written to these tables (physical names): their idle loops read again now
   * rather than at the end of their backoff (Lambda's pollers read a shard about four times a
   * second whatever happens; polling DynamoDB Local so often from every loop slows it for all).
   */
  nudge(tableNames: readonly string[]): void;
  /** Batches that failed after their retries in this process, oldest first (for tests); the durable copy is in the dead-letter queue. */
  failures(): readonly StreamFailure[];
  /**
   * Runs `write`, then reads every stream to its end without delivering what was written
   * meanwhile (nor anything still unread): for a tool writing a history whose events are long
   * past (`npm run bench:api` seeds 50,000 appointments). No event source mapping can do that;
   * nothing but such tools calls it.
   */
  passOver<T>(write: () => Promise<T>, timeoutMs?: number): Promise<T>;
}

interface ShardState {
  iterator?: string;
  lastSequenceNumber?: string;
  done: boolean;
}

interface Subscription {
  readonly consumer: StreamConsumer;
  readonly table: TableName;
  readonly tableName: string;
  streamArn?: string;
  keyAttributes: readonly string[];
  /** The ARN handed to the function, as AWS writes it. */
  eventSourceArn?: string;
  readonly shards: Map<string, ShardState>;
  readonly parents: Map<string, string | undefined>;
  cycle: number;
  lastIdleCycle: number;
  passes: number;
  /** Empty passes in a row (the backoff's exponent). */
  idleStreak: number;
  /** Ends the loop's current pause when it is one of the backoff's longer ones. */
  wakeFromBackoff?: () => void;
}

const DESCRIBE_EVERY_PASSES = 20;

export function createStreamPoller(options: StreamPollerOptions): StreamPoller {
  const log = options.log ?? (() => undefined);
  const interval = options.pollIntervalMs ?? 100;
  const maxIdleInterval = Math.max(interval, options.maxIdleIntervalMs ?? 1000);
  const retryDelay = options.retryDelayMs ?? ((attempt: number) => Math.min(2000, 100 * 2 ** (attempt - 1)));
  const failures: StreamFailure[] = [];
  const subscriptions: Subscription[] = options.consumers.flatMap((consumer) =>
    consumer.tables.map((table) => ({
      consumer,
      table,
      tableName: options.tableNames[table],
      keyAttributes: [],
      shards: new Map<string, ShardState>(),
      parents: new Map<string, string | undefined>(),
      cycle: 0,
      lastIdleCycle: 0,
      passes: 0,
      idleStreak: 0,
    })),
  );
  let stopped = true;
  let passingOver = false;
  let loops: Promise<void>[] = [];
  let wake: (() => void)[] = [];
  const waiters: { sub: Subscription; after: number; resolve: () => void }[][] = [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = wake.filter((w) => w !== done);
        resolve();
      }
      wake.push(done);
    });

  const toLambdaRecord = (sub: Subscription, record: StreamRecordJson) => ({
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: options.region,
    dynamodb: record.dynamodb,
    eventSourceARN: sub.eventSourceArn,
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
  });

  /** Delivers a batch as the event source mapping does; never throws. */
  async function deliver(
    sub: Subscription,
    shardId: string,
    records: readonly StreamRecordJson[],
    attempt: number,
  ): Promise<void> {
    let failedFrom: number | undefined;
    let thrown = false;
    let reason = '';
    try {
      const result = (await options.invoke(sub.consumer.target, {
        Records: records.map((r) => toLambdaRecord(sub, r)),
      })) as { batchItemFailures?: { itemIdentifier?: string }[] } | undefined;
      const reported = result?.batchItemFailures ?? [];
      if (reported.length > 0) {
        const indexes = reported.map((f) => records.findIndex((r) => r.dynamodb.SequenceNumber === f.itemIdentifier));
        // An identifier that names no record of the batch fails the whole batch, as in AWS.
        failedFrom = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
        reason = `partial batch response: ${reported.length} record(s) failed`;
      }
    } catch (error) {
      thrown = true;
      failedFrom = 0;
      reason = `${(error as Error).name}: ${(error as Error).message}`;
    }
    if (failedFrom === undefined) return;
    const failing = records.slice(failedFrom);
    if (stopped) return; // the local cloud is stopping: the records are left in the stream
    if (attempt >= sub.consumer.maximumRetryAttempts) {
      const failure: StreamFailure = {
        consumer: sub.consumer.name,
        table: sub.table,
        target: sub.consumer.target,
        firstSequenceNumber: failing[0]?.dynamodb.SequenceNumber ?? '',
        lastSequenceNumber: failing.at(-1)?.dynamodb.SequenceNumber ?? '',
        records: failing.length,
        attempts: attempt + 1,
        reason,
      };
      failures.push(failure);
      log(
        `stream ${sub.consumer.name}/${sub.table}: ${failing.length} record(s) failed after ${attempt + 1} attempt(s) (${reason})`,
      );
      const arrival = (r: StreamRecordJson | undefined) => {
        const seconds = r?.dynamodb.ApproximateCreationDateTime;
        return typeof seconds === 'number' ? { at: new Date(seconds * 1000) } : undefined;
      };
      const first = arrival(failing[0]);
      const last = arrival(failing.at(-1));
      await options.deadLetters?.streamFailure(sub.consumer, {
        attempts: attempt + 1,
        shardId,
        startSequenceNumber: failure.firstSequenceNumber,
        endSequenceNumber: failure.lastSequenceNumber,
        batchSize: failing.length,
        streamArn: sub.eventSourceArn ?? '',
        ...(first ? { firstArrival: first.at } : {}),
        ...(last ? { lastArrival: last.at } : {}),
      });
      return;
    }
    await sleep(retryDelay(attempt + 1));
    if (thrown && failing.length > 1) {
      const half = Math.ceil(failing.length / 2);
      await deliver(sub, shardId, failing.slice(0, half), attempt + 1);
      await deliver(sub, shardId, failing.slice(half), attempt + 1);
    } else {
      await deliver(sub, shardId, failing, attempt + 1);
    }
  }

  async function refreshShards(sub: Subscription, streamArn: string) {
    for (const shard of await options.api.shards(streamArn)) {
      sub.parents.set(shard.shardId, shard.parentShardId);
      if (!sub.shards.has(shard.shardId)) sub.shards.set(shard.shardId, { done: false });
    }
  }

  /** A shard is read once its parent (if we know it) has been read to its end. */
  const ready = (sub: Subscription, shardId: string) => {
    const parent = sub.parents.get(shardId);
    return !parent || !sub.shards.has(parent) || sub.shards.get(parent)?.done === true;
  };

  /**
   * One page of a shard, from where its checkpoint says, as the event source mapping reads: from
   * TRIM_HORIZON until a first record is read, then after the last record read. A shard whose
   * oldest records were trimmed past the position asked (TrimmedDataAccessException) goes on from
   * its oldest record kept, as Lambda does. Before any record was read, nothing can be lost by
   * that: DynamoDB Local answers so, once, to the TRIM_HORIZON iterator of a stream that was empty
   * when the iterator was taken (seen with its 2026-05-28 build), so that case is not worth a log
   * line. After a checkpoint, it means records were lost: that is said.
   */
  async function readPage(sub: Subscription, streamArn: string, shardId: string, shard: ShardState) {
    const from = (): ShardPosition =>
      shard.lastSequenceNumber
        ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.lastSequenceNumber }
        : { type: 'TRIM_HORIZON' };
    shard.iterator ??= await options.api.shardIterator(streamArn, shardId, from());
    try {
      return await options.api.records(shard.iterator, 1000);
    } catch (error) {
      shard.iterator = undefined; // expired or invalid: start again after the last record read
      if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
      if (shard.lastSequenceNumber) {
        log(
          `stream ${sub.consumer.name}/${sub.table}: records after ${shard.lastSequenceNumber} were trimmed before they were read; going on from the oldest record kept`,
        );
        shard.lastSequenceNumber = undefined;
      }
      shard.iterator = await options.api.shardIterator(streamArn, shardId, from());
      return await options.api.records(shard.iterator, 1000);
    }
  }

  /** One pass over every shard of the stream; returns how many records it read. */
  async function pass(sub: Subscription): Promise<number> {
    if (!sub.streamArn) {
      const table = await options.api.describeTable(sub.tableName);
      if (!table.streamArn) return 0;
      sub.streamArn = table.streamArn;
      sub.keyAttributes = table.keyAttributes;
      const label = sub.streamArn.split('/stream/')[1] ?? 'local';
      sub.eventSourceArn = `arn:aws:dynamodb:${options.region}:${options.account}:table/${sub.tableName}/stream/${label}`;
    }
    if (sub.passes++ % DESCRIBE_EVERY_PASSES === 0 || [...sub.shards.values()].every((s) => s.done)) {
      await refreshShards(sub, sub.streamArn);
    }
    let read = 0;
    for (const [shardId, shard] of sub.shards) {
      if (shard.done || !ready(sub, shardId) || stopped) continue;
      const page = await readPage(sub, sub.streamArn, shardId, shard);
      read += page.records.length;
      const wanted = page.records
        .map((r) => fromLocalTtl(r, sub.keyAttributes))
        .filter((r) => consumerAccepts(sub.consumer, r));
      for (let i = 0; i < wanted.length && !passingOver; i += sub.consumer.batchSize) {
        await deliver(sub, shardId, wanted.slice(i, i + sub.consumer.batchSize), 0);
      }
      const last = page.records.at(-1);
      if (last) shard.lastSequenceNumber = last.dynamodb.SequenceNumber;
      shard.iterator = page.next;
      if (!page.next) shard.done = true;
    }
    return read;
  }

  function settle(sub: Subscription) {
    for (const group of [...waiters]) {
      for (let i = group.length - 1; i >= 0; i--) {
        const waiter = group[i];
        if (waiter?.sub === sub && sub.lastIdleCycle > waiter.after) {
          group.splice(i, 1);
          waiter.resolve();
        }
      }
    }
  }

  async function loop(sub: Subscription) {
    while (!stopped) {
      const cycle = ++sub.cycle;
      let read = 0;
      let failed = false;
      try {
        read = await pass(sub);
      } catch (error) {
        failed = true;
        if (!stopped)
          log(`stream ${sub.consumer.name}/${sub.table}: ${(error as Error).name}: ${(error as Error).message}`);
      }
      if (read === 0 && !failed) {
        sub.lastIdleCycle = cycle;
        settle(sub);
      }
      if (read > 0 || failed) sub.idleStreak = 0;
      if (read === 0 && !stopped) {
        const pause = Math.min(maxIdleInterval, interval * 2 ** Math.min(sub.idleStreak++, 20));
        if (pause > interval) {
          const slept = sleep(pause);
          sub.wakeFromBackoff = wake.at(-1);
          await slept;
          sub.wakeFromBackoff = undefined;
        } else await sleep(pause);
      }
    }
  }

  function nudge(subs: readonly Subscription[]) {
    for (const sub of subs) {
      sub.idleStreak = 0;
      sub.wakeFromBackoff?.();
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loops = subscriptions.map((sub) => loop(sub));
    },
    async stop() {
      stopped = true;
      for (const w of [...wake]) w();
      await Promise.all(loops);
      loops = [];
    },
    nudge(tableNames) {
      nudge(subscriptions.filter((sub) => tableNames.includes(sub.tableName)));
    },
    idle(timeoutMs = 30_000) {
      // Whoever waits for the streams need not wait for the loops' backoff too.
      nudge(subscriptions);
      return new Promise<void>((resolve, reject) => {
        let remaining = subscriptions.length;
        if (remaining === 0) return resolve();
        const forget = () => {
          const index = waiters.indexOf(group);
          if (index >= 0) waiters.splice(index, 1);
        };
        const timer = setTimeout(() => {
          forget();
          reject(new Error(`The stream poller was not idle within ${timeoutMs} ms`));
        }, timeoutMs);
        const group = subscriptions.map((sub) => ({
          sub,
          after: sub.cycle,
          resolve: () => {
            if (--remaining === 0) {
              clearTimeout(timer);
              forget();
              resolve();
            }
          },
        }));
        waiters.push(group);
      });
    },
    failures: () => [...failures],
    async passOver(write, timeoutMs = 600_000) {
      // The loops wait while the history is written (reading it as it grows would slow the
      // writes), then read it to its end delivering nothing.
      const wasRunning = !stopped;
      passingOver = true;
      try {
        if (wasRunning) await this.stop();
        const result = await write();
        this.start();
        await this.idle(timeoutMs);
        if (!wasRunning) await this.stop();
        return result;
      } finally {
        passingOver = false;
      }
    },
  };
}

/**
 * DynamoDB Local deletes expired items by itself too (a few at a time, every few seconds: seen
 * with DynamoDB Local 2026-05-28), and writes their stream records with an event name its own SDK
 * does not know ("UNKNOWN_TO_SDK_VERSION"), no user identity, and the index keys among the
 * `Keys`. AWS writes such a deletion as a REMOVE by the TTL service: that is what the function
 * gets, so the local cloud exercises the same path as AWS.
 */
export function fromLocalTtl(record: StreamRecordJson, keyAttributes: readonly string[]): StreamRecordJson {
  if (['INSERT', 'MODIFY', 'REMOVE'].includes(record.eventName)) return record;
  const image = record.dynamodb as { OldImage?: unknown; NewImage?: unknown; Keys?: Record<string, unknown> };
  if (!image.OldImage || image.NewImage) return record;
  const keys = image.Keys ?? {};
  return {
    ...record,
    eventName: 'REMOVE',
    dynamodb: {
      ...record.dynamodb,
      Keys: Object.fromEntries(Object.entries(keys).filter(([name]) => keyAttributes.includes(name))),
    },
    userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
  };
}

/** The error DynamoDB Local answered, named by its `__type` (e.g. ExpiredIteratorException). */
class StreamsError extends Error {
  constructor(type: string, message: string) {
    super(message);
    this.name = type.split('#').at(-1) ?? type;
  }
}

interface RawRequest {
  headers: Record<string, string>;
  body?: unknown;
}
interface RawResponse {
  statusCode: number;
  body: AsyncIterable<Uint8Array> | Uint8Array | string;
}

/**
 * Calls one operation of the DynamoDB Streams API (JSON 1.0, X-Amz-Target
 * `DynamoDBStreams_20120810.<operation>`) through a DynamoDB client: the request of a carrier
 * command is re-targeted after serialization, so the client signs it as any request, and the
 * answer is read raw before the carrier's deserializer (which then sees an empty object).
 */
async function streamsCall<T>(client: DynamoDBClient, operation: string, input: object): Promise<T> {
  const command = new ListTablesCommand({});
  let answer: { status: number; text: string } | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = (args as { request: RawRequest }).request;
      for (const name of Object.keys(request.headers)) {
        if (name.toLowerCase() === 'x-amz-target') delete request.headers[name];
      }
      request.headers['x-amz-target'] = `DynamoDBStreams_20120810.${operation}`;
      request.body = JSON.stringify(input);
      return next(args);
    },
    { step: 'serialize', priority: 'low', name: 'dynamoDbStreamsRequest' },
  );
  command.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const response = out.response as RawResponse;
      const chunks: Buffer[] = [];
      if (typeof response.body === 'string' || response.body instanceof Uint8Array)
        chunks.push(Buffer.from(response.body));
      else for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      answer = { status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') };
      response.statusCode = 200;
      response.body = Buffer.from('{}');
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'dynamoDbStreamsResponse' },
  );
  await client.send(command);
  if (!answer) throw new Error(`DynamoDB Streams ${operation}: no answer`);
  const body = answer.text ? (JSON.parse(answer.text) as Record<string, unknown>) : {};
  if (answer.status !== 200) {
    throw new StreamsError(
      String(body.__type ?? 'StreamsError'),
      String(body.message ?? body.Message ?? answer.status),
    );
  }
  return body as T;
}

export function dynamoDbStreamsApi(client: DynamoDBClient): StreamsApi {
  return {
    async describeTable(tableName) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      return {
        ...(Table?.LatestStreamArn ? { streamArn: Table.LatestStreamArn } : {}),
        keyAttributes: (Table?.KeySchema ?? []).flatMap((k) => (k.AttributeName ? [k.AttributeName] : [])),
      };
    },
    async shards(streamArn) {
      const shards: ShardInfo[] = [];
      let start: string | undefined;
      do {
        const out = await streamsCall<{
          StreamDescription?: {
            Shards?: { ShardId: string; ParentShardId?: string }[];
            LastEvaluatedShardId?: string;
          };
        }>(client, 'DescribeStream', { StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) });
        for (const s of out.StreamDescription?.Shards ?? []) {
          shards.push({ shardId: s.ShardId, ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}) });
        }
        start = out.StreamDescription?.LastEvaluatedShardId;
      } while (start);
      return shards;
    },
    async shardIterator(streamArn, shardId, position) {
      const out = await streamsCall<{ ShardIterator: string }>(client, 'GetShardIterator', {
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: position.type,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.sequenceNumber } : {}),
      });
      return out.ShardIterator;
    },
    async records(iterator, limit) {
      const out = await streamsCall<{ Records?: StreamRecordJson[]; NextShardIterator?: string }>(
        client,
        'GetRecords',
        { ShardIterator: iterator, Limit: limit },
      );
      return { records: out.Records ?? [], ...(out.NextShardIterator ? { next: out.NextShardIterator } : {}) };
    },
  };
}
