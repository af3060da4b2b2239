/** Event consumer: emails both parties when an appointment is confirmed, moved or cancelled. */
import { BookingCancelled, BookingConfirmed, BookingRescheduled } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { notificationDeps } from '../composition-notifications.ts';
import type { NoticeKind } from '../notifications/notices.ts';
import { notifyBookingParties } from '../notifications/use-cases.ts';

const deps = notificationDeps();

const on = (kind: NoticeKind) => async (data: { appointmentId: string; version: number }) => {
  const outcome = await notifyBookingParties(deps, kind, data);
  logger.info('Booking notice', { appointmentId: data.appointmentId, version: data.version, kind, ...outcome });
};

export const handler = eventHandlers({
  [BookingConfirmed.detailType]: eventHandler(BookingConfirmed, on('confirmation')),
  [BookingRescheduled.detailType]: eventHandler(BookingRescheduled, on('reschedule')),
  [BookingCancelled.detailType]: eventHandler(BookingCancelled, on('cancellation')),
});
