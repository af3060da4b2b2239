/** The bookings context's composition root: the only place its adapters are built. */
import { documentClient, eventBridgeClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { dynamoOfferReader } from '#shared/offer/offer-reader.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoAppointmentStore } from './adapters/appointment-store.ts';
import { type BookingDeps, nothingToPay } from './use-cases.ts';

export const bookingDeps = (): BookingDeps => ({
  store: dynamoAppointmentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') }),
  offers: dynamoOfferReader({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
  clock: systemClock,
  payments: nothingToPay,
});

export const outboxDeps = () => ({
  events: eventBridgePublisher({
    client: eventBridgeClient(),
    busName: requiredEnv('EVENT_BUS_NAME'),
    clock: systemClock,
  }),
});
