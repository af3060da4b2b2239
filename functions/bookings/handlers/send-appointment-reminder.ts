/**
 * Scheduler target: the reminder of one appointment, at the time its one-time schedule was made
 * for (the schedule's input is the event). A malformed input is a bug upstream: it throws, so
 * Lambda's retries and the dead-letter queue keep it.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { appointmentId } from '#events/catalogue.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { notificationDeps } from '../composition-notifications.ts';
import { reminderKinds } from '../notifications/reminders.ts';
import { sendAppointmentReminder } from '../notifications/use-cases.ts';

const deps = notificationDeps();

const ReminderInput = z
  .object({
    appointmentId,
    kind: z.enum(reminderKinds),
    version: z.number().int().positive(),
    start: z.iso.datetime(),
  })
  .strict();

export const handler = middy<unknown, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const parsed = ReminderInput.safeParse(event);
    if (!parsed.success) {
      logger.error('Reminder input does not match its schema', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
      });
      throw new Error('Invalid reminder input');
    }
    const input = parsed.data;
    let outcome: Awaited<ReturnType<typeof sendAppointmentReminder>>;
    try {
      outcome = await sendAppointmentReminder(deps, input);
    } catch (error) {
      // Thrown again without its message (it may quote an address): Lambda retries, then the DLQ.
      logger.error('Reminder failed', { appointmentId: input.appointmentId, error: errorFacts(error) });
      throw new Error(`Reminder failed: ${(error as Error)?.name ?? 'error'}`);
    }
    logger.info('Appointment reminder', {
      appointmentId: input.appointmentId,
      kind: input.kind,
      version: input.version,
      outcome,
    });
  });
