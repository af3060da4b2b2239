/**
 * The local EventBridge Scheduler (DESIGN.md §4, docs/adr/0004): runs the schedule table of
 * functions/schedules.ts, and schedules created at run time through the Scheduler API
 * (local/aws-endpoint.ts), by invoking the target function with the schedule's input as the
 * Lambda event. Expressions are evaluated in the schedule's time zone (local/schedule-expression.ts).
 * Timers never exceed setTimeout's limit: a far run is reached by re-arming in chunks. A handler
 * failure is retried as Lambda asynchronous invocation does, then goes to the target's
 * dead-letter queue (`deadLetters`: Lambda's on-failure record, local/sqs-dead-letters.ts).
 */
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { contextOf } from '#functions/environment.ts';
import type { ScheduleDefinition } from '#functions/schedules.ts';
import { type OneTimeScheduleSettings, oneTimeScheduleEnv } from '#shared/scheduling/one-time-schedules.ts';
import {
  AwsServiceError,
  createTaskTracker,
  describeError,
  type Invoke,
  invokeWithRetries,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  realSetTimer,
  type SetTimer,
} from './event-bus.ts';
import {
  assertTimeZone,
  nextRun,
  parseScheduleExpression,
  type ScheduleExpression,
  ScheduleExpressionError,
} from './schedule-expression.ts';
import { type DeadLetterSink, deadLetterQueueName, LOCAL_QUEUE_PREFIX } from './sqs-dead-letters.ts';

export type { SetTimer } from './event-bus.ts';

/** setTimeout's largest delay (a signed 32-bit int of ms, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export const DEFAULT_GROUP = 'default';

/** Lambda asynchronous invocation's defaults: 2 retries, 6 hours. */
export const defaultScheduleRetry = { functionRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 } as const;

/** A schedule created at run time (Scheduler API CreateSchedule). */
export interface CreateScheduleInput {
  readonly name: string;
  readonly groupName?: string;
  readonly expression: string;
  readonly timezone?: string;
  readonly target: FunctionName;
  /** The Lambda event (Scheduler's Target.Input, already parsed from JSON). */
  readonly input?: unknown;
  /** The target ARN as given to the API, echoed by GetSchedule. */
  readonly targetArn?: string;
  readonly roleArn?: string;
  readonly description?: string;
  readonly state?: 'ENABLED' | 'DISABLED';
  readonly startDate?: Date;
  readonly endDate?: Date;
  /** What happens after an at() schedule's run: DELETE removes it, NONE (default) keeps it. */
  readonly actionAfterCompletion?: 'DELETE' | 'NONE';
  /** Kept and echoed; the local scheduler always runs at the exact time (a window only spreads load). */
  readonly flexibleTimeWindow?: FlexibleTimeWindow;
}

export interface FlexibleTimeWindow {
  readonly mode: 'OFF' | 'FLEXIBLE';
  readonly maximumWindowInMinutes?: number;
}

export interface ScheduleState {
  readonly arn: string;
  readonly name: string;
  readonly groupName: string;
  readonly expression: string;
  readonly timezone: string;
  readonly target: FunctionName;
  readonly targetArn: string;
  readonly roleArn?: string;
  readonly input: unknown;
  readonly description?: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly startDate?: Date;
  readonly endDate?: Date;
  readonly actionAfterCompletion: 'DELETE' | 'NONE';
  readonly flexibleTimeWindow: FlexibleTimeWindow;
  readonly createdAt: Date;
  readonly lastModifiedAt: Date;
  /** The next run, if any. */
  readonly nextRunAt?: Date;
  /** From the schedule table (functions/schedules.ts) rather than the API. */
  readonly static: boolean;
}

export interface ScheduleFailure {
  readonly schedule: string;
  readonly groupName: string;
  readonly target: FunctionName;
  /** The run's planned time. */
  readonly scheduledAt: string;
  readonly attempts: number;
  readonly reason: 'retries-exhausted' | 'maximum-event-age' | 'bus-closed';
  readonly error: { readonly name: string; readonly message: string };
  readonly failedAt: string;
}

