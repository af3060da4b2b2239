import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FunctionName, functions } from '#functions/catalogue.ts';
import type { ScheduleDefinition } from '#functions/schedules.ts';
import { type AwsEndpoint, startAwsEndpoint } from '#local/aws-endpoint.ts';
import { createLocalEventBus, type Invoke } from '#local/event-bus.ts';
import {
  createLocalScheduler,
  functionNameFromArn,
  LOCAL_ONE_TIME_GROUP,
  type LocalScheduler,
  localOneTimeScheduleEnv,
  MAX_TIMER_DELAY_MS,
  type SetTimer,
} from '#local/scheduler.ts';
import { eventBridgeOneTimeSchedules } from '#shared/scheduling/eventbridge-scheduler.ts';
import { oneTimeScheduleEnvNames, oneTimeScheduleSettingsFromEnv } from '#shared/scheduling/one-time-schedules.ts';

/** A clock and timers that only move when told to. */
function fakeTime(start: string) {
  let now = Date.parse(start);
  let seq = 0;
  const timers: Array<{ at: number; seq: number; callback: () => void; cancelled: boolean }> = [];
  const delays: number[] = [];
  const setTimer: SetTimer = (callback, delayMs) => {
    delays.push(delayMs);
    const timer = { at: now + delayMs, seq: seq++, callback, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  const flush = async () => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    now: () => new Date(now),
    setTimer,
    delays,
    pending: () => timers.filter((t) => !t.cancelled).length,
    /** Moves the clock to `to`, firing every timer due on the way, in order. */
    async advanceTo(to: string | number) {
      const target = typeof to === 'number' ? to : Date.parse(to);
      for (;;) {
        const due = timers
          .filter((t) => !t.cancelled && t.at <= target)
          .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        due.cancelled = true;
        now = Math.max(now, due.at);
        due.callback();
        await flush();
      }
      now = target;
      await flush();
    },
    async advanceBy(ms: number) {
      await this.advanceTo(now + ms);
    },
  };
}

function schedule(over: Partial<ScheduleDefinition> & Pick<ScheduleDefinition, 'expression'>): ScheduleDefinition {
  return {
    name: 'nightly-purge',
    description: 'test schedule',
    timezone: 'Europe/Paris',
    target: 'notifyPlatformInbox',
    flexibleWindowMinutes: 0,
    input: { job: 'purge' },
    ...over,
  };
}

const schedulers: LocalScheduler[] = [];
const endpoints: AwsEndpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  vi.unstubAllEnvs();
});

function setup(options: { schedules: ScheduleDefinition[]; start: string; invoke?: Invoke }) {
  const time = fakeTime(options.start);
  const calls: Array<{ fn: FunctionName; event: unknown; at: string }> = [];
  const lines: string[] = [];
  const scheduler = createLocalScheduler({
    schedules: options.schedules,
    invoke:
      options.invoke ??
      (async (fn, event) => {
        calls.push({ fn, event, at: time.now().toISOString() });
        return 'done';
      }),
    now: time.now,
    setTimer: time.setTimer,
    log: (line) => lines.push(line),
  });
  schedulers.push(scheduler);
  return { scheduler, time, calls, lines };
}

