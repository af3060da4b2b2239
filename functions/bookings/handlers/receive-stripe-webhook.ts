/**
 * POST /webhooks/stripe: the signature is verified on the raw body before anything else; a new
 * event is noted (its id, type and object id) and handed over as StripeEventReceived; the answer
 * comes at once, the work is done by processStripeEvent.
 */
import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { paymentDeps } from '../composition-payments.ts';
import { receiveStripeWebhook as operation } from '../contract.ts';
import { receiveStripeWebhook } from '../payments.ts';

const deps = paymentDeps();

export const handler = publicHttpHandler(operation, async ({ rawBody, headers }) => {
  return { status: 200, body: await receiveStripeWebhook(deps, rawBody ?? '', headers['stripe-signature']) };
});
