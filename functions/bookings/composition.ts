/**
 * The bookings context's composition root: the only place its adapters are built. What calls
 * Stripe is built in ./composition-payments.ts, so the functions that never pay do not bundle
 * the Stripe SDK.
 */
import { documentClient, eventBridgeClient, once } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { type EventPublisher, eventBridgePublisher } from '#shared/events/publisher.ts';
import { dynamoOfferReader, type OfferReader } from '#shared/offer/offer-reader.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoAppointmentStore } from './adapters/appointment-store.ts';
import { dynamoPaymentStore } from './adapters/payment-store.ts';
import type { BookingDeps } from './use-cases.ts';

export const appointments = () =>
  dynamoAppointmentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') });
export const paymentRecords = () =>
  dynamoPaymentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') });

/*
 * The offer reader and the publisher are built on first use: a function whose use cases never
 * read an offer (the agenda, cancelling…) or never publish (settling a payment) then needs
 * neither the practitioners table nor the bus, in its environment or in its grants
 * (functions/catalogue.ts: least privilege).
 */
const offerReader = /* @__PURE__ */ once(() =>
  dynamoOfferReader({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
);
const offers: OfferReader = { find: (practitionerId, now) => offerReader().find(practitionerId, now) };

export const bookingDeps = (): BookingDeps => ({
  store: appointments(),
  offers,
  clock: systemClock,
  payments: paymentRecords(),
});

const publisher = /* @__PURE__ */ once(() =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock }),
);
export const events = (): EventPublisher => ({
  publish: (contract, data, options) => publisher().publish(contract, data, options),
});

export const outboxDeps = () => ({ events: events() });

/** Staff's list of disputed payments: the records only, no call to Stripe. */
export const disputeDeps = () => ({ payments: paymentRecords() });
