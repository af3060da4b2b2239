/** The composition root of what calls Stripe: the booking's checkout and the payment functions. */
import { once, ssmClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { stripeSettingsFromEnv } from '#shared/payments-config.ts';
import { stripeFromParameters } from './adapters/stripe-config.ts';
import { stripeGateway } from './adapters/stripe-gateway.ts';
import { appointments, bookingDeps, events, paymentRecords } from './composition.ts';
import { type PaymentDeps, stripeCheckout } from './payments.ts';
import type { BookDeps } from './use-cases.ts';

/** Stripe's side of payments, built on first use (the keys are read from SSM then). */
const checkoutDeps = /* @__PURE__ */ once(() => {
  const settings = stripeSettingsFromEnv();
  return {
    payments: paymentRecords(),
    gateway: stripeGateway(stripeFromParameters(ssmClient, settings)),
    clock: systemClock,
    feeBasisPoints: settings.feeBasisPoints,
    ...(settings.publishableKey ? { publishableKey: settings.publishableKey } : {}),
  };
});

export const bookDeps = (): BookDeps => ({ ...bookingDeps(), checkout: stripeCheckout(checkoutDeps) });

export const paymentDeps = (): PaymentDeps => ({
  ...checkoutDeps(),
  store: appointments(),
  events: events(),
});