export interface LocalScheduler {
  /** Arms every enabled schedule's next run. */
  start(): void;
  /** Disarms timers, cancels pending retries, waits for running handlers. */
  stop(): Promise<void>;
  /** Runs a schedule's target once now, without retries; resolves with the handler's result. */
  runNow(name: string, groupName?: string): Promise<unknown>;
  /**
   * A local control, not an AWS API: brings a schedule's next run forward to now, exactly as if
   * its time had come (the same input, retries and failure record; an `at()` schedule is then
   * done, and deleted if its ActionAfterCompletion is DELETE). Resolves once the run and its
   * retries are over. For tests and demos that cannot wait hours for a reminder.
   */
  fireNow(name: string, groupName?: string): Promise<{ scheduledAt: Date }>;
  /** Next run of each enabled schedule, soonest first. */
  upcoming(): { name: string; at: Date }[];
  /** Scheduler API: throws AwsServiceError (ConflictException, ValidationException). */
  createSchedule(input: CreateScheduleInput): { arn: string };
  getSchedule(name: string, groupName?: string): ScheduleState | undefined;
  /** Throws AwsServiceError ResourceNotFoundException when there is no such schedule. */
  deleteSchedule(name: string, groupName?: string): void;
  /** This process's failed runs (for tests); the durable copy is in the target's dead-letter queue. */
  failures(): readonly ScheduleFailure[];
  /** Resolves when no run or retry is in progress (timers waiting for a later run do not count). */
  idle(): Promise<void>;
}

export interface LocalSchedulerOptions {
  schedules: readonly ScheduleDefinition[];
  invoke: Invoke;
  now?: () => Date;
  /** Arms a one-shot timer; never asked for more than MAX_TIMER_DELAY_MS. */
  setTimer?: SetTimer;
  log?: (line: string) => void;
  region?: string;
  account?: string;
  retry?: { functionRetryAttempts: number; maximumEventAgeSeconds: number };
  /** Delay before retry `attempt` (1 = first retry); 200 ms · 2^(attempt-1) by default. */
  retryDelayMs?: (attempt: number) => number;
  /** Where a run goes once its target's retries are over (the context's dead-letter queue). */
  deadLetters?: Pick<DeadLetterSink, 'asyncFailure'>;
}

