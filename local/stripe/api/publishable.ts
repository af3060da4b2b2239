/**
 * What a front end may do with the publishable key (`pk_test_…`), in Stripe.js's own request
 * shapes: retrieve a PaymentIntent and confirm it, each time proving it holds that intent's client
 * secret (https://docs.stripe.com/js/payment_intents/retrieve_payment_intent,
 * https://docs.stripe.com/js/payment_intents/confirm_card_payment). Stripe.js sends the key as
 * the `key` parameter (a Bearer header is accepted too) and a few telemetry parameters, which are
 * accepted and ignored. Everything else is refused, as Stripe refuses it.
 */
import type Stripe from 'stripe';
import type { Emulation } from '../context.ts';
import { invalidRequest, StripeApiError } from '../errors.ts';
import { type FormObject, readParams } from '../form.ts';
import { confirmPaymentIntent } from '../operations/payment-intents.ts';
import { find } from '../store.ts';

/** What Stripe.js adds to its calls besides the API's own parameters. */
const STRIPE_JS_PARAMS = [
  'client_secret',
  'expand',
  'expected_payment_method_type',
  'use_stripe_sdk',
  'is_stripe_sdk',
  'payment_user_agent',
  'muid',
  'guid',
  'sid',
  'time_on_page',
  'referrer',
  'client_attribution_metadata',
  '_stripe_version',
];

/** The fields of a PaymentIntent a publishable key sees (Stripe.js's `PaymentIntent` type): no metadata, fee or destination. */
const CLIENT_FIELDS = [
  'id',
  'object',
  'amount',
  'automatic_payment_methods',
  'canceled_at',
  'cancellation_reason',
  'capture_method',
  'client_secret',
  'confirmation_method',
  'created',
  'currency',
  'description',
  'last_payment_error',
  'livemode',
  'next_action',
  'payment_method',
  'payment_method_types',
  'processing',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'status',
] as const satisfies readonly (keyof Stripe.PaymentIntent)[];

export type ClientPaymentIntent = Pick<Stripe.PaymentIntent, (typeof CLIENT_FIELDS)[number]>;

export function clientView(pi: Stripe.PaymentIntent): ClientPaymentIntent {
  return Object.fromEntries(CLIENT_FIELDS.map((field) => [field, structuredClone(pi[field])])) as ClientPaymentIntent;
}

/** Stripe's answer to a publishable key on an endpoint that needs the secret key. */
export function secretKeyRequired(): StripeApiError {
  return new StripeApiError(403, {
    type: 'invalid_request_error',
    code: 'secret_key_required',
    message:
      'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
  });
}

/** The intent named in the path, if the client secret is its own. */
function intentFor(em: Emulation, id: string, form: FormObject): Stripe.PaymentIntent {
  const secret = form.client_secret;
  if (typeof secret !== 'string' || secret === '') {
    throw invalidRequest('Missing required param: client_secret.', 'client_secret', 'parameter_missing');
  }
  const pi = find(em.store.paymentIntents, id, 'payment_intent');
  if (pi.client_secret !== secret) {
    throw invalidRequest(
      'The client_secret provided does not match the client_secret associated with the PaymentIntent.',
      'client_secret',
      'payment_intent_invalid_parameter',
    );
  }
  return pi;
}

export interface PublishableCall {
  readonly method: string;
  /** The matched route's path pattern. */
  readonly route: string;
  readonly id: string;
  readonly form: FormObject;
}

export function handlePublishable(em: Emulation, call: PublishableCall): ClientPaymentIntent {
  if (call.method === 'GET' && call.route === '/v1/payment_intents/:id') {
    const pi = intentFor(em, call.id, call.form);
    readParams(call.form, STRIPE_JS_PARAMS);
    return clientView(pi);
  }
  if (call.method === 'POST' && call.route === '/v1/payment_intents/:id/confirm') {
    const pi = intentFor(em, call.id, call.form);
    if (call.form.payment_method_data !== undefined) {
      // Card details go from Stripe's own fields to Stripe, never here: name a test PaymentMethod.
      throw invalidRequest(
        'Sending credit card numbers directly to the Stripe API is generally unsafe. The Stripe emulator takes test PaymentMethods only (payment_method=pm_card_visa...), see https://docs.stripe.com/testing.',
        'payment_method_data',
      );
    }
    const p = readParams(call.form, ['payment_method', 'return_url', ...STRIPE_JS_PARAMS]);
    try {
      const confirmed = confirmPaymentIntent(em, pi.id, {
        paymentMethod: p.string('payment_method') ?? null,
        throwOnDecline: true,
        returnUrl: p.string('return_url') ?? null,
        useStripeSdk: p.boolean('use_stripe_sdk') ?? false,
      });
      return clientView(confirmed);
    } catch (error) {
      // The decline's error carries the intent: the client's view of it, not the server's.
      if (error instanceof StripeApiError && error.error.payment_intent) {
        throw new StripeApiError(error.status, {
          ...error.error,
          payment_intent: clientView(error.error.payment_intent) as Stripe.PaymentIntent,
        });
      }
      throw error;
    }
  }
  throw secretKeyRequired();
}
