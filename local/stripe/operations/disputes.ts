/** Chargebacks: the card holder disputes a charge; later the bank decides (won or lost). */
import type Stripe from 'stripe';
import type { Emulation } from '../context.ts';
import { refused } from '../errors.ts';
import { type DisputeReason, newDispute } from '../objects/dispute.ts';
import { chargeOf, find, patch } from '../store.ts';

export function openDispute(
  em: Emulation,
  charge: Stripe.Charge,
  options: { reason: DisputeReason; amount: number | null },
): Stripe.Dispute {
  if (charge.status !== 'succeeded' || !charge.paid) {
    throw refused(`Charge ${charge.id} did not succeed and cannot be disputed.`, 'charge_not_refundable');
  }
  if (charge.disputed) throw refused(`Charge ${charge.id} has already been disputed.`, 'charge_disputed');
  const dispute = newDispute({
    charge,
    amount: options.amount ?? charge.amount,
    reason: options.reason,
    created: em.now(),
  });
  em.store.disputes.set(dispute.id, dispute);
  patch(charge, { disputed: true });
  em.emit('charge.dispute.created', dispute);
  return dispute;
}

export function disputePaymentIntent(
  em: Emulation,
  paymentIntentId: string,
  options: { reason: DisputeReason; amount: number | null },
): Stripe.Dispute {
  const pi = find(em.store.paymentIntents, paymentIntentId, 'payment_intent');
  const charge = chargeOf(em.store, pi);
  if (!charge) throw refused(`PaymentIntent ${pi.id} has no charge to dispute.`, 'payment_intent_unexpected_state');
  return openDispute(em, charge, options);
}

const OPEN: readonly string[] = ['needs_response', 'under_review', 'warning_needs_response', 'warning_under_review'];

export function closeDispute(em: Emulation, id: string, outcome: 'won' | 'lost'): Stripe.Dispute {
  const dispute = find(em.store.disputes, id, 'dispute');
  if (!OPEN.includes(dispute.status))
    throw refused(`Dispute ${id} is already closed (${dispute.status}).`, 'intent_invalid_state');
  const before = structuredClone(dispute);
  patch(dispute, { status: outcome });
  em.emit('charge.dispute.closed', dispute, { before });
  return dispute;
}