describe('the local scheduler', () => {
  it('runs a daily 03:00 Europe/Paris schedule at 03:00 local across the DST change, with its input as the event', async () => {
    const { scheduler, time, calls } = setup({
      schedules: [schedule({ expression: 'cron(0 3 * * ? *)' })],
      start: '2027-03-26T12:00:00Z',
    });
    scheduler.start();
    expect(scheduler.upcoming()).toEqual([{ name: 'nightly-purge', at: new Date('2027-03-27T02:00:00Z') }]);
    await time.advanceTo('2027-03-30T12:00:00Z');
    expect(calls.map((c) => c.at)).toEqual([
      '2027-03-27T02:00:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-29T01:00:00.000Z',
      '2027-03-30T01:00:00.000Z',
    ]);
    expect(calls.every((c) => c.fn === 'notifyPlatformInbox')).toBe(true);
    expect(calls[0]?.event).toEqual({ job: 'purge' });
    expect(scheduler.upcoming()[0]?.at.toISOString()).toBe('2027-03-31T01:00:00.000Z');
  });

  it('reaches a run a year away in timer chunks no longer than setTimeout allows', async () => {
    const { scheduler, time, calls } = setup({
      schedules: [schedule({ expression: 'cron(0 3 1 JAN ? *)' })],
      start: '2027-01-02T00:00:00Z',
    });
    scheduler.start();
    await time.advanceTo('2027-12-31T23:00:00Z');
    expect(calls).toHaveLength(0);
    await time.advanceTo('2028-01-01T02:00:00Z');
    expect(calls.map((c) => c.at)).toEqual(['2028-01-01T02:00:00.000Z']);
    expect(Math.max(...time.delays)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    expect(time.delays.length).toBeGreaterThan(15); // ~365 days / ~24.8 days
  });

  it('runs rate schedules every period from the start', async () => {
    const { scheduler, time, calls } = setup({
      schedules: [schedule({ name: 'sweep', expression: 'rate(10 minutes)', timezone: 'UTC' })],
      start: '2027-01-01T00:00:00Z',
    });
    scheduler.start();
    await time.advanceTo('2027-01-01T00:35:00Z');
    expect(calls.map((c) => c.at)).toEqual([
      '2027-01-01T00:10:00.000Z',
      '2027-01-01T00:20:00.000Z',
      '2027-01-01T00:30:00.000Z',
    ]);
  });

  it('lists upcoming runs soonest first', () => {
    const { scheduler } = setup({
      schedules: [
        schedule({ name: 'a', expression: 'cron(0 3 * * ? *)' }),
        schedule({ name: 'b', expression: 'rate(1 hour)', timezone: 'UTC' }),
      ],
      start: '2027-01-01T00:00:00Z',
    });
    expect(scheduler.upcoming()).toEqual([]); // not started
    scheduler.start();
    expect(scheduler.upcoming()).toEqual([
      { name: 'b', at: new Date('2027-01-01T01:00:00Z') },
      { name: 'a', at: new Date('2027-01-01T02:00:00Z') },
    ]);
  });

  it('retries a failing run as Lambda async invocation does, records the failure, and keeps the schedule', async () => {
    let attempts = 0;
    const { scheduler, time, lines } = setup({
      schedules: [schedule({ expression: 'cron(0 3 * * ? *)', input: { job: 'purge', secret: 'SENTINEL' } })],
      start: '2027-01-01T00:00:00Z',
      invoke: async () => {
        attempts++;
        throw new RangeError('purge failed');
      },
    });
    scheduler.start();
    await time.advanceTo('2027-01-01T02:00:10Z');
    expect(attempts).toBe(3);
    expect(scheduler.failures()).toEqual([
      {
        schedule: 'nightly-purge',
        groupName: 'default',
        target: 'notifyPlatformInbox',
        scheduledAt: '2027-01-01T02:00:00.000Z',
        attempts: 3,
        reason: 'retries-exhausted',
        error: { name: 'RangeError', message: 'purge failed' },
        failedAt: expect.any(String),
      },
    ]);
    expect(lines.join('\n')).toMatch(/outcome=failed reason=retries-exhausted attempts=3 error=RangeError/);
    expect(lines.join('\n')).not.toContain('SENTINEL');
    expect(scheduler.upcoming()[0]?.at.toISOString()).toBe('2027-01-02T02:00:00.000Z');
  });

  it('succeeds on a retry', async () => {
    let attempts = 0;
    const { scheduler, time, lines } = setup({
      schedules: [schedule({ expression: 'cron(0 3 * * ? *)' })],
      start: '2027-01-01T00:00:00Z',
      invoke: async () => {
        attempts++;
        if (attempts === 1) throw new Error('once');
        return 'ok';
      },
    });
    scheduler.start();
    await time.advanceTo('2027-01-01T02:00:10Z');
    expect(attempts).toBe(2);
    expect(scheduler.failures()).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/schedule=default\/nightly-purge .* outcome=ok attempts=2$/)]);
  });

  it('runs a schedule now on demand, without retries', async () => {
    const { scheduler, calls } = setup({
      schedules: [schedule({ expression: 'cron(0 3 * * ? *)' })],
      start: '2027-01-01T00:00:00Z',
    });
    await expect(scheduler.runNow('nightly-purge')).resolves.toBe('done');
    expect(calls).toEqual([{ fn: 'notifyPlatformInbox', event: { job: 'purge' }, at: '2027-01-01T00:00:00.000Z' }]);
    await expect(scheduler.runNow('nope')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses a bad schedule table at creation', () => {
    const invoke = async () => undefined;
    expect(() => createLocalScheduler({ schedules: [schedule({ expression: 'cron(0 3 * * * *)' })], invoke })).toThrow(
      /Schedule "nightly-purge" of functions\/schedules.ts: .*exactly one of day-of-month/,
    );
    expect(() =>
      createLocalScheduler({
        schedules: [schedule({ expression: 'rate(1 hour)', target: 'nope' as FunctionName })],
        invoke,
      }),
    ).toThrow(/Unknown target function "nope"/);
    const s = schedule({ expression: 'rate(1 hour)' });
    expect(() => createLocalScheduler({ schedules: [s, s], invoke })).toThrow(/already exists/);
  });

  it('stops: no timer fires afterwards', async () => {
    const { scheduler, time, calls } = setup({
      schedules: [schedule({ expression: 'rate(1 minute)', timezone: 'UTC' })],
      start: '2027-01-01T00:00:00Z',
    });
    scheduler.start();
    await time.advanceTo('2027-01-01T00:01:00Z');
    expect(calls).toHaveLength(1);
    await scheduler.stop();
    await time.advanceTo('2027-01-01T01:00:00Z');
    expect(calls).toHaveLength(1);
    expect(time.pending()).toBe(0);
  });
});

