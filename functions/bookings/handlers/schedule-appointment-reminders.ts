/** Event consumer: creates, replaces or deletes an appointment's reminder schedules. */
import { BookingCancelled, BookingConfirmed, BookingRescheduled } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { reminderScheduleDeps } from '../composition-notifications.ts';
import { scheduleAppointmentReminders } from '../notifications/use-cases.ts';

const deps = reminderScheduleDeps();

const on =
  (change: 'confirmed' | 'rescheduled' | 'cancelled') => async (data: { appointmentId: string; version: number }) => {
    const outcome = await scheduleAppointmentReminders(deps, change, data);
    logger.info('Reminder schedules', { appointmentId: data.appointmentId, version: data.version, change, ...outcome });
  };

export const handler = eventHandlers({
  [BookingConfirmed.detailType]: eventHandler(BookingConfirmed, on('confirmed')),
  [BookingRescheduled.detailType]: eventHandler(BookingRescheduled, on('rescheduled')),
  [BookingCancelled.detailType]: eventHandler(BookingCancelled, on('cancelled')),
});