interface Entry {
  state: ScheduleState;
  parsed: ScheduleExpression;
  /** Anchor of rate schedules: StartDate, else when the schedule started here. */
  anchor?: Date;
  cancelTimer?: () => void;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

/**
 * Maps a Lambda target ARN to a function of the catalogue. Convention: the function name is the
 * ARN's function-name segment (`arn:aws:lambda:<region>:<account>:function:<FunctionName>`, an
 * optional `:<qualifier>` after it is ignored), and must be a key of functions/catalogue.ts.
 */
export function functionNameFromArn(arn: string): FunctionName | undefined {
  const m = /^arn:aws[a-z-]*:lambda:[a-z0-9-]*:\d*:function:([A-Za-z0-9-_]+)(?::[A-Za-z0-9-_$]+)?$/.exec(arn);
  const name = m?.[1];
  return name !== undefined && Object.hasOwn(functions, name) ? (name as FunctionName) : undefined;
}

export function functionArn(fn: FunctionName, region = LOCAL_REGION, account = LOCAL_ACCOUNT): string {
  return `arn:aws:lambda:${region}:${account}:function:${fn}`;
}

/** The schedule group of the one-time schedules functions create locally. */
export const LOCAL_ONE_TIME_GROUP = 'mpbe-local-one-time';

/** The role the local one-time schedules name (Scheduler would assume it; the local one assumes none). */
export const localSchedulerRoleArn = (account = LOCAL_ACCOUNT) => `arn:aws:iam::${account}:role/mpbe-local-scheduler`;

/**
 * The one-time schedule settings a function that creates schedules for `target` is given locally
 * (functions/environment.ts turns them into its environment with the same `oneTimeScheduleEnv` as
 * the CDK app): the local group, the target's local ARN, a role, and the dead-letter queue of the
 * target's context (`mpbe-local-<context>-dead-letters`), as the CDK app names its context's queue.
 */
export function localOneTimeScheduleSettings(
  target: string,
  retry: { maximumRetryAttempts: number; maximumEventAgeSeconds: number },
  region = LOCAL_REGION,
  account = LOCAL_ACCOUNT,
): OneTimeScheduleSettings {
  if (!Object.hasOwn(functions, target)) throw new Error(`No catalogue function ${target} for one-time schedules`);
  return {
    groupName: LOCAL_ONE_TIME_GROUP,
    targetArn: functionArn(target as FunctionName, region, account),
    roleArn: localSchedulerRoleArn(account),
    deadLetterArn: `arn:aws:sqs:${region}:${account}:${deadLetterQueueName(LOCAL_QUEUE_PREFIX, contextOf(functions[target as FunctionName].entry))}`,
    maximumRetryAttempts: retry.maximumRetryAttempts,
    maximumEventAgeSeconds: retry.maximumEventAgeSeconds,
  };
}

/**
 * The one-time schedule environment of the catalogue's schedule-creating function, for tests and
 * tools (each function's own environment comes from functions/environment.ts): they read one
 * group and one target from it, so the catalogue must name one target.
 */
export function localOneTimeScheduleEnv(
  definitions: Readonly<Record<string, FunctionDefinition>>,
  retry: { maximumRetryAttempts: number; maximumEventAgeSeconds: number },
  region = LOCAL_REGION,
  account = LOCAL_ACCOUNT,
): Record<string, string> {
  const targets = new Set(
    Object.values(definitions).flatMap((d) => (d.oneTimeSchedules ? [d.oneTimeSchedules.target] : [])),
  );
  if (targets.size === 0) return {};
  const [target, ...others] = [...targets];
  if (others.length > 0) throw new Error(`Local one-time schedules name several targets (${[...targets].join(', ')})`);
  return oneTimeScheduleEnv(localOneTimeScheduleSettings(target as string, retry, region, account));
}

/** A schedule of functions/schedules.ts as the local scheduler creates it (and localWiring describes it). */
export function staticScheduleInput(def: ScheduleDefinition): CreateScheduleInput {
  return {
    name: def.name,
    expression: def.expression,
    timezone: def.timezone,
    target: def.target,
    input: def.input,
    description: def.description,
    flexibleTimeWindow:
      def.flexibleWindowMinutes > 0
        ? { mode: 'FLEXIBLE', maximumWindowInMinutes: def.flexibleWindowMinutes }
        : { mode: 'OFF' },
  };
}

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const region = options.region ?? LOCAL_REGION;
  const account = options.account ?? LOCAL_ACCOUNT;
  const now = options.now ?? (() => new Date());
  const setTimer = options.setTimer ?? realSetTimer;
  const log = options.log ?? ((line: string) => console.log(line));
  const retry = options.retry ?? defaultScheduleRetry;
  const retryDelayMs = options.retryDelayMs ?? ((attempt: number) => 200 * 2 ** (attempt - 1));
  const tasks = createTaskTracker(setTimer);
  const entries = new Map<string, Entry>();
  const failed: ScheduleFailure[] = [];
  let running = false;

