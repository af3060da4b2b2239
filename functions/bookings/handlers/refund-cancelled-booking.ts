import { BookingCancelled } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { paymentDeps } from '../composition-payments.ts';
import { refundCancelledBooking } from '../payments.ts';

const deps = paymentDeps();

export const handler = eventHandler(BookingCancelled, async (data) => {
  const outcome = await refundCancelledBooking(deps, data);
  logger.info('Cancelled booking refund', { appointmentId: data.appointmentId, outcome });
});
