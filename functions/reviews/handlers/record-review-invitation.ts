/** BookingCompleted: records the client's invitation to review the appointment (90 days). Idempotent. */
import { BookingCompleted } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { reviewDeps } from '../composition-reviews.ts';
import { recordInvitation } from '../review-use-cases.ts';

const deps = reviewDeps();

export const handler = eventHandler(BookingCompleted, async ({ appointmentId, clientId, practitionerId, startsAt }) => {
  const outcome = await recordInvitation(deps, {
    appointmentId,
    clientId,
    practitionerId,
    startsAt: new Date(startsAt),
  });
  logger.info('Review invitation', { appointmentId, outcome });
});