describe('one-time schedules created at run time', () => {
  it('fires an at() schedule once, in its time zone, and keeps or deletes it after', async () => {
    const { scheduler, time, calls } = setup({ schedules: [], start: '2027-06-01T00:00:00Z' });
    scheduler.start();
    const { arn } = scheduler.createSchedule({
      name: 'reminder-bkg_0001',
      expression: 'at(2027-06-15T09:30:00)',
      timezone: 'Europe/Paris',
      target: 'notifyPlatformInbox',
      input: { bookingId: 'bkg_0001' },
    });
    expect(arn).toBe('arn:aws:scheduler:eu-west-3:000000000000:schedule/default/reminder-bkg_0001');
    scheduler.createSchedule({
      name: 'reminder-bkg_0002',
      groupName: 'reminders',
      expression: 'at(2027-06-15T10:00:00)',
      timezone: 'Europe/Paris',
      target: 'notifyPlatformInbox',
      input: { bookingId: 'bkg_0002' },
      actionAfterCompletion: 'DELETE',
    });
    expect(scheduler.upcoming().map((u) => u.at.toISOString())).toEqual([
      '2027-06-15T07:30:00.000Z',
      '2027-06-15T08:00:00.000Z',
    ]);
    await time.advanceTo('2027-07-01T00:00:00Z');
    expect(calls).toEqual([
      { fn: 'notifyPlatformInbox', event: { bookingId: 'bkg_0001' }, at: '2027-06-15T07:30:00.000Z' },
      { fn: 'notifyPlatformInbox', event: { bookingId: 'bkg_0002' }, at: '2027-06-15T08:00:00.000Z' },
    ]);
    expect(scheduler.getSchedule('reminder-bkg_0001')).toMatchObject({ state: 'ENABLED' });
    expect(scheduler.getSchedule('reminder-bkg_0001')?.nextRunAt).toBeUndefined();
    expect(scheduler.getSchedule('reminder-bkg_0002', 'reminders')).toBeUndefined();
    expect(scheduler.upcoming()).toEqual([]);
  });

  it('never fires a deleted schedule, refuses duplicates, and does not run an at() in the past', async () => {
    const { scheduler, time, calls } = setup({ schedules: [], start: '2027-06-01T00:00:00Z' });
    scheduler.start();
    const input = {
      name: 'reminder',
      expression: 'at(2027-06-02T09:00:00)',
      timezone: 'UTC',
      target: 'notifyPlatformInbox' as const,
    };
    scheduler.createSchedule(input);
    expect(() => scheduler.createSchedule(input)).toThrow(expect.objectContaining({ name: 'ConflictException' }));
    scheduler.deleteSchedule('reminder');
    expect(() => scheduler.deleteSchedule('reminder')).toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
    scheduler.createSchedule({ ...input, name: 'past', expression: 'at(2027-05-01T09:00:00)' });
    await time.advanceTo('2027-06-03T00:00:00Z');
    expect(calls).toEqual([]);
    expect(() => scheduler.createSchedule({ ...input, name: 'bad', expression: 'at(tomorrow)' })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
  });

  it('maps a Lambda ARN to a function of the catalogue by its last segment', () => {
    expect(functionNameFromArn('arn:aws:lambda:eu-west-3:000000000000:function:notifyPlatformInbox')).toBe(
      'notifyPlatformInbox',
    );
    expect(functionNameFromArn('arn:aws:lambda:eu-west-3:123456789012:function:notifyPlatformInbox:live')).toBe(
      'notifyPlatformInbox',
    );
    expect(functionNameFromArn('arn:aws:lambda:eu-west-3:000000000000:function:unknownFunction')).toBeUndefined();
    expect(functionNameFromArn('arn:aws:sqs:eu-west-3:000000000000:queue')).toBeUndefined();
    expect(functionNameFromArn('arn:aws:lambda:eu-west-3:000000000000:function:toString')).toBeUndefined();
  });
});

describe('the Scheduler API on the local endpoint, with the real SDK client', () => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const fnArn = 'arn:aws:lambda:eu-west-3:000000000000:function:notifyPlatformInbox';
  const roleArn = 'arn:aws:iam::000000000000:role/scheduler';

  async function api() {
    const ctx = setup({ schedules: [], start: '2027-06-01T00:00:00Z' });
    ctx.scheduler.start();
    const bus = createLocalEventBus({ busName: 'b', rules: [], invoke: async () => undefined, log: () => undefined });
    const endpoint = await startAwsEndpoint({ bus, scheduler: ctx.scheduler, log: () => undefined });
    endpoints.push(endpoint);
    return { ...ctx, endpoint };
  }

  it('creates, reads and deletes a one-time schedule that runs the function with its input', async () => {
    const { endpoint, time, calls } = await api();
    const client = new SchedulerClient({ region: 'eu-west-3', endpoint: endpoint.url, credentials });
    const created = await client.send(
      new CreateScheduleCommand({
        Name: 'reminder-bkg_0003',
        GroupName: 'reminders',
        ScheduleExpression: 'at(2027-06-15T09:30:00)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: fnArn, RoleArn: roleArn, Input: JSON.stringify({ bookingId: 'bkg_0003' }) },
        ActionAfterCompletion: 'NONE',
      }),
    );
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:eu-west-3:000000000000:schedule/reminders/reminder-bkg_0003');
    const got = await client.send(new GetScheduleCommand({ Name: 'reminder-bkg_0003', GroupName: 'reminders' }));
    expect(got).toMatchObject({
      Name: 'reminder-bkg_0003',
      GroupName: 'reminders',
      ScheduleExpression: 'at(2027-06-15T09:30:00)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: fnArn, RoleArn: roleArn, Input: '{"bookingId":"bkg_0003"}' },
    });
    expect(got.CreationDate?.toISOString()).toBe('2027-06-01T00:00:00.000Z');
    await time.advanceTo('2027-06-16T00:00:00Z');
    expect(calls).toEqual([
      { fn: 'notifyPlatformInbox', event: { bookingId: 'bkg_0003' }, at: '2027-06-15T07:30:00.000Z' },
    ]);
    await client.send(new DeleteScheduleCommand({ Name: 'reminder-bkg_0003', GroupName: 'reminders' }));
    const missing = await client
      .send(new GetScheduleCommand({ Name: 'reminder-bkg_0003', GroupName: 'reminders' }))
      .catch((e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('answers errors the SDK understands, and is found through AWS_ENDPOINT_URL_SCHEDULER', async () => {
    const { endpoint } = await api();
    vi.stubEnv('AWS_ENDPOINT_URL_SCHEDULER', endpoint.url);
    const client = new SchedulerClient({ region: 'eu-west-3', credentials, maxAttempts: 1 });
    const base = {
      Name: 'r1',
      ScheduleExpression: 'at(2027-06-15T09:30:00)',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: { Arn: fnArn, RoleArn: roleArn },
    };
    await client.send(new CreateScheduleCommand(base));
    const failure = (p: Promise<unknown>) =>
      p.catch((e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    expect(await failure(client.send(new CreateScheduleCommand(base)))).toMatchObject({
      name: 'ConflictException',
      $metadata: { httpStatusCode: 409 },
    });
    expect(
      await failure(
        client.send(
          new CreateScheduleCommand({
            ...base,
            Name: 'r2',
            Target: { Arn: 'arn:aws:sqs:eu-west-3:0:q', RoleArn: roleArn },
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/not a Lambda function/) });
    expect(
      await failure(
        client.send(new CreateScheduleCommand({ ...base, Name: 'r3', ScheduleExpression: 'cron(0 3 * * * *)' })),
      ),
    ).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/exactly one of day-of-month/) });
    expect(await failure(client.send(new DeleteScheduleCommand({ Name: 'nope' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('firing a schedule early (a local control, for tests and demos)', () => {
  it('runs an at() schedule now as its time would, with retries, then deletes it; nothing fires later', async () => {
    let failures = 1;
    const calls: unknown[] = [];
    const { scheduler, time } = setup({
      schedules: [],
      start: '2027-06-01T00:00:00Z',
      invoke: async (_fn, event) => {
        if (failures-- > 0) throw new Error('first attempt fails');
        calls.push(event);
      },
    });
    scheduler.start();
    scheduler.createSchedule({
      name: 'reminder-apt_1-same-day',
      groupName: 'mpbe-local-one-time',
      expression: 'at(2027-06-15T07:00:00)',
      timezone: 'UTC',
      target: 'sendAppointmentReminder',
      input: { appointmentId: 'apt_1' },
      actionAfterCompletion: 'DELETE',
    });
    const fired = scheduler.fireNow('reminder-apt_1-same-day', 'mpbe-local-one-time');
    await time.advanceBy(0); // the first attempt fails
    await time.advanceBy(1000); // the retry's delay
    await expect(fired).resolves.toEqual({ scheduledAt: new Date('2027-06-01T00:00:00Z') });
    expect(calls).toEqual([{ appointmentId: 'apt_1' }]);
    expect(scheduler.getSchedule('reminder-apt_1-same-day', 'mpbe-local-one-time')).toBeUndefined();
    await time.advanceTo('2027-07-01T00:00:00Z');
    expect(calls).toHaveLength(1);
    await expect(scheduler.fireNow('reminder-apt_1-same-day', 'mpbe-local-one-time')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('is served at POST /_local/schedules/{name}/fire, and the SDK adapter of one-time schedules works against it', async () => {
    const ctx = setup({ schedules: [], start: '2027-06-01T00:00:00Z' });
    ctx.scheduler.start();
    const bus = createLocalEventBus({ busName: 'b', rules: [], invoke: async () => undefined, log: () => undefined });
    const endpoint = await startAwsEndpoint({ bus, scheduler: ctx.scheduler, log: () => undefined });
    endpoints.push(endpoint);
    const env = localOneTimeScheduleEnv(functions, { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 });
    const schedules = eventBridgeOneTimeSchedules({
      client: new SchedulerClient({
        region: 'eu-west-3',
        endpoint: endpoint.url,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      settings: oneTimeScheduleSettingsFromEnv(env),
    });
    const reminder = { name: 'reminder-apt_2-day-before', at: new Date('2027-06-10T08:00:00Z'), input: { n: 1 } };
    await schedules.put(reminder);
    // put replaces: the same name again is no conflict
    await schedules.put({ ...reminder, input: { n: 2 } });
    expect(ctx.scheduler.getSchedule(reminder.name, LOCAL_ONE_TIME_GROUP)).toMatchObject({
      expression: 'at(2027-06-10T08:00:00)',
      timezone: 'UTC',
      target: 'sendAppointmentReminder',
      input: { n: 2 },
      actionAfterCompletion: 'DELETE',
      flexibleTimeWindow: { mode: 'OFF' },
    });
    const res = await fetch(
      `${endpoint.url}/_local/schedules/${reminder.name}/fire?groupName=${LOCAL_ONE_TIME_GROUP}`,
      {
        method: 'POST',
      },
    );
    expect(res.status).toBe(200);
    expect(ctx.calls).toEqual([{ fn: 'sendAppointmentReminder', event: { n: 2 }, at: '2027-06-01T00:00:00.000Z' }]);
    expect(await schedules.remove(reminder.name)).toBe('absent');
    const missing = await fetch(`${endpoint.url}/_local/schedules/nope/fire`, { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('gives the local functions the one-time schedule settings the CDK app gives them', () => {
    const env = localOneTimeScheduleEnv(functions, { maximumRetryAttempts: 8, maximumEventAgeSeconds: 21600 });
    expect(Object.keys(env).sort()).toEqual([...oneTimeScheduleEnvNames].sort());
    expect(oneTimeScheduleSettingsFromEnv(env)).toMatchObject({
      groupName: LOCAL_ONE_TIME_GROUP,
      targetArn: 'arn:aws:lambda:eu-west-3:000000000000:function:sendAppointmentReminder',
      maximumRetryAttempts: 8,
      maximumEventAgeSeconds: 21600,
    });
    expect(localOneTimeScheduleEnv({}, { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 })).toEqual({});
  });
});
