/** PaymentSucceeded confirms the held booking; PaymentFailed releases its slot. Both guarded by its state. */
import { PaymentFailed, PaymentSucceeded } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { paymentDeps } from '../composition-payments.ts';
import { confirmPaidBooking, releaseUnpaidBooking } from '../payments.ts';

const deps = paymentDeps();

export const handler = eventHandlers({
  [PaymentSucceeded.detailType]: eventHandler(PaymentSucceeded, async (data) => {
    const outcome = await confirmPaidBooking(deps, data);
    logger.info('Paid booking settled', { appointmentId: data.appointmentId, outcome });
  }),
  [PaymentFailed.detailType]: eventHandler(PaymentFailed, async (data) => {
    const outcome = await releaseUnpaidBooking(deps, data);
    logger.info('Unpaid booking settled', { appointmentId: data.appointmentId, outcome });
  }),
});
