import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { ContactRequestReceived, eventCatalogue } from '#events/catalogue.ts';
import { defineEvent } from '#events/envelope.ts';
import { defaultRetry, type EventRule, eventPattern, rules } from '#events/rules.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { type AwsEndpoint, startAwsEndpoint } from '#local/aws-endpoint.ts';
import {
  AwsServiceError,
  assertSupportedPattern,
  createLocalEventBus,
  type EventBridgeEvent,
  type Invoke,
  type LocalEventBus,
  matches,
  putEventsResponse,
} from '#local/event-bus.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';

const BUS = 'mpbe-test';
const BUS_ARN = `arn:aws:events:eu-west-3:000000000000:event-bus/${BUS}`;

const PractitionerPublished = defineEvent({
  source: 'mpbe.practitioners',
  detailType: 'PractitionerPublished',
  version: 1,
  description: 'test event',
  data: () => z.object({ practitionerId: z.string() }),
});

function detail(data: Record<string, unknown> = { contactRequestId: 'ctr_abc123' }): string {
  return JSON.stringify({
    metadata: {
      eventId: 'evt_0001',
      occurredAt: '2027-01-01T10:00:00.000Z',
      version: 1,
      correlationId: 'cor_0001',
    },
    data,
  });
}

const contactEntry = (over: Record<string, unknown> = {}) => ({
  EventBusName: BUS,
  Source: ContactRequestReceived.source,
  DetailType: ContactRequestReceived.detailType,
  Detail: detail(),
  ...over,
});

function rule(name: string, target: FunctionName, events: EventRule['events'], retry = defaultRetry): EventRule {
  return { name, description: name, events, target, retry };
}

const buses: LocalEventBus[] = [];
const endpoints: AwsEndpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
  await Promise.all(buses.splice(0).map((b) => b.close()));
  vi.unstubAllEnvs();
});

function bus(options: { rules: readonly EventRule[]; invoke: Invoke; retryDelayMs?: (attempt: number) => number }) {
  const lines: string[] = [];
  const b = createLocalEventBus({
    busName: BUS,
    rules: options.rules,
    invoke: options.invoke,
    retryDelayMs: options.retryDelayMs ?? (() => 1),
    log: (line) => lines.push(line),
  });
  buses.push(b);
  return { bus: b, lines };
}

describe('the pattern subset', () => {
  const event = { source: 'mpbe.contact', 'detail-type': 'ContactRequestReceived' };

  it('matches source and detail-type by exact string, any of a list', () => {
    expect(matches({ source: ['mpbe.contact'], 'detail-type': ['ContactRequestReceived'] }, event)).toBe(true);
    expect(matches({ source: ['mpbe.other', 'mpbe.contact'] }, event)).toBe(true);
    expect(matches({ 'detail-type': ['ContactRequestReceived', 'X'] }, event)).toBe(true);
    expect(matches({ source: ['mpbe.contact'], 'detail-type': ['ContactRequestRejected'] }, event)).toBe(false);
    expect(matches({ source: ['mpbe.Contact'] }, event)).toBe(false);
    expect(matches({ source: ['mpbe'] }, event)).toBe(false);
  });

  it('throws on anything outside the subset', () => {
    expect(() => matches({ detail: { data: { id: ['x'] } } }, event)).toThrow(/outside the subset/);
    expect(() => matches({ account: ['000000000000'] }, event)).toThrow(/outside the subset/);
    expect(() => matches({ source: [{ prefix: 'mpbe.' }] }, event)).toThrow(/exact match only/);
    expect(() => matches({ source: [] }, event)).toThrow(/non-empty array/);
    expect(() => matches({ source: 'mpbe.contact' }, event)).toThrow(/non-empty array/);
  });

  it('holds every rule of events/rules.ts, which matches its own events and no other', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      const pattern = eventPattern(r);
      expect(() => assertSupportedPattern(pattern)).not.toThrow();
      for (const e of eventCatalogue) {
        const routed = r.events.some((x) => x.source === e.source && x.detailType === e.detailType);
        expect(matches(pattern, { source: e.source, 'detail-type': e.detailType })).toBe(routed);
      }
    }
  });
});

