/**
 * Refunds of captured charges, whole or partial, up to what is left unrefunded. Every refund,
 * whoever asks for it (our backend, the dashboard, a script with the secret key), goes through
 * createRefund and emits the same events: `refund.created` then `charge.refunded`, plus
 * `transfer.reversed` / `application_fee.refunded` when it reverses money (operations/money.ts).
 */
import type Stripe from 'stripe';
import type { Emulation } from '../context.ts';
import { invalidRequest, refused } from '../errors.ts';
import { newId } from '../ids.ts';
import { formatAmount } from '../money.ts';
import { newRefund } from '../objects/refund.ts';
import { chargeOf, find, PLATFORM, patch } from '../store.ts';
import { credit, moveRefundMoney } from './money.ts';

export interface CreateRefundInput {
  readonly paymentIntent: string | null;
  readonly charge: string | null;
  readonly amount: number | null;
  readonly reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  readonly metadata: Stripe.Metadata;
  readonly reverseTransfer: boolean;
  readonly refundApplicationFee: boolean;
}

function refundableCharge(em: Emulation, input: CreateRefundInput): Stripe.Charge {
  if (input.paymentIntent) {
    const pi = find(em.store.paymentIntents, input.paymentIntent, 'payment_intent', 'payment_intent');
    const charge = chargeOf(em.store, pi);
    if (pi.status !== 'succeeded' || !charge) {
      const hint =
        pi.status === 'requires_capture' ? ' Cancel the PaymentIntent to release an uncaptured payment.' : '';
      throw refused(
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.${hint}`,
        'payment_intent_unexpected_state',
        'payment_intent',
      );
    }
    if (input.charge && input.charge !== charge.id)
      throw invalidRequest(`Charge ${input.charge} does not belong to PaymentIntent ${pi.id}.`, 'charge');
    return charge;
  }
  if (input.charge) return find(em.store.charges, input.charge, 'charge', 'charge');
  throw invalidRequest(
    'One of the following params should be provided for this request: payment_intent or charge.',
    'payment_intent',
    'parameter_missing',
  );
}

export function createRefund(em: Emulation, input: CreateRefundInput): Stripe.Refund {
  const charge = refundableCharge(em, input);
  if (charge.disputed)
    throw refused(`Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge_disputed');
  if (!charge.captured)
    throw refused(`Charge ${charge.id} is not captured; cancel its PaymentIntent instead.`, 'charge_not_refundable');
  const refundable = charge.amount_captured - charge.amount_refunded;
  if (refundable <= 0) throw refused(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
  const amount = input.amount ?? refundable;
  if (amount > refundable) {
    throw refused(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(refundable, charge.currency)})`,
      'amount_too_large',
      'amount',
    );
  }
  if (input.reverseTransfer && !charge.transfer_data) {
    throw invalidRequest('You can only reverse the transfer of a destination charge.', 'reverse_transfer');
  }
  const refund = newRefund({ ...input, charge, amount, created: em.now() });
  em.store.refunds.set(refund.id, refund);
  const before = structuredClone(charge);
  const refunded = charge.amount_refunded + amount;
  patch(charge, { amount_refunded: refunded, refunded: refunded === charge.amount_captured });
  charge.refunds?.data.unshift(refund);
  em.emit('refund.created', refund);
  em.emit('charge.refunded', charge, { before });
  const reversal = moveRefundMoney(em, charge, refund, input);
  if (reversal) patch(refund, { transfer_reversal: reversal.id });
  return refund;
}

export function updateRefund(em: Emulation, id: string, metadata: Stripe.Metadata | undefined): Stripe.Refund {
  const refund = find(em.store.refunds, id, 'refund');
  if (metadata === undefined) return refund;
  const before = structuredClone(refund);
  patch(refund, { metadata: Object.keys(metadata).length ? { ...refund.metadata, ...metadata } : {} });
  em.emit('refund.updated', refund, { before });
  return refund;
}

/** The card issuer could not credit the card (closed account...): the money returns to the platform. */
export function failRefund(em: Emulation, id: string): Stripe.Refund {
  const refund = find(em.store.refunds, id, 'refund');
  if (refund.status !== 'succeeded' && refund.status !== 'pending') {
    throw refused(`Refund ${id} has a status of ${refund.status} and cannot fail.`, 'intent_invalid_state');
  }
  const before = structuredClone(refund);
  patch(refund, {
    status: 'failed',
    failure_reason: 'expired_or_canceled_card',
    failure_balance_transaction: newId('txn'),
  });
  const charge = typeof refund.charge === 'string' ? em.store.charges.get(refund.charge) : undefined;
  if (charge) {
    patch(charge, { amount_refunded: charge.amount_refunded - refund.amount, refunded: false });
    credit(em.store, PLATFORM, refund.currency, refund.amount);
  }
  em.emit('refund.updated', refund, { before });
  em.emit('refund.failed', refund);
  em.emit('charge.refund.updated', refund, { before });
  return refund;
}
