/** A new `payment_intent`, shaped like Stripe's published fixture for API 2026-10-28. */
import type Stripe from 'stripe';
import { clientSecretFor, newId, toEpochSeconds } from '../ids.ts';

export interface PaymentIntentInput {
  readonly amount: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly description: string | null;
  readonly metadata: Stripe.Metadata;
  readonly applicationFeeAmount: number | null;
  readonly transferData: { destination: string; amount?: number } | null;
  readonly transferGroup: string | null;
  readonly onBehalfOf: string | null;
  readonly captureMethod: 'automatic' | 'automatic_async' | 'manual';
  /** Explicit `payment_method_types`; when absent, automatic payment methods are on (API default since 2023-08-16). */
  readonly paymentMethodTypes: string[] | null;
  readonly automaticPaymentMethods: Stripe.PaymentIntent.AutomaticPaymentMethods | null;
  readonly receiptEmail: string | null;
  readonly statementDescriptorSuffix: string | null;
  readonly created: Date;
}

export function newPaymentIntent(input: PaymentIntentInput): Stripe.PaymentIntent {
  const id = newId('pi');
  const automatic = input.paymentMethodTypes ? null : (input.automaticPaymentMethods ?? { enabled: true });
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: input.applicationFeeAmount,
    automatic_payment_methods: automatic,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: input.captureMethod,
    client_secret: clientSecretFor(id),
    confirmation_method: 'automatic',
    created: toEpochSeconds(input.created),
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: input.onBehalfOf,
    payment_method: null,
    payment_method_configuration_details: automatic ? { id: newId('pmc'), parent: null } : null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: input.paymentMethodTypes ?? ['card'],
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: input.statementDescriptorSuffix,
    status: 'requires_payment_method',
    transfer_data: input.transferData,
    transfer_group: input.transferGroup,
  };
}