describe('putEvents', () => {
  it('returns before any handler runs, then delivers the EventBridge event to each matching rule', async () => {
    const calls: Array<{ fn: FunctionName; event: EventBridgeEvent }> = [];
    const { bus: b } = bus({
      rules: [
        rule('to-inbox', 'notifyPlatformInbox', [ContactRequestReceived]),
        rule('to-listing', 'listPractitioners', [ContactRequestReceived, PractitionerPublished]),
        rule('unrelated', 'getHealth', [PractitionerPublished]),
      ],
      invoke: async (fn, event) => {
        calls.push({ fn, event: event as EventBridgeEvent });
      },
    });
    const [result] = b.putEvents([contactEntry({ Time: new Date('2027-01-01T10:00:01.500Z') })]);
    expect(calls).toHaveLength(0);
    expect(result?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    await b.idle();
    expect(calls.map((c) => c.fn).sort()).toEqual(['listPractitioners', 'notifyPlatformInbox']);
    expect(calls[0]?.event).toEqual({
      version: '0',
      id: result?.EventId,
      'detail-type': 'ContactRequestReceived',
      source: 'mpbe.contact',
      account: '000000000000',
      time: '2027-01-01T10:00:01Z',
      region: 'eu-west-3',
      resources: [],
      detail: JSON.parse(detail()),
    });
    // Each target gets its own copy.
    expect(calls[0]?.event).not.toBe(calls[1]?.event);
  });

  it('rejects bad entries one by one, EventBridge-style, and still sends the good ones', async () => {
    const invoke = vi.fn(async () => undefined);
    const { bus: b } = bus({ rules: [rule('to-inbox', 'notifyPlatformInbox', [ContactRequestReceived])], invoke });
    const results = b.putEvents([
      contactEntry({ Source: undefined }),
      contactEntry({ DetailType: '' }),
      contactEntry({ Detail: undefined }),
      contactEntry({ Detail: '{not json' }),
      contactEntry({ Detail: '["an","array"]' }),
      contactEntry({ EventBusName: 'someone-elses-bus' }),
      contactEntry(),
      contactEntry({ EventBusName: BUS_ARN }),
    ]);
    expect(results.map((r) => r.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ok',
      'ok',
    ]);
    expect(results[0]?.ErrorMessage).toMatch(/Source is a required argument/);
    expect(results.slice(0, 6).every((r) => r.EventId === undefined)).toBe(true);
    expect(putEventsResponse(results).FailedEntryCount).toBe(6);
    await b.idle();
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('refuses a request of more than 10 entries or of 256 KB or more', () => {
    const { bus: b } = bus({ rules: [], invoke: async () => undefined });
    expect(() => b.putEvents(Array.from({ length: 11 }, () => contactEntry()))).toThrow(AwsServiceError);
    expect(() => b.putEvents([])).toThrow(/length between 1 and 10/);
    const big = detail({ contactRequestId: 'ctr_abc123', pad: 'x'.repeat(256 * 1024) });
    expect(() => b.putEvents([contactEntry({ Detail: big })])).toThrow(/Total size of the entries/);
    const justUnder = 256 * 1024 - 1 - 'mpbe.contact'.length - 'ContactRequestReceived'.length - '{"p":""}'.length;
    expect(
      b.putEvents([contactEntry({ Detail: JSON.stringify({ p: 'y'.repeat(justUnder) }) })])[0]?.EventId,
    ).toBeDefined();
  });

  it('accepts an event for the default bus but delivers nothing there, and says so', async () => {
    const invoke = vi.fn(async () => undefined);
    const { bus: b, lines } = bus({
      rules: [rule('to-inbox', 'notifyPlatformInbox', [ContactRequestReceived])],
      invoke,
    });
    const [r] = b.putEvents([contactEntry({ EventBusName: undefined })]);
    expect(r?.EventId).toBeDefined();
    await b.idle();
    expect(invoke).not.toHaveBeenCalled();
    expect(lines.join('\n')).toMatch(/outcome=no-rule \(put on the default bus; set EventBusName to mpbe-test\)/);
  });
});

describe('retries and dead letters', () => {
  const ruleWith = (functionRetryAttempts: 0 | 1 | 2, maximumEventAgeSeconds = 3600) =>
    rule('to-inbox', 'notifyPlatformInbox', [ContactRequestReceived], {
      maximumRetryAttempts: 8,
      maximumEventAgeSeconds,
      functionRetryAttempts,
    });

  it('retries a failing handler as Lambda async invocation does, then delivers', async () => {
    let calls = 0;
    const delays: number[] = [];
    const { bus: b, lines } = bus({
      rules: [ruleWith(2)],
      invoke: async () => {
        calls++;
        if (calls < 3) throw new Error('transient');
      },
      retryDelayMs: (attempt) => {
        delays.push(attempt);
        return 1;
      },
    });
    b.putEvents([contactEntry()]);
    await b.idle();
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
    expect(b.deadLetters()).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /rule=to-inbox detail-type=ContactRequestReceived id=\S+ target=notifyPlatformInbox outcome=delivered attempts=3/,
    );
  });

  it.each([0, 1, 2] as const)('gives up after %i retries and keeps a dead letter without personal data', async (n) => {
    const invoke = vi.fn(async () => {
      throw new TypeError('contact request ctr_abc123 not found');
    });
    const { bus: b, lines } = bus({ rules: [ruleWith(n)], invoke });
    const [r] = b.putEvents([contactEntry()]);
    await b.idle();
    expect(invoke).toHaveBeenCalledTimes(n + 1);
    const [dead] = b.deadLetters();
    expect(dead).toMatchObject({
      rule: 'to-inbox',
      target: 'notifyPlatformInbox',
      attempts: n + 1,
      reason: 'retries-exhausted',
      error: { name: 'TypeError', message: 'contact request ctr_abc123 not found' },
    });
    expect(dead?.event.id).toBe(r?.EventId);
    expect(Object.keys(dead?.error ?? {})).toEqual(['name', 'message']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/outcome=dead-letter reason=retries-exhausted attempts=\d error=TypeError$/);
  });

  it('stops retrying when the event would be older than the maximum event age', async () => {
    const invoke = vi.fn(async () => {
      throw new Error('down');
    });
    const { bus: b } = bus({ rules: [ruleWith(2, 60)], invoke, retryDelayMs: () => 61_000 });
    b.putEvents([contactEntry()]);
    await b.idle();
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(b.deadLetters()[0]?.reason).toBe('maximum-event-age');
  });

  it('never logs the detail', async () => {
    const secret = 'SENTINEL-never-in-logs';
    const { bus: b, lines } = bus({
      rules: [ruleWith(1)],
      invoke: async () => {
        throw new Error('boom');
      },
    });
    b.putEvents([contactEntry({ Detail: detail({ contactRequestId: 'ctr_abc123', note: secret }) })]);
    await b.idle();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('close() cancels pending retries into dead letters and refuses new events', async () => {
    const invoke = vi.fn(async () => {
      throw new Error('down');
    });
    const { bus: b } = bus({ rules: [ruleWith(2)], invoke, retryDelayMs: () => 60_000 });
    b.putEvents([contactEntry()]);
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledTimes(1));
    const started = Date.now();
    await b.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(b.deadLetters()[0]?.reason).toBe('bus-closed');
    expect(() => b.putEvents([contactEntry()])).toThrow(/closed/);
  });

  it('refuses duplicate rule names', () => {
    const r = ruleWith(0);
    expect(() => createLocalEventBus({ busName: BUS, rules: [r, r], invoke: async () => undefined })).toThrow(
      /Duplicate event rule name/,
    );
  });
});

describe('the EventBridge endpoint, with the real SDK client', () => {
  async function setup() {
    const delivered: EventBridgeEvent[] = [];
    const { bus: b } = bus({
      rules: [rule('to-inbox', 'notifyPlatformInbox', [ContactRequestReceived])],
      invoke: async (_fn, event) => {
        delivered.push(event as EventBridgeEvent);
      },
    });
    const endpoint = await startAwsEndpoint({ bus: b, log: () => undefined });
    endpoints.push(endpoint);
    return { b, endpoint, delivered };
  }
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  it('answers PutEvents with FailedEntryCount and Entries, and delivers', async () => {
    const { b, endpoint, delivered } = await setup();
    const client = new EventBridgeClient({ region: 'eu-west-3', endpoint: endpoint.url, credentials });
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          contactEntry({ Time: new Date('2027-02-03T04:05:06Z'), Resources: ['arn:aws:x'] }),
          contactEntry({ Detail: 'nope' }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]?.EventId).toBeDefined();
    expect(out.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    await b.idle();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ time: '2027-02-03T04:05:06Z', resources: ['arn:aws:x'] });
  });

  it('answers a request error as an AWS JSON error the SDK understands', async () => {
    const { endpoint } = await setup();
    const client = new EventBridgeClient({ region: 'eu-west-3', endpoint: endpoint.url, credentials, maxAttempts: 1 });
    const error = await client
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => contactEntry()) }))
      .catch((e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const { endpoint } = await setup();
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await res.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'The local endpoint does not implement AWSEvents.ListRules.',
    });
  });

  it("carries an event from the project's publisher to its consumer wrapper", async () => {
    const received: unknown[] = [];
    const consumer = eventHandler(ContactRequestReceived, async (data, metadata) => {
      received.push({ data, metadata });
    });
    const context = {
      functionName: 'notifyPlatformInbox',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-3:000000000000:function:notifyPlatformInbox',
      memoryLimitInMB: '256',
      awsRequestId: 'req-1',
      logGroupName: 'local',
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => 10_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    const { bus: b } = bus({
      rules: [rule('to-inbox', 'notifyPlatformInbox', [ContactRequestReceived])],
      invoke: (_fn, event) => consumer(event as Parameters<typeof consumer>[0], context),
    });
    const endpoint = await startAwsEndpoint({ bus: b, log: () => undefined });
    endpoints.push(endpoint);
    const publisher = eventBridgePublisher({
      client: new EventBridgeClient({ region: 'eu-west-3', endpoint: endpoint.url, credentials }),
      busName: BUS,
      clock: { now: () => new Date('2027-01-01T10:00:00Z') },
    });
    const eventId = await publisher.publish(ContactRequestReceived, { contactRequestId: 'ctr_abc123' });
    await b.idle();
    expect(b.deadLetters()).toEqual([]);
    expect(received).toEqual([
      {
        data: { contactRequestId: 'ctr_abc123' },
        metadata: { eventId, occurredAt: '2027-01-01T10:00:00.000Z', version: 1, correlationId: eventId },
      },
    ]);
  });

  it('is found by the SDK through AWS_ENDPOINT_URL_EVENTBRIDGE', async () => {
    const { b, endpoint, delivered } = await setup();
    vi.stubEnv('AWS_ENDPOINT_URL_EVENTBRIDGE', endpoint.url);
    const client = new EventBridgeClient({ region: 'eu-west-3', credentials });
    const out = await client.send(new PutEventsCommand({ Entries: [contactEntry()] }));
    expect(out.FailedEntryCount).toBe(0);
    await b.idle();
    expect(delivered).toHaveLength(1);
  });
});
