/**
 * The bookings context's composition root: the only place its adapters are built. What calls
 * Stripe is built in ./composition-payments.ts, so the functions that never pay do not bundle
 * the Stripe SDK.
 */
import { documentClient, eventBridgeClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { dynamoOfferReader } from '#shared/offer/offer-reader.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoAppointmentStore } from './adapters/appointment-store.ts';
import { dynamoPaymentStore } from './adapters/payment-store.ts';
import type { BookingDeps } from './use-cases.ts';

export const appointments = () =>
  dynamoAppointmentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') });
export const paymentRecords = () =>
  dynamoPaymentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') });

export const bookingDeps = (): BookingDeps => ({
  store: appointments(),
  offers: dynamoOfferReader({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
  clock: systemClock,
  payments: paymentRecords(),
});

export const events = () =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock });

export const outboxDeps = () => ({ events: events() });

/** Staff's list of disputed payments: the records only, no call to Stripe. */
export const disputeDeps = () => ({ payments: paymentRecords() });
