/** A `refund` of (part of) a captured card charge; test-mode card refunds succeed at once. */
import type Stripe from 'stripe';
import { newId, toEpochSeconds } from '../ids.ts';

export interface RefundInput {
  readonly charge: Stripe.Charge;
  readonly amount: number;
  readonly reason: Stripe.Refund.Reason | null;
  readonly metadata: Stripe.Metadata;
  readonly created: Date;
}

export function newRefund(input: RefundInput): Stripe.Refund {
  const { charge } = input;
  return {
    id: newId('re'),
    object: 'refund',
    amount: input.amount,
    balance_transaction: newId('txn'),
    charge: charge.id,
    created: toEpochSeconds(input.created),
    currency: charge.currency,
    customer: typeof charge.customer === 'string' ? charge.customer : null,
    customer_account: null,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: input.metadata,
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
    payment_method: charge.payment_method,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    // Set by the money movement when the refund reverses a transfer (operations/money.ts).
    transfer_reversal: null,
  };
}
