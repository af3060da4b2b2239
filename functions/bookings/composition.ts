/** The bookings context's composition root: the only place its adapters are built. */
import { documentClient, eventBridgeClient, ssmClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { dynamoOfferReader } from '#shared/offer/offer-reader.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoAppointmentStore } from './adapters/appointment-store.ts';
import { dynamoPaymentStore } from './adapters/payment-store.ts';
import { stripeFromParameters } from './adapters/stripe-config.ts';
import { stripeGateway } from './adapters/stripe-gateway.ts';
import { type PaymentDeps, stripeCheckout } from './payments.ts';
import type { BookingDeps } from './use-cases.ts';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

const appointments = () =>
  dynamoAppointmentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') });
const paymentRecords = () => dynamoPaymentStore({ client: documentClient(), tableName: tableNameFromEnv('bookings') });

/** The platform's fee on every online payment, in basis points: PLATFORM_FEE_BASIS_POINTS (0 to 10 000). */
function feeBasisPoints(): number {
  const value = Number(requiredEnv('PLATFORM_FEE_BASIS_POINTS'));
  if (!Number.isInteger(value) || value < 0 || value > 10_000)
    throw new Error('PLATFORM_FEE_BASIS_POINTS must be an integer from 0 to 10000');
  return value;
}

/** Stripe's side of payments, built on first use (functions that never pay never read its keys). */
const checkoutDeps = once(() => ({
  payments: paymentRecords(),
  gateway: stripeGateway(stripeFromParameters(ssmClient)),
  clock: systemClock,
  feeBasisPoints: feeBasisPoints(),
}));

export const bookingDeps = (): BookingDeps => ({
  store: appointments(),
  offers: dynamoOfferReader({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
  clock: systemClock,
  checkout: stripeCheckout(checkoutDeps),
  payments: paymentRecords(),
});

const events = () =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock: systemClock });

export const outboxDeps = () => ({ events: events() });

export const paymentDeps = (): PaymentDeps => ({
  ...checkoutDeps(),
  store: appointments(),
  events: events(),
});

/** Staff's list of disputed payments: the records only, no call to Stripe. */
export const disputeDeps = () => ({ payments: paymentRecords() });
