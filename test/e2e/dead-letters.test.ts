/**
 * A mail lost to an SES outage is delivered after `npm run dead-letters -- --redrive` (issue 12).
 *
 * On a local cloud of its own (`npm start`'s process on a data folder: the SES outage must not
 * disturb the other test files' mail), with the SES emulator stopped (the local control
 * `POST /_local/services/ses/stop`), a booking is confirmed: `notifyBookingParties` fails, is
 * retried as Lambda retries an asynchronous event, and its event ends in the bookings context's
 * dead-letter queue as Lambda's on-failure record, kept in DynamoDB Local. With SES back, nothing
 * sends it by itself; the operator's command (run as a child process, exactly as typed) lists it
 * without printing its body, then redrives it: the confirmation reaches both parties, and the
 * queue is empty. The same command redrives a message in EventBridge's dead-letter shape, and
 * keeps, saying why and exiting 1, what it cannot redrive.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { type CloudProcess, startCloudProcess } from '../support/cloud-process.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import type { CloudInfo } from '../support/local-cloud.ts';
import { mails, waitForMail } from '../support/mail.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mpbe-dead-letters-'));
const readyFile = join(dir, 'dead-letters.json');
const IP = '127.0.0.112';
const BOOKINGS_QUEUE = 'mpbe-local-bookings-dead-letters';
const CONTACT_QUEUE = 'mpbe-local-contact-dead-letters';

let running: CloudProcess;
let cloud: CloudInfo;
let sqs: SQSClient;
let practitioner: Person;
let client: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  running = await startCloudProcess(dir, 'dead-letters', join(dir, 'data'));
  cloud = running.cloud;
  sqs = new SQSClient({
    endpoint: cloud.env.AWS_ENDPOINT_URL_SQS,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
  agenda = await openAgenda(cloud, IP, practitioner);
}, 180_000);

afterAll(async () => {
  sqs?.destroy();
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `npm run dead-letters -- <args>` against this test's cloud, as an operator types it. */
function deadLetters(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'dead-letters', '--', '--ready', readyFile, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function sesControl(action: 'stop' | 'start'): Promise<void> {
  const res = await fetch(`${cloud.urls.aws}/_local/services/ses/${action}`, { method: 'POST' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ service: 'ses', running: action === 'start' });
}

const queueUrl = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;

async function depth(name: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: await queueUrl(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

/** Waits for the dead letter of an appointment's event in a queue, reads it, and leaves it there (visible). */
async function deadLetterOf(queue: string, appointmentId: string, timeoutMs = 90_000): Promise<Message> {
  const url = await queueUrl(queue);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 5,
        MessageAttributeNames: ['All'],
      }),
    );
    const found = Messages.find((m) => m.Body?.includes(appointmentId));
    for (const m of Messages) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }),
      );
    }
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no dead letter of ${appointmentId} in ${queue} within ${timeoutMs} ms`);
}

/** Books the first free slot in `days` days, with SES stopped; returns the appointment's id and its dead letter. */
async function bookDuringOutage(days: number): Promise<{ id: string; letter: Message }> {
  await sesControl('stop');
  try {
    const slots = await freeSlots(cloud, IP, agenda, parisDate(days), parisDate(days + 1));
    const reply = await book(cloud, IP, client, agenda, slots[0]!.start);
    expect(reply.status).toBe(201);
    const booked = JSON.parse(reply.body) as { id: string; state: string };
    expect(booked.state).toBe('confirmed');
    return { id: booked.id, letter: await deadLetterOf(BOOKINGS_QUEUE, booked.id) };
  } finally {
    await sesControl('start');
  }
}

const confirmationTo = (person: Person, subject: RegExp, id: string) =>
  waitForMail(
    cloud.urls.mailStore,
    (m) => m.destination.to.includes(person.email) && subject.test(m.subject) && (m.body.text ?? '').includes(id),
    30_000,
  );

describe('npm run dead-letters', () => {
  it('delivers, once redriven, a confirmation lost to an SES outage', { timeout: 240_000 }, async () => {
    const { id, letter } = await bookDuringOutage(2);

    // Lambda's on-failure record, as AWS writes it: the function, why, how many tries, the event.
    const record = JSON.parse(letter.Body!) as {
      requestContext: { functionArn: string; condition: string; approximateInvokeCount: number };
      requestPayload: { 'detail-type': string; id: string; detail: { data: { appointmentId: string } } };
      responseContext: { functionError: string };
      responsePayload: { errorType: string; errorMessage: string };
    };
    expect(record.requestContext.functionArn).toBe(
      'arn:aws:lambda:eu-west-3:000000000000:function:notifyBookingParties:$LATEST',
    );
    expect(record.requestContext.condition).toBe('RetriesExhausted');
    expect(record.requestContext.approximateInvokeCount).toBe(3);
    expect(record.requestPayload['detail-type']).toBe('BookingConfirmed');
    expect(record.requestPayload.detail.data.appointmentId).toBe(id);
    expect(record.responseContext.functionError).toBe('Unhandled');
    expect(record.responsePayload.errorType).toEqual(expect.any(String));
    expect(letter.MessageAttributes).toBeUndefined();

    // SES is back, and nothing sends the confirmation by itself.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await mails(cloud.urls.mailStore)).filter((m) => (m.body.text ?? '').includes(id))).toEqual([]);

    const listed = await deadLetters();
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${BOOKINGS_QUEUE}: 1 message`);
    expect(listed.stdout).toMatch(
      new RegExp(
        `${letter.MessageId} \\| function notifyBookingParties \\(RetriesExhausted\\) \\| ${record.responsePayload.errorType}.* \\| 3 attempt\\(s\\) \\| event BookingConfirmed ${record.requestPayload.id} \\| age (< 1|\\d+) min \\| \\d+ bytes`,
      ),
    );
    // Never a body: not the appointment, not a person.
    for (const secret of [id, client.email, client.accountId, practitioner.email, practitioner.accountId]) {
      expect(listed.stdout).not.toContain(secret);
    }
    expect(await depth(BOOKINGS_QUEUE)).toBe(1);

    const redriven = await deadLetters('--redrive');
    expect(redriven.stderr).toBe('');
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain('Redriven: 1; kept: 0');
    expect(redriven.stdout).toContain(`${BOOKINGS_QUEUE}: empty`);

    const toClient = await confirmationTo(client, /^Rendez-vous confirmé : Séance, /, id);
    const toPractitioner = await confirmationTo(practitioner, /^Nouveau rendez-vous : Test Person, /, id);
    expect(toClient.attachments.map((a) => a.filename)).toEqual(['rendez-vous.ics']);
    expect(toPractitioner.attachments.map((a) => a.filename)).toEqual(['rendez-vous.ics']);
    // Delivered once, and nothing went back to the queue.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await mails(cloud.urls.mailStore)).filter((m) => (m.body.text ?? '').includes(id))).toHaveLength(2);
    expect(await depth(BOOKINGS_QUEUE)).toBe(0);
  });

  it('redrives a message in EventBridge’s dead-letter shape to the rule’s target', { timeout: 240_000 }, async () => {
    const { id, letter } = await bookDuringOutage(3);
    // Play EventBridge: the same event, as a rule target's dead letter (the event as body, the
    // rule and the target in attributes), instead of Lambda's record.
    const url = await queueUrl(BOOKINGS_QUEUE);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const same = received.Messages?.find((m) => m.MessageId === letter.MessageId);
    expect(same).toBeDefined();
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: same!.ReceiptHandle! }));
    const event = (JSON.parse(letter.Body!) as { requestPayload: unknown }).requestPayload;
    const string = (StringValue: string) => ({ DataType: 'String', StringValue });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          RULE_ARN: string('arn:aws:events:eu-west-3:000000000000:rule/mpbe-local/booking-changes-to-party-notices'),
          TARGET_ARN: string('arn:aws:lambda:eu-west-3:000000000000:function:notifyBookingParties'),
          ERROR_CODE: string('SDK_CLIENT_ERROR'),
          ERROR_MESSAGE: string('Rate exceeded'),
          EXHAUSTED_RETRY_CONDITION: string('MaximumRetryAttempts'),
          RETRY_ATTEMPTS: string('8'),
        },
      }),
    );

    const listed = await deadLetters('--queue', 'bookings');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /EventBridge rule booking-changes-to-party-notices → notifyBookingParties \| SDK_CLIENT_ERROR: Rate exceeded \| 9 attempt\(s\) \| event BookingConfirmed /,
    );
    expect(listed.stdout).not.toContain(id);

    const redriven = await deadLetters('--queue', 'bookings', '--redrive');
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain('Redriven: 1; kept: 0');
    await confirmationTo(client, /^Rendez-vous confirmé : Séance, /, id);
    expect(await depth(BOOKINGS_QUEUE)).toBe(0);
  });

  it('keeps what it cannot redrive, says why, and exits 1', { timeout: 120_000 }, async () => {
    const url = await queueUrl(CONTACT_QUEUE);
    const string = (StringValue: string) => ({ DataType: 'String', StringValue });
    // A rule target that no longer exists (Invoke fails), and a stream batch (a pointer, no records).
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ version: '0', id: 'event-1', 'detail-type': 'Probe', source: 'x', detail: {} }),
        MessageAttributes: {
          RULE_ARN: string('arn:aws:events:eu-west-3:000000000000:rule/mpbe-local/gone'),
          TARGET_ARN: string('arn:aws:lambda:eu-west-3:000000000000:function:noSuchFunction'),
          ERROR_CODE: string('NO_RESOURCE'),
          ERROR_MESSAGE: string('Function not found'),
        },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({
          requestContext: {
            requestId: 'r-1',
            functionArn: 'arn:aws:lambda:eu-west-3:000000000000:function:notifyPlatformInbox',
            condition: 'RetryAttemptsExhausted',
            approximateInvokeCount: 4,
          },
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          version: '1.0',
          timestamp: new Date().toISOString(),
          DDBStreamBatchInfo: {
            shardId: 'shardId-1',
            startSequenceNumber: '100',
            endSequenceNumber: '104',
            batchSize: 5,
            streamArn:
              'arn:aws:dynamodb:eu-west-3:000000000000:table/mpbe-local-contact/stream/2026-01-01T00:00:00.000',
          },
        }),
      }),
    );

    const redriven = await deadLetters('--queue', 'contact', '--redrive');
    expect(redriven.code).toBe(1);
    expect(redriven.stdout).toContain('Redriven: 0; kept: 2');
    expect(redriven.stdout).toMatch(/failed {2}mpbe-local-contact-dead-letters \S+: ResourceNotFoundException: /);
    expect(redriven.stdout).toMatch(/kept {2}mpbe-local-contact-dead-letters \S+: a stream batch: /);
    expect(redriven.stdout).toContain(
      'stream mpbe-local-contact → notifyPlatformInbox | 5 record(s), shard shardId-1, sequence 100…104 | 4 attempt(s)',
    );
    expect(await depth(CONTACT_QUEUE)).toBe(2);

    const usage = await deadLetters('--queue', 'nowhere');
    expect(usage.code).toBe(2);
  });
});
