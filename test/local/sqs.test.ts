/**
 * The local SQS (local/sqs.ts) on DynamoDB Local, through the real @aws-sdk/client-sqs on the
 * local AWS endpoint: queue URLs, MD5s as SQS computes them, the visibility timeout, receipt
 * handles, counts, the 14-day retention, and messages kept in the data folder across a restart.
 * Then where the local cloud's failures go (local/sqs-dead-letters.ts): the bus's, the
 * scheduler's and an asynchronous Invoke's (local/lambda-async.ts) handler failures reach the
 * target's context queue as Lambda's on-failure record; a function without an on-failure
 * destination loses them, as in Lambda. And the SES outage control.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ContactRequestReceived } from '#events/catalogue.ts';
import { rules } from '#events/rules.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { type AwsEndpoint, startAwsEndpoint } from '#local/aws-endpoint.ts';
import { createLocalEventBus, type LocalEventBus } from '#local/event-bus.ts';
import { type AsyncInvoker, createAsyncInvoker } from '#local/lambda-async.ts';
import { freePort } from '#local/ports.ts';
import { createLocalScheduler, functionArn } from '#local/scheduler.ts';
import { type DynamoDbLocal, localDynamoClient, startDynamoDbLocal } from '#local/services/dynamodb.ts';
import { type SesLocal, startSesLocal } from '#local/services/ses.ts';
import { createLocalQueues, type LocalQueues, md5OfMessageAttributes } from '#local/sqs.ts';
import { createDeadLetterSink, deadLetterRouting } from '#local/sqs-dead-letters.ts';
import { catalogueSources } from '#local/wiring.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mpbe-local-sqs-'));
const routing = deadLetterRouting(catalogueSources);
const CONTACT = 'mpbe-local-contact-dead-letters';
const BOOKINGS = 'mpbe-local-bookings-dead-letters';
const DAY = 86_400_000;

let dynamo: DynamoDbLocal;
let dynamoClient: ReturnType<typeof localDynamoClient>;
let queues: LocalQueues;
let clock = new Date('2027-03-01T10:00:00.000Z');
let endpoint: AwsEndpoint;
let bus: LocalEventBus;
let invoker: AsyncInvoker;
let ses: SesLocal;
let sqs: SQSClient;
const lines: string[] = [];
/** What the stand-in handlers do: fail for the functions named here. */
const failing = new Set<FunctionName>();
const invoked: { fn: FunctionName; event: unknown }[] = [];

async function invoke(fn: FunctionName, event: unknown) {
  invoked.push({ fn, event });
  if (failing.has(fn)) throw Object.assign(new Error('SES is unreachable'), { name: 'MailUnavailable' });
  return { ok: true };
}

async function openQueues(): Promise<void> {
  dynamo = await startDynamoDbLocal({ port: await freePort(), dataDir });
  dynamoClient = localDynamoClient(dynamo.endpoint);
  queues = await createLocalQueues({
    client: dynamoClient,
    queueNames: routing.queues,
    region: 'eu-west-3',
    account: '000000000000',
    now: () => clock,
  });
}

beforeAll(async () => {
  await openQueues();
  const deadLetters = createDeadLetterSink({ queues, routing, log: (l) => lines.push(l), now: () => clock });
  bus = createLocalEventBus({
    busName: 'mpbe-local',
    rules,
    invoke,
    retryDelayMs: () => 1,
    deadLetters,
    log: () => {},
  });
  invoker = createAsyncInvoker({ invoke, routing, deadLetters, retryDelayMs: () => 1, log: (l) => lines.push(l) });
  ses = await startSesLocal({ port: 0 });
  endpoint = await startAwsEndpoint({
    bus,
    invoke,
    asyncInvoker: invoker,
    queues,
    services: { ses },
    log: (l) => lines.push(l),
  });
  sqs = new SQSClient({
    endpoint: endpoint.url,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await endpoint?.close();
  await invoker?.close();
  await bus?.close();
  await ses?.stop();
  dynamoClient?.destroy();
  await dynamo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const urlOf = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;

async function drain(name: string): Promise<void> {
  const url = await urlOf(name);
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (!Messages?.length) return;
    for (const m of Messages)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  }
}

async function counts(name: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: await urlOf(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'QueueArn'],
    }),
  );
  return Attributes;
}

