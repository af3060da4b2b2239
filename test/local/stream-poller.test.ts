/**
 * The local stream poller against a scripted DynamoDB Streams API: it applies the consumer's
 * eventName filter and batch size, hands the function the AWS DynamoDBStreamEvent shape, retries
 * a failing batch as the event source mapping does (bisect on error, partial batch responses),
 * records what still fails, reads a child shard after its parent, and tells when it is idle.
 * Against DynamoDB Local's real streams, it runs in test/integration/deletion-audit.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamConsumer } from '#functions/streams.ts';
import {
  createStreamPoller,
  type ShardPosition,
  type StreamPoller,
  type StreamRecordJson,
  type StreamsApi,
} from '#local/stream-poller.ts';
import type { TableName } from '#shared/tables.ts';

interface FakeShard {
  id: string;
  parent?: string;
  records: StreamRecordJson[];
  closed: boolean;
  /** Records dropped from the front (AWS trims after 24 h). */
  trimmed: number;
}

class TrimmedDataAccessException extends Error {
  override name = 'TrimmedDataAccessException';
}

function fakeStreams(quirks: { staleEmptyHorizon?: boolean } = {}) {
  const shards = new Map<string, FakeShard[]>();
  let sequence = 0;
  const api: StreamsApi = {
    async describeTable(tableName) {
      return {
        ...(shards.has(tableName)
          ? { streamArn: `arn:aws:dynamodb:ddblocal:000000000000:table/${tableName}/stream/2026-11-26T00:00:00.000` }
          : {}),
        keyAttributes: ['pk', 'sk'],
      };
    },
    async shards(streamArn) {
      const table = streamArn.split(':table/')[1]!.split('/')[0]!;
      return (shards.get(table) ?? []).map((s) => ({
        shardId: s.id,
        ...(s.parent ? { parentShardId: s.parent } : {}),
      }));
    },
    async shardIterator(streamArn, shardId, position: ShardPosition) {
      const table = streamArn.split(':table/')[1]!.split('/')[0]!;
      const shard = shards.get(table)!.find((s) => s.id === shardId)!;
      const index =
        position.type === 'TRIM_HORIZON'
          ? shard.trimmed
          : shard.records.findIndex((r) => r.dynamodb.SequenceNumber === position.sequenceNumber) + 1;
      // DynamoDB Local's TRIM_HORIZON iterator of an empty stream: refused once records exist.
      const stale = quirks.staleEmptyHorizon && position.type === 'TRIM_HORIZON' && shard.records.length === 0;
      return `${table}|${shardId}|${index}${stale ? '|stale' : ''}`;
    },
    async records(iterator, limit) {
      const [table, shardId, at, stale] = iterator.split('|') as [string, string, string, string?];
      const shard = shards.get(table)!.find((s) => s.id === shardId)!;
      const start = Number(at);
      if ((stale && shard.records.length > 0) || start < shard.trimmed) {
        throw new TrimmedDataAccessException(
          'The operation attempted to read past the oldest stream record in a shard.',
        );
      }
      const records = shard.records.slice(start, start + limit);
      const end = start + records.length;
      const next =
        shard.closed && end >= shard.records.length
          ? undefined
          : `${table}|${shardId}|${end}${stale && records.length === 0 ? '|stale' : ''}`;
      return { records, ...(next ? { next } : {}) };
    },
  };
  const shardOf = (table: string, id = 'shard-1', parent?: string) => {
    const list = shards.get(table) ?? [];
    shards.set(table, list);
    let shard = list.find((s) => s.id === id);
    if (!shard) {
      shard = { id, records: [], closed: false, trimmed: 0, ...(parent ? { parent } : {}) };
      list.push(shard);
    }
    return shard;
  };
  const write = (table: string, eventName: StreamRecordJson['eventName'], pk: string, shard = 'shard-1') => {
    sequence++;
    shardOf(table, shard).records.push({
      eventID: `event-${sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: 1_795_731_600,
        Keys: { pk: { S: pk }, sk: { S: 'ROOT' } },
        SequenceNumber: String(sequence).padStart(21, '0'),
        SizeBytes: 20,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  };
  /** AWS drops records older than 24 h: the first `count` records of the shard are gone. */
  const trim = (table: string, count: number, shard = 'shard-1') => {
    shardOf(table, shard).trimmed = count;
  };
  return { api, shardOf, write, trim, next: () => String(++sequence).padStart(21, '0') };
}

const consumer = (overrides: Partial<StreamConsumer> = {}): StreamConsumer => ({
  name: 'test-consumer',
  description: 'test',
  tables: ['contact'],
  target: 'recordDeletions',
  eventNames: ['REMOVE'],
  batchSize: 4,
  maximumRetryAttempts: 2,
  ...overrides,
});

const tableNames = {
  contact: 'local-contact',
  practitioners: 'local-practitioners',
  retention: 'local-retention',
} as Record<TableName, string>;

type Batch = {
  Records: {
    eventName: string;
    eventID: string;
    eventSourceARN: string;
    awsRegion: string;
    dynamodb: { SequenceNumber: string; Keys: unknown };
  }[];
};

let poller: StreamPoller | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

function start(
  streams: ReturnType<typeof fakeStreams>,
  invoke: (batch: Batch) => unknown,
  consumers: StreamConsumer[] = [consumer()],
  log?: (line: string) => void,
) {
  poller = createStreamPoller({
    consumers,
    ...(log ? { log } : {}),
    tableNames,
    api: streams.api,
    invoke: async (_name, event) => invoke(event as Batch),
    region: 'eu-west-3',
    account: '000000000000',
    pollIntervalMs: 5,
    retryDelayMs: () => 1,
  });
  poller.start();
  return poller;
}

const pks = (batch: Batch) => batch.Records.map((r) => (r.dynamodb.Keys as { pk: { S: string } }).pk.S);

describe('stream poller', () => {
  it('delivers the filtered records from TRIM_HORIZON, in batches, with the AWS record shape', async () => {
    const streams = fakeStreams();
    streams.write('local-contact', 'INSERT', 'a');
    for (const pk of ['r1', 'r2', 'r3', 'r4', 'r5']) streams.write('local-contact', 'REMOVE', pk);
    streams.write('local-contact', 'MODIFY', 'b');
    const batches: Batch[] = [];
    const p = start(streams, (batch) => {
      batches.push(batch);
      return { batchItemFailures: [] };
    });
    await p.idle();
    expect(batches.map(pks)).toEqual([['r1', 'r2', 'r3', 'r4'], ['r5']]);
    expect(batches[0]?.Records[0]).toMatchObject({
      eventID: 'event-2',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-3',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-3:000000000000:table/local-contact/stream/2026-11-26T00:00:00.000',
    });

    streams.write('local-contact', 'REMOVE', 'later');
    await p.idle();
    expect(batches.map(pks).at(-1)).toEqual(['later']);
    expect(p.failures()).toEqual([]);
  });

  it('splits a batch whose function throws, retries each half, then records what still fails', async () => {
    const streams = fakeStreams();
    for (const pk of ['ok1', 'bad', 'ok2', 'ok3']) streams.write('local-contact', 'REMOVE', pk);
    const calls: string[][] = [];
    const p = start(streams, (batch) => {
      calls.push(pks(batch));
      if (pks(batch).includes('bad')) throw new Error('boom');
      return undefined;
    });
    await p.idle();
    expect(calls).toEqual([['ok1', 'bad', 'ok2', 'ok3'], ['ok1', 'bad'], ['ok1'], ['bad'], ['ok2', 'ok3']]);
    expect(p.failures()).toEqual([
      {
        consumer: 'test-consumer',
        table: 'contact',
        target: 'recordDeletions',
        firstSequenceNumber: '000000000000000000002',
        lastSequenceNumber: '000000000000000000002',
        records: 1,
        attempts: 3,
        reason: 'Error: boom',
      },
    ]);
  });

  it("hands what still fails to the consumer's on-failure queue: a pointer to the records, never them", async () => {
    const streams = fakeStreams();
    for (const pk of ['ok1', 'bad', 'ok2']) streams.write('local-contact', 'REMOVE', pk);
    const handed: unknown[] = [];
    poller = createStreamPoller({
      consumers: [consumer()],
      tableNames,
      api: streams.api,
      invoke: async (_name, event) => {
        if (pks(event as Batch).includes('bad')) throw new Error('boom');
        return undefined;
      },
      region: 'eu-west-3',
      account: '000000000000',
      pollIntervalMs: 5,
      retryDelayMs: () => 1,
      deadLetters: {
        async streamFailure(failedConsumer, failure) {
          handed.push({ consumer: failedConsumer.name, ...failure });
        },
      },
    });
    poller.start();
    await poller.idle();
    expect(handed).toEqual([
      {
        consumer: 'test-consumer',
        attempts: 3,
        shardId: 'shard-1',
        startSequenceNumber: '000000000000000000002',
        endSequenceNumber: '000000000000000000002',
        batchSize: 1,
        streamArn: 'arn:aws:dynamodb:eu-west-3:000000000000:table/local-contact/stream/2026-11-26T00:00:00.000',
        firstArrival: new Date(1_795_731_600_000),
        lastArrival: new Date(1_795_731_600_000),
      },
    ]);
  });

  it('retries from the first failed record of a partial batch response', async () => {
    const streams = fakeStreams();
    for (const pk of ['a', 'b', 'c', 'd']) streams.write('local-contact', 'REMOVE', pk);
    const calls: string[][] = [];
    let failOnce = true;
    const p = start(streams, (batch) => {
      calls.push(pks(batch));
      const c = batch.Records.find((r) => pks({ Records: [r] })[0] === 'c');
      if (failOnce && c) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: c.dynamodb.SequenceNumber }] };
      }
      return { batchItemFailures: [] };
    });
    await p.idle();
    expect(calls).toEqual([
      ['a', 'b', 'c', 'd'],
      ['c', 'd'],
    ]);
    expect(p.failures()).toEqual([]);
  });

  it('reads a child shard only after its parent is read to its end', async () => {
    const streams = fakeStreams();
    const child = streams.shardOf('local-contact', 'shard-2', 'shard-1');
    streams.write('local-contact', 'REMOVE', 'child-1', 'shard-2');
    const parent = streams.shardOf('local-contact', 'shard-1');
    streams.write('local-contact', 'REMOVE', 'parent-1', 'shard-1');
    parent.closed = true;
    const seen: string[] = [];
    const p = start(
      streams,
      (batch) => {
        seen.push(...pks(batch));
        return undefined;
      },
      [consumer({ batchSize: 10 })],
    );
    await p.idle();
    expect(seen).toEqual(['parent-1', 'child-1']);
    expect(child.records).toHaveLength(1);
  });

  it('polls every table of every consumer, and waits for tables whose stream does not exist yet', async () => {
    const streams = fakeStreams();
    streams.write('local-retention', 'REMOVE', 'x');
    const seen: string[] = [];
    const p = start(
      streams,
      (batch) => {
        seen.push(...batch.Records.map((r) => r.eventSourceARN.split(':table/')[1]!.split('/')[0]!));
        return undefined;
      },
      [consumer({ tables: ['contact', 'retention'] })],
    );
    await p.idle();
    expect(seen).toEqual(['local-retention']);
    streams.write('local-contact', 'REMOVE', 'y');
    await p.idle();
    expect(seen).toEqual(['local-retention', 'local-contact']);
  });

  it("hands on DynamoDB Local's own TTL deletions as AWS writes them: a REMOVE by the TTL service", async () => {
    const streams = fakeStreams();
    // As DynamoDB Local 2026-05-28 writes it (seen here): an event name its SDK does not know,
    // no user identity, the index keys among the Keys.
    streams.shardOf('local-contact').records.push({
      eventID: 'ttl-1',
      eventName: 'UNKNOWN_TO_SDK_VERSION',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: 1_795_732_680,
        Keys: {
          pk: { S: 'CONTACT#1' },
          sk: { S: 'REQUEST' },
          expiryDay: { S: '2026-03-03' },
          expiresAt: { N: '1772518620' },
        },
        OldImage: { pk: { S: 'CONTACT#1' }, sk: { S: 'REQUEST' }, expiresAt: { N: '1772518620' } },
        SequenceNumber: streams.next(),
        SizeBytes: 90,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    const batches: Batch[] = [];
    const p = start(streams, (batch) => {
      batches.push(batch);
      return undefined;
    });
    await p.idle();
    expect(batches[0]?.Records[0]).toMatchObject({
      eventID: 'ttl-1',
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { Keys: { pk: { S: 'CONTACT#1' }, sk: { S: 'REQUEST' } } },
    });
    expect(Object.keys(batches[0]?.Records[0]?.dynamodb.Keys as object)).toEqual(['pk', 'sk']);
  });

  it('reads the first records of a stream that was empty when polling began, without an error line (DynamoDB Local refuses that iterator once)', async () => {
    const streams = fakeStreams({ staleEmptyHorizon: true });
    streams.shardOf('local-contact');
    const lines: string[] = [];
    const delivered: string[] = [];
    const p = start(
      streams,
      (batch) => void delivered.push(...pks(batch)),
      [consumer()],
      (line) => lines.push(line),
    );
    await p.idle();
    streams.write('local-contact', 'REMOVE', 'first');
    streams.write('local-contact', 'REMOVE', 'second');
    await p.idle();
    streams.write('local-contact', 'REMOVE', 'third');
    await p.idle();
    expect(delivered).toEqual(['first', 'second', 'third']);
    expect(lines).toEqual([]);
  });

  it('goes on from the oldest record kept when records after its checkpoint were trimmed, and says so', async () => {
    const streams = fakeStreams();
    streams.write('local-contact', 'REMOVE', 'read');
    const lines: string[] = [];
    const delivered: string[] = [];
    const p = start(
      streams,
      (batch) => void delivered.push(...pks(batch)),
      [consumer()],
      (line) => lines.push(line),
    );
    await p.idle();
    await p.stop();
    // While the poller was stopped, two records came and the first of them passed the retention.
    streams.write('local-contact', 'REMOVE', 'lost');
    streams.write('local-contact', 'REMOVE', 'kept');
    streams.trim('local-contact', 2);
    p.start();
    await p.idle();
    expect(delivered).toEqual(['read', 'kept']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/test-consumer\/contact: records after 0+1 were trimmed before they were read/);
  });

  it('stops promptly, and idle() gives up after its timeout when a stream never settles', async () => {
    const streams = fakeStreams();
    streams.write('local-contact', 'REMOVE', 'slow');
    const p = start(streams, () => new Promise((resolve) => setTimeout(resolve, 200)));
    await expect(p.idle(50)).rejects.toThrow(/not idle/);
    const started = performance.now();
    await p.stop();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('stream poller, idle', () => {
  /** A poller whose backoff grows to 10 s, counting its reads. */
  function counted(streams: ReturnType<typeof fakeStreams>, delivered: string[]) {
    let reads = 0;
    const api: StreamsApi = {
      ...streams.api,
      records: (iterator, limit) => {
        reads++;
        return streams.api.records(iterator, limit);
      },
    };
    poller = createStreamPoller({
      consumers: [consumer()],
      tableNames,
      api,
      invoke: async (_name, event) => {
        delivered.push(...pks(event as Batch));
        return undefined;
      },
      region: 'eu-west-3',
      account: '000000000000',
      pollIntervalMs: 5,
      maxIdleIntervalMs: 10_000,
      retryDelayMs: () => 1,
    });
    poller.start();
    return { poller, reads: () => reads };
  }

  const until = async (check: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('not within the time given');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('reads less and less often while nothing is written, and at once when nudged', async () => {
    const streams = fakeStreams();
    streams.write('local-contact', 'REMOVE', 'first');
    const delivered: string[] = [];
    const { poller: p, reads } = counted(streams, delivered);
    await p.idle();
    const before = reads();
    await new Promise((r) => setTimeout(r, 600));
    // Every 5 ms, 600 ms would be 120 reads; doubling pauses (5, 10, 20… ms) make about 7.
    expect(reads() - before).toBeLessThan(15);

    // Deep in its backoff (pauses over a second after eight empty reads), a record written waits...
    await until(() => reads() - before >= 8, 10_000);
    streams.write('local-contact', 'REMOVE', 'second');
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered).toEqual(['first']);
    // ...unless the table's writer nudges the poller (the IAM proxy does, for every function's write).
    p.nudge(['local-other-table']);
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered).toEqual(['first']);
    p.nudge(['local-contact']);
    await until(() => delivered.length === 2);
    expect(delivered).toEqual(['first', 'second']);
  });

  it('passes over what a tool writes as history, and delivers what comes after', async () => {
    const streams = fakeStreams();
    const delivered: string[] = [];
    const { poller: p } = counted(streams, delivered);
    await p.passOver(async () => {
      for (const pk of ['old1', 'old2', 'old3']) streams.write('local-contact', 'REMOVE', pk);
    });
    streams.write('local-contact', 'REMOVE', 'new');
    await p.idle();
    expect(delivered).toEqual(['new']);
  });
});
