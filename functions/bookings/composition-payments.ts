/** The composition root of what calls Stripe: the booking's checkout and the payment functions. */
import { ssmClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { stripeFromParameters } from './adapters/stripe-config.ts';
import { stripeGateway } from './adapters/stripe-gateway.ts';
import { appointments, bookingDeps, events, paymentRecords } from './composition.ts';
import { type PaymentDeps, stripeCheckout } from './payments.ts';
import type { BookDeps } from './use-cases.ts';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

/** The platform's fee on every online payment, in basis points: PLATFORM_FEE_BASIS_POINTS (0 to 10 000). */
function feeBasisPoints(): number {
  const value = Number(requiredEnv('PLATFORM_FEE_BASIS_POINTS'));
  if (!Number.isInteger(value) || value < 0 || value > 10_000)
    throw new Error('PLATFORM_FEE_BASIS_POINTS must be an integer from 0 to 10000');
  return value;
}

/** Stripe's side of payments, built on first use (the keys are read from SSM then). */
const checkoutDeps = once(() => ({
  payments: paymentRecords(),
  gateway: stripeGateway(stripeFromParameters(ssmClient)),
  clock: systemClock,
  feeBasisPoints: feeBasisPoints(),
}));

export const bookDeps = (): BookDeps => ({ ...bookingDeps(), checkout: stripeCheckout(checkoutDeps) });

export const paymentDeps = (): PaymentDeps => ({
  ...checkoutDeps(),
  store: appointments(),
  events: events(),
});