  const key = (group: string, name: string) => `${group}/${name}`;
  const arnOf = (group: string, name: string) => `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;

  function build(input: CreateScheduleInput, isStatic: boolean): Entry {
    const group = input.groupName ?? DEFAULT_GROUP;
    if (!NAME.test(input.name) || !NAME.test(group)) {
      throw new AwsServiceError('ValidationException', `Invalid schedule or group name "${group}/${input.name}".`);
    }
    const timezone = input.timezone ?? 'UTC';
    let parsed: ScheduleExpression;
    try {
      parsed = parseScheduleExpression(input.expression);
      assertTimeZone(timezone);
    } catch (error) {
      if (error instanceof ScheduleExpressionError) throw new AwsServiceError('ValidationException', error.message);
      throw error;
    }
    if (!Object.hasOwn(functions, input.target)) {
      throw new AwsServiceError('ValidationException', `Unknown target function "${input.target}".`);
    }
    const created = now();
    const state: ScheduleState = {
      arn: arnOf(group, input.name),
      name: input.name,
      groupName: group,
      expression: input.expression,
      timezone,
      target: input.target,
      targetArn: input.targetArn ?? functionArn(input.target, region, account),
      input: input.input === undefined ? {} : JSON.parse(JSON.stringify(input.input)),
      state: input.state ?? 'ENABLED',
      actionAfterCompletion: input.actionAfterCompletion ?? 'NONE',
      flexibleTimeWindow: input.flexibleTimeWindow ?? { mode: 'OFF' },
      createdAt: created,
      lastModifiedAt: created,
      static: isStatic,
      ...(input.roleArn !== undefined && { roleArn: input.roleArn }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.startDate !== undefined && { startDate: input.startDate }),
      ...(input.endDate !== undefined && { endDate: input.endDate }),
    };
    return { state, parsed };
  }

  /** The first run strictly after `after`, within the schedule's start and end dates. */
  function computeNext(entry: Entry, after: Date): Date | undefined {
    const { state, parsed } = entry;
    const start = state.startDate;
    let from = after;
    if (start && parsed.kind !== 'at' && start.getTime() > after.getTime()) from = new Date(start.getTime() - 1);
    const next = nextRun(parsed, state.timezone, from, parsed.kind === 'rate' ? (start ?? entry.anchor) : undefined);
    if (!next) return undefined;
    if (state.endDate && parsed.kind !== 'at' && next.getTime() > state.endDate.getTime()) return undefined;
    return next;
  }

  function setNext(entry: Entry, next: Date | undefined): void {
    const { nextRunAt: _previous, ...rest } = entry.state;
    entry.state = next ? { ...rest, nextRunAt: next } : rest;
  }

  function arm(entry: Entry, due: Date): void {
    entry.cancelTimer?.();
    const remaining = due.getTime() - now().getTime();
    entry.cancelTimer = setTimer(
      () => {
        entry.cancelTimer = undefined;
        if (!running || entries.get(key(entry.state.groupName, entry.state.name)) !== entry) return;
        if (now().getTime() < due.getTime()) arm(entry, due);
        else fire(entry, due);
      },
      Math.min(Math.max(remaining, 0), MAX_TIMER_DELAY_MS),
    );
  }

  function schedule(entry: Entry, after: Date): void {
    const next = entry.state.state === 'ENABLED' ? computeNext(entry, after) : undefined;
    setNext(entry, next);
    if (next && running) arm(entry, next);
  }

  function fire(entry: Entry, due: Date): Promise<void> {
    const { state } = entry;
    const run = tasks.track(runWithRetries(state, due));
    if (entry.parsed.kind === 'at') {
      setNext(entry, undefined);
      if (state.actionAfterCompletion === 'DELETE') entries.delete(key(state.groupName, state.name));
      return run;
    }
    // A run missed while the process slept is not caught up: the next one comes after now.
    schedule(entry, new Date(Math.max(due.getTime(), now().getTime())));
    return run;
  }

  async function runWithRetries(state: ScheduleState, due: Date): Promise<void> {
    const what = `schedule=${state.groupName}/${state.name} target=${state.target} scheduled-at=${due.toISOString()}`;
    const outcome = await invokeWithRetries(() => options.invoke(state.target, structuredClone(state.input)), {
      retries: retry.functionRetryAttempts,
      maximumEventAgeSeconds: retry.maximumEventAgeSeconds,
      receivedAt: due.getTime(),
      delayMs: retryDelayMs,
      now: () => now().getTime(),
      sleep: tasks.sleep,
    });
    if (outcome.ok) {
      log(`scheduler: ${what} outcome=ok attempts=${outcome.attempts}`);
      return;
    }
    const error = describeError(outcome.error);
    failed.push({
      schedule: state.name,
      groupName: state.groupName,
      target: state.target,
      scheduledAt: due.toISOString(),
      attempts: outcome.attempts,
      reason: outcome.reason,
      error,
      failedAt: now().toISOString(),
    });
    log(`scheduler: ${what} outcome=failed reason=${outcome.reason} attempts=${outcome.attempts} error=${error.name}`);
    await options.deadLetters?.asyncFailure(state.target, {
      payload: state.input,
      attempts: outcome.attempts,
      reason: outcome.reason,
      error,
    });
  }

  function add(entry: Entry): void {
    const k = key(entry.state.groupName, entry.state.name);
    if (entries.has(k)) {
      throw new AwsServiceError('ConflictException', `Schedule ${entry.state.name} already exists.`, 409);
    }
    entries.set(k, entry);
    if (running) {
      entry.anchor = now();
      schedule(entry, now());
    }
  }

  for (const def of options.schedules) {
    try {
      add(build(staticScheduleInput(def), true));
    } catch (error) {
      throw new Error(`Schedule "${def.name}" of functions/schedules.ts: ${(error as Error).message}`);
    }
  }

  function find(name: string, groupName = DEFAULT_GROUP): Entry {
    const entry = entries.get(key(groupName, name));
    if (!entry) throw new AwsServiceError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return entry;
  }

  return {
    start() {
      if (running) return;
      running = true;
      const started = now();
      for (const entry of entries.values()) {
        entry.anchor = started;
        schedule(entry, started);
      }
    },
    async stop() {
      running = false;
      for (const entry of entries.values()) {
        entry.cancelTimer?.();
        entry.cancelTimer = undefined;
      }
      tasks.cancelSleeps();
      await tasks.idle();
    },
    async runNow(name, groupName) {
      const { state } = find(name, groupName);
      log(`scheduler: schedule=${state.groupName}/${state.name} target=${state.target} outcome=run-now`);
      return tasks.track(options.invoke(state.target, structuredClone(state.input)));
    },
    async fireNow(name, groupName) {
      const entry = find(name, groupName);
      if (entry.state.state !== 'ENABLED' || !entry.state.nextRunAt) {
        throw new AwsServiceError('ValidationException', `Schedule ${name} has no run to come.`);
      }
      entry.cancelTimer?.();
      entry.cancelTimer = undefined;
      const scheduledAt = now();
      log(`scheduler: schedule=${entry.state.groupName}/${entry.state.name} outcome=fired-early`);
      await fire(entry, scheduledAt);
      return { scheduledAt };
    },
    upcoming() {
      return [...entries.values()]
        .filter((e) => e.state.nextRunAt !== undefined)
        .map((e) => ({ name: e.state.name, at: e.state.nextRunAt as Date }))
        .sort((a, b) => a.at.getTime() - b.at.getTime());
    },
    createSchedule(input) {
      const entry = build(input, false);
      add(entry);
      log(`scheduler: schedule=${entry.state.groupName}/${entry.state.name} outcome=created`);
      return { arn: entry.state.arn };
    },
    getSchedule(name, groupName = DEFAULT_GROUP) {
      return entries.get(key(groupName, name))?.state;
    },
    deleteSchedule(name, groupName) {
      const entry = find(name, groupName);
      entry.cancelTimer?.();
      entries.delete(key(entry.state.groupName, entry.state.name));
      log(`scheduler: schedule=${entry.state.groupName}/${entry.state.name} outcome=deleted`);
    },
    failures: () => [...failed],
    idle: () => tasks.idle(),
  };
}
