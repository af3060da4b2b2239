/**
 * One-time schedules in EventBridge Scheduler (the local scheduler locally, through
 * AWS_ENDPOINT_URL_SCHEDULER): `at()` in UTC, no flexible window, deleted by Scheduler once run,
 * Scheduler's retries and dead-letter queue on the target. Replacing is delete then create: the
 * function is granted CreateSchedule and DeleteSchedule on its group only (no Update, no Get).
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { atExpression, type OneTimeScheduleSettings, type OneTimeSchedules } from './one-time-schedules.ts';

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

export function eventBridgeOneTimeSchedules(deps: {
  client: SchedulerClient;
  settings: OneTimeScheduleSettings;
}): OneTimeSchedules {
  const { client, settings } = deps;

  async function remove(name: string): Promise<'deleted' | 'absent'> {
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: settings.groupName }));
      return 'deleted';
    } catch (error) {
      if (error instanceof ResourceNotFoundException || isNamed(error, 'ResourceNotFoundException')) return 'absent';
      throw error;
    }
  }

  return {
    remove,
    async put(schedule) {
      const create = new CreateScheduleCommand({
        Name: schedule.name,
        GroupName: settings.groupName,
        ScheduleExpression: atExpression(schedule.at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        ...(schedule.description ? { Description: schedule.description } : {}),
        Target: {
          Arn: settings.targetArn,
          RoleArn: settings.roleArn,
          Input: JSON.stringify(schedule.input),
          RetryPolicy: {
            MaximumRetryAttempts: settings.maximumRetryAttempts,
            MaximumEventAgeInSeconds: settings.maximumEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: settings.deadLetterArn },
        },
      });
      // A concurrent delivery of the same change may create it between our delete and create:
      // delete and create again (both write the same schedule for the same change).
      for (let attempt = 1; ; attempt++) {
        await remove(schedule.name);
        try {
          await client.send(create);
          return;
        } catch (error) {
          const conflict = error instanceof ConflictException || isNamed(error, 'ConflictException');
          if (!conflict || attempt >= 3) throw error;
        }
      }
    },
  };
}
