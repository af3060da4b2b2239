/**
 * One-time schedules (EventBridge Scheduler `at()` schedules created at run time): the port a use
 * case calls, and the settings a function that creates them runs with. A function of the
 * catalogue that declares `oneTimeSchedules` gets these settings as environment variables, built
 * here for both the CDK app (infra/constructs/schedules.ts: the real group, role and target ARN)
 * and the local cloud (local/cloud.ts: the local scheduler's), and read back by the composition
 * root with `oneTimeScheduleSettingsFromEnv`. Pure: no AWS SDK here (./eventbridge-scheduler.ts).
 */
import { requiredEnv } from '../config.ts';

export interface OneTimeSchedule {
  /** Unique in the group: 1 to 64 of [0-9A-Za-z-_.]. */
  readonly name: string;
  /** When it runs (UTC, to the second). */
  readonly at: Date;
  /** The JSON the target function receives as its event: identifiers only. */
  readonly input: Record<string, unknown>;
  readonly description?: string;
}

export interface OneTimeSchedules {
  /** Creates the schedule, replacing one of the same name. */
  put(schedule: OneTimeSchedule): Promise<void>;
  /** Deletes the schedule; one that is not there (already run, never made) is no error. */
  remove(name: string): Promise<'deleted' | 'absent'>;
}

export interface OneTimeScheduleSettings {
  /** The schedule group the function may create schedules in (and only there). */
  readonly groupName: string;
  /** The Lambda function the schedules invoke. */
  readonly targetArn: string;
  /** The role Scheduler assumes to invoke it (the function may pass this role only). */
  readonly roleArn: string;
  /** Where Scheduler puts an invocation it could not deliver. */
  readonly deadLetterArn: string;
  /** Scheduler's delivery retries. */
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

const names = {
  groupName: 'SCHEDULE_GROUP_NAME',
  targetArn: 'SCHEDULE_TARGET_ARN',
  roleArn: 'SCHEDULE_ROLE_ARN',
  deadLetterArn: 'SCHEDULE_DEAD_LETTER_ARN',
  maximumRetryAttempts: 'SCHEDULE_MAX_RETRY_ATTEMPTS',
  maximumEventAgeSeconds: 'SCHEDULE_MAX_EVENT_AGE_SECONDS',
} as const satisfies Record<keyof OneTimeScheduleSettings, string>;

/** The environment variables of a function that creates one-time schedules. */
export const oneTimeScheduleEnvNames: readonly string[] = Object.values(names);

/** The one place the environment of a schedule-creating function is built (CDK app and local cloud). */
export function oneTimeScheduleEnv(settings: OneTimeScheduleSettings): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(names) as (keyof OneTimeScheduleSettings)[]).map((key) => [names[key], String(settings[key])]),
  );
}

export function oneTimeScheduleSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OneTimeScheduleSettings {
  const count = (name: string) => {
    const value = Number(requiredEnv(name, env));
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} is not a count`);
    return value;
  };
  return {
    groupName: requiredEnv(names.groupName, env),
    targetArn: requiredEnv(names.targetArn, env),
    roleArn: requiredEnv(names.roleArn, env),
    deadLetterArn: requiredEnv(names.deadLetterArn, env),
    maximumRetryAttempts: count(names.maximumRetryAttempts),
    maximumEventAgeSeconds: count(names.maximumEventAgeSeconds),
  };
}

/** Scheduler's one-time expression: `at(yyyy-mm-ddThh:mm:ss)`, read in ScheduleExpressionTimezone (UTC here). */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}