describe('the local SQS, with the real client', () => {
  it('lists the contexts’ queues and finds each by name, through AWS_ENDPOINT_URL_SQS', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', endpoint.url);
    const client = new SQSClient({ region: 'eu-west-3', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const { QueueUrls } = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'mpbe-local-' }));
      expect(QueueUrls).toEqual(routing.queues.map((q) => `${endpoint.url}/000000000000/${q}`));
      expect(routing.queues).toEqual(expect.arrayContaining([BOOKINGS, CONTACT]));
      expect((await client.send(new ListQueuesCommand({ QueueNamePrefix: 'other-' }))).QueueUrls).toEqual([]);
      expect(await client.send(new GetQueueUrlCommand({ QueueName: CONTACT }))).toMatchObject({
        QueueUrl: `${endpoint.url}/000000000000/${CONTACT}`,
      });
      await expect(client.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('answers the MD5s SQS computes, and gives back the body and the attributes asked for', async () => {
    const QueueUrl = await urlOf(CONTACT);
    const attributes = {
      Hello: { DataType: 'String', StringValue: 'There' },
      General: { DataType: 'String', StringValue: 'Kenobi' },
    };
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"a":1}', MessageAttributes: attributes }),
    );
    // The client checks MD5OfMessageBody itself; this value is one SQS answered for these attributes.
    expect(sent.MD5OfMessageAttributes).toBe('fca026605781cb4126a1e9044df24232');
    expect(md5OfMessageAttributes(attributes)).toBe(sent.MD5OfMessageAttributes);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageAttributeNames: ['Hello'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        VisibilityTimeout: 0,
      }),
    );
    expect(Messages).toEqual([
      expect.objectContaining({
        MessageId: sent.MessageId,
        Body: '{"a":1}',
        MessageAttributes: { Hello: { DataType: 'String', StringValue: 'There' } },
        Attributes: { SentTimestamp: String(clock.getTime()), ApproximateReceiveCount: '1' },
      }),
    ]);
    await drain(CONTACT);
  });

  it('hides a received message for its visibility timeout, deletes with the latest receipt handle only', async () => {
    const QueueUrl = await urlOf(CONTACT);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }))).Messages!;
    expect(first).toHaveLength(1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
    expect(await counts(CONTACT)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
      QueueArn: `arn:aws:sqs:eu-west-3:000000000000:${CONTACT}`,
    });

    clock = new Date(clock.getTime() + 31_000);
    const again = (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['All'], VisibilityTimeout: 30 }),
      )
    ).Messages!;
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(again[0]?.ReceiptHandle).not.toBe(first[0]?.ReceiptHandle);

    // An outdated handle: success, and nothing deleted; changing its visibility is refused.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first[0]!.ReceiptHandle }));
    expect(await counts(CONTACT)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '1' });
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first[0]!.ReceiptHandle, VisibilityTimeout: 0 }),
      ),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });

    // Released at once, received again, deleted with the latest handle.
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again[0]!.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
    expect(third.map((m) => m.Body)).toEqual(['one']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: third[0]!.ReceiptHandle }));
    expect(await counts(CONTACT)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('keeps a message 14 days, then it is gone', async () => {
    const QueueUrl = await urlOf(CONTACT);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old' }));
    clock = new Date(clock.getTime() + 14 * DAY - 1000);
    expect(await counts(CONTACT)).toMatchObject({ ApproximateNumberOfMessages: '1' });
    clock = new Date(clock.getTime() + 1000);
    expect(await counts(CONTACT)).toMatchObject({ ApproximateNumberOfMessages: '0' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
  });

  it('refuses what SQS refuses: no body, an unknown operation, a malformed receipt handle', async () => {
    const QueueUrl = await urlOf(CONTACT);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '' }))).rejects.toMatchObject({
      name: 'MissingParameter',
    });
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'forged' }))).rejects.toMatchObject({
      name: 'ReceiptHandleIsInvalid',
    });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint.url}/000000000000/nope`, MessageBody: 'x' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

describe('where the local cloud’s failures go', () => {
  /** The next message of a queue, read and deleted. */
  async function take(name: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [m] = await queues.receive(name, { max: 1, visibilityTimeoutSeconds: 0 });
      if (m) {
        await queues.delete(name, m.receiptHandle);
        return m;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`nothing in ${name}`);
  }

  it('a rule target that still fails after its retries: Lambda’s record in the target’s context queue', async () => {
    failing.add('notifyPlatformInbox');
    try {
      const [entry] = bus.putEvents([
        {
          EventBusName: 'mpbe-local',
          Source: ContactRequestReceived.source,
          DetailType: ContactRequestReceived.detailType,
          Detail: JSON.stringify({ metadata: { eventId: 'evt_1' }, data: { contactRequestId: 'ctr_1' } }),
        },
      ]);
      await bus.idle();
      const m = await take(CONTACT);
      expect(m.attributes).toEqual({});
      expect(JSON.parse(m.body)).toEqual({
        version: '1.0',
        timestamp: clock.toISOString(),
        requestContext: {
          requestId: expect.any(String),
          functionArn: `${functionArn('notifyPlatformInbox')}:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
        },
        requestPayload: expect.objectContaining({
          id: entry!.EventId,
          'detail-type': ContactRequestReceived.detailType,
          detail: { metadata: { eventId: 'evt_1' }, data: { contactRequestId: 'ctr_1' } },
        }),
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'MailUnavailable', errorMessage: 'SES is unreachable' },
      });
    } finally {
      failing.clear();
    }
  });

  it('a schedule’s run: the same record, its input as the payload', async () => {
    failing.add('sendAppointmentReminder');
    const deadLetters = createDeadLetterSink({ queues, routing, now: () => clock });
    const scheduler = createLocalScheduler({
      schedules: [],
      invoke,
      retryDelayMs: () => 1,
      deadLetters,
      log: () => {},
      now: () => clock,
    });
    try {
      scheduler.start();
      scheduler.createSchedule({
        name: 'reminder-apt_1-day-before',
        groupName: 'mpbe-local-one-time',
        expression: 'at(2099-01-01T00:00:00)',
        target: 'sendAppointmentReminder',
        input: { appointmentId: 'apt_1', kind: 'day-before' },
      });
      await scheduler.fireNow('reminder-apt_1-day-before', 'mpbe-local-one-time');
      const record = JSON.parse((await take(BOOKINGS)).body);
      expect(record.requestContext).toMatchObject({
        functionArn: `${functionArn('sendAppointmentReminder')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      });
      expect(record.requestPayload).toEqual({ appointmentId: 'apt_1', kind: 'day-before' });
    } finally {
      failing.clear();
      await scheduler.stop();
    }
  });

  it('an asynchronous Invoke: 202 at once, the run with retries, a failure in the function’s queue', async () => {
    const lambda = new LambdaClient({
      endpoint: endpoint.url,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      invoked.length = 0;
      const ok = await lambda.send(
        new InvokeCommand({
          FunctionName: `${functionArn('notifyPlatformInbox')}:$LATEST`,
          InvocationType: 'Event',
          Payload: Buffer.from('{"n":1}'),
        }),
      );
      expect(ok.StatusCode).toBe(202);
      await invoker.idle();
      expect(invoked).toEqual([{ fn: 'notifyPlatformInbox', event: { n: 1 } }]);

      failing.add('notifyPlatformInbox');
      await lambda.send(
        new InvokeCommand({
          FunctionName: 'notifyPlatformInbox',
          InvocationType: 'Event',
          Payload: Buffer.from('{"n":2}'),
        }),
      );
      await invoker.idle();
      expect(invoked.filter((i) => i.fn === 'notifyPlatformInbox')).toHaveLength(1 + 3);
      expect(JSON.parse((await take(CONTACT)).body).requestPayload).toEqual({ n: 2 });

      // A function invoked asynchronously by nothing has no on-failure destination: Lambda drops the event.
      failing.add('getHealth');
      await lambda.send(new InvokeCommand({ FunctionName: 'getHealth', InvocationType: 'Event' }));
      await invoker.idle();
      expect(lines.some((l) => l.includes('function=getHealth') && l.includes('outcome=dropped'))).toBe(true);

      await expect(
        lambda.send(new InvokeCommand({ FunctionName: 'noSuchFunction', InvocationType: 'Event' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      failing.clear();
      lambda.destroy();
    }
    for (const name of routing.queues) expect(await counts(name)).toMatchObject({ ApproximateNumberOfMessages: '0' });
  });
});

describe('the SES outage control', () => {
  it('stops the emulator (refused), starts it again on its port, mail kept', { timeout: 60_000 }, async () => {
    const client = new SESClient({
      endpoint: ses.endpoint,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const mail = (subject: string) =>
      new SendEmailCommand({
        Source: 'no-reply@monprodubienetre.fr',
        Destination: { ToAddresses: ['someone@example.test'] },
        Message: { Subject: { Data: subject }, Body: { Text: { Data: 'x' } } },
      });
    const store = async () =>
      ((await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: { subject: string }[] }).emails.map(
        (e) => e.subject,
      );
    try {
      await client.send(mail('before'));
      const stop = await fetch(`${endpoint.url}/_local/services/ses/stop`, { method: 'POST' });
      expect(await stop.json()).toEqual({ service: 'ses', running: false });
      await expect(client.send(mail('during'))).rejects.toThrow();
      const start = await fetch(`${endpoint.url}/_local/services/ses/start`, { method: 'POST' });
      expect(await start.json()).toEqual({ service: 'ses', running: true });
      await client.send(mail('after'));
      expect(await store()).toEqual(expect.arrayContaining(['before', 'after']));
      expect(await store()).not.toContain('during');
      expect((await fetch(`${endpoint.url}/_local/services/nope/stop`, { method: 'POST' })).status).toBe(404);
    } finally {
      client.destroy();
    }
  });
});

// Last: it restarts DynamoDB Local, which the bus, the endpoint and the sink above are bound to.
describe('the queues across a restart', () => {
  it('keeps the messages in DynamoDB Local’s data folder: a restart finds them', { timeout: 120_000 }, async () => {
    const QueueUrl = await urlOf(BOOKINGS);
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    dynamoClient.destroy();
    await dynamo.stop();
    await openQueues();
    const received = await queues.receive(BOOKINGS, { max: 10, visibilityTimeoutSeconds: 0 });
    expect(received.map((m) => [m.messageId, m.body])).toEqual([[MessageId, 'kept']]);
    await queues.delete(BOOKINGS, received[0]!.receiptHandle);
  });
});
