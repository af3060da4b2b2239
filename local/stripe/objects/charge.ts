/** The `charge` of one payment attempt of a PaymentIntent, approved or declined by the "bank". */
import type Stripe from 'stripe';
import { newId, toEpochSeconds } from '../ids.ts';
import type { TestCard } from '../test-cards.ts';

export interface ChargeInput {
  readonly paymentIntent: Stripe.PaymentIntent;
  readonly paymentMethod: string;
  readonly card: TestCard;
  /** Captured now (automatic capture) or only authorised (manual capture). */
  readonly capture: boolean;
  readonly created: Date;
}

const NO_ADDRESS: Stripe.Address = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

function cardDetails(card: TestCard, amount: number): Stripe.Charge.PaymentMethodDetails.Card {
  return {
    amount_authorized: card.decline ? null : amount,
    authorization_code: null,
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: card.decline ? null : 'pass' },
    country: card.country,
    electronic_commerce_indicator: null,
    exp_month: 12,
    exp_year: 2034,
    funding: card.funding,
    installments: null,
    last4: card.last4,
    mandate: null,
    network: card.brand,
    network_transaction_id: null,
    regulated_status: 'unregulated',
    three_d_secure: null,
    transaction_link_id: null,
    wallet: null,
  };
}

function outcomeOf(card: TestCard): Stripe.Charge.Outcome {
  if (card.blocked) {
    return {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'not_sent_to_network',
      reason: card.blocked,
      risk_level: 'highest',
      seller_message: 'Stripe blocked this payment as too risky.',
      type: 'blocked',
    };
  }
  if (card.decline) {
    return {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'declined_by_network',
      reason: card.decline.declineCode,
      risk_level: 'normal',
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    };
  }
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: null,
    network_status: 'approved_by_network',
    reason: null,
    risk_level: 'normal',
    seller_message: 'Payment complete.',
    type: 'authorized',
  };
}

export function newCharge(input: ChargeInput): Stripe.Charge {
  const { paymentIntent: pi, card } = input;
  const id = newId('ch');
  const approved = !card.decline;
  const destination = pi.transfer_data?.destination;
  const destinationId = typeof destination === 'string' ? destination : (destination?.id ?? null);
  return {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: approved && input.capture ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    // Set with the transfer once the charge is captured (operations/money.ts).
    application_fee: null,
    application_fee_amount: pi.application_fee_amount,
    balance_transaction: approved && input.capture ? newId('txn') : null,
    billing_details: { address: NO_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'MONPRODUBIENETRE',
    captured: approved && input.capture,
    created: toEpochSeconds(input.created),
    currency: pi.currency,
    customer: typeof pi.customer === 'string' ? pi.customer : null,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: card.decline?.code ?? null,
    failure_message: card.decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: typeof pi.on_behalf_of === 'string' ? pi.on_behalf_of : null,
    outcome: outcomeOf(card),
    paid: approved,
    payment_intent: pi.id,
    payment_method: input.paymentMethod,
    payment_method_details: { card: cardDetails(card, pi.amount), type: 'card' },
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: approved ? 'succeeded' : 'failed',
    transfer_data: destinationId ? { amount: pi.transfer_data?.amount ?? null, destination: destinationId } : null,
    transfer_group: destinationId ? `group_${pi.id}` : pi.transfer_group,
  };
}
