import { StripeEventReceived } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { paymentDeps } from '../composition-payments.ts';
import { processStripeEvent } from '../payments.ts';

const deps = paymentDeps();

export const handler = eventHandler(StripeEventReceived, async (data) => {
  const outcome = await processStripeEvent(deps, data);
  logger.info('Stripe event processed', { stripeEventId: data.stripeEventId, type: data.type, outcome });
});
