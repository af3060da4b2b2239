/** A `dispute` (chargeback) the card holder opened on a charge. */
import type Stripe from 'stripe';
import { newId, toEpochSeconds } from '../ids.ts';

export type DisputeReason =
  | 'fraudulent'
  | 'duplicate'
  | 'product_not_received'
  | 'product_unacceptable'
  | 'subscription_canceled'
  | 'credit_not_processed'
  | 'general'
  | 'unrecognized';

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const satisfies readonly (keyof Stripe.Dispute.Evidence)[];

type EmptyEvidence = Record<(typeof EVIDENCE_FIELDS)[number], null>;

export interface DisputeInput {
  readonly charge: Stripe.Charge;
  readonly amount: number;
  readonly reason: DisputeReason;
  readonly created: Date;
}

const DAY = 24 * 60 * 60;

export function newDispute(input: DisputeInput): Stripe.Dispute {
  const { charge } = input;
  const evidence = Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, null])) as EmptyEvidence;
  const card = charge.payment_method_details?.card;
  const created = toEpochSeconds(input.created);
  return {
    id: newId('dp'),
    object: 'dispute',
    amount: input.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...evidence, enhanced_evidence: {} },
    evidence_details: {
      due_by: created + 7 * DAY,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
    payment_method_details: {
      card: {
        brand: card?.brand ?? 'visa',
        case_type: 'chargeback',
        network: card?.network ?? 'visa',
        network_reason_code: null,
      },
      type: 'card',
    },
    reason: input.reason,
    status: 'needs_response',
  };
}
