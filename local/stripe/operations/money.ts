/**
 * Where the money goes, as Stripe moves it for destination charges
 * (https://docs.stripe.com/connect/destination-charges):
 *
 * - A captured charge credits the platform with its amount. With `transfer_data.destination` it
 *   transfers to the connected account `transfer_data.amount`, or else the whole captured amount;
 *   `application_fee_amount` is then collected from the connected account back to the platform
 *   as an ApplicationFee. The connected account nets amount − fee, the platform the fee.
 * - A refund debits the platform. `reverse_transfer` reverses the transfer in proportion to the
 *   refund (transfer amount × refund / captured amount, rounded; all that is left on a refund of
 *   the whole charge), from the connected account back to the platform. `refund_application_fee`
 *   refunds the fee in the same proportion, from the platform to the connected account. Without
 *   them the platform alone pays the refund.
 * - A refund that fails gives its amount back to the platform (the reversals stay).
 *
 * Balances are one bucket per account and currency (see balanceObject); Stripe's own processing
 * fees, pending periods, payouts and disputes' debits are not modelled.
 */
import type Stripe from 'stripe';
import type { Emulation } from '../context.ts';
import { newApplicationFee, newFeeRefund, newTransfer, newTransferReversal } from '../objects/transfer.ts';
import { PLATFORM, patch, type Store } from '../store.ts';

export function credit(store: Store, account: string, currency: string, amount: number): void {
  const balance = store.balances.get(account) ?? {};
  balance[currency] = (balance[currency] ?? 0) + amount;
  store.balances.set(account, balance);
}

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : (value?.id ?? null);

/** The money movements of a charge once captured: the platform is paid, then the transfer and the fee. */
export function settleCapturedCharge(em: Emulation, charge: Stripe.Charge): void {
  const { store } = em;
  const captured = charge.amount_captured;
  credit(store, PLATFORM, charge.currency, captured);
  const destination = idOf(charge.transfer_data?.destination);
  if (!destination) return;
  const transferAmount = Math.min(charge.transfer_data?.amount ?? captured, captured);
  const transfer = newTransfer(charge, destination, transferAmount, em.now());
  store.transfers.set(transfer.id, transfer);
  credit(store, PLATFORM, charge.currency, -transferAmount);
  credit(store, destination, charge.currency, transferAmount);
  patch(charge, { transfer: transfer.id });
  em.emit('transfer.created', transfer);

  const feeAmount = charge.application_fee_amount;
  if (feeAmount === null || feeAmount === undefined) return;
  const fee = newApplicationFee(charge, destination, Math.min(feeAmount, captured), em.now());
  store.applicationFees.set(fee.id, fee);
  credit(store, destination, charge.currency, -fee.amount);
  credit(store, PLATFORM, charge.currency, fee.amount);
  patch(charge, { application_fee: fee.id });
  em.emit('application_fee.created', fee);
}

/**
 * `total × refund / captured`, rounded, never beyond what remains. A refund of the whole charge
 * takes all that remains, and so does the refund that completes the charge when only a rounding
 * cent is left, so that proportional partial refunds add up to the whole.
 */
function proportion(total: number, remaining: number, refund: number, charge: Stripe.Charge): number {
  if (refund === charge.amount_captured) return remaining;
  const share = Math.min(remaining, Math.round((total * refund) / charge.amount_captured));
  const completes = charge.amount_refunded >= charge.amount_captured;
  return completes && remaining - share <= 1 ? remaining : share;
}

export interface RefundMoneyOptions {
  readonly reverseTransfer: boolean;
  readonly refundApplicationFee: boolean;
}

/** Moves a new refund's money (the charge already counts it as refunded); returns the transfer reversal made, if any. */
export function moveRefundMoney(
  em: Emulation,
  charge: Stripe.Charge,
  refund: Stripe.Refund,
  options: RefundMoneyOptions,
): Stripe.TransferReversal | null {
  const { store } = em;
  credit(store, PLATFORM, charge.currency, -refund.amount);
  let reversal: Stripe.TransferReversal | null = null;

  const transfer = idOf(charge.transfer) ? store.transfers.get(idOf(charge.transfer)!) : undefined;
  if (options.reverseTransfer && transfer) {
    const remaining = transfer.amount - transfer.amount_reversed;
    const amount = proportion(transfer.amount, remaining, refund.amount, charge);
    if (amount > 0) {
      const before = structuredClone(transfer);
      reversal = newTransferReversal(transfer, amount, refund.id, em.now());
      transfer.reversals.data.unshift(reversal);
      const reversed = transfer.amount_reversed + amount;
      patch(transfer, { amount_reversed: reversed, reversed: reversed === transfer.amount });
      const destination = idOf(transfer.destination)!;
      credit(store, destination, transfer.currency, -amount);
      credit(store, PLATFORM, transfer.currency, amount);
      em.emit('transfer.reversed', transfer, { before });
    }
  }

  const fee = idOf(charge.application_fee) ? store.applicationFees.get(idOf(charge.application_fee)!) : undefined;
  if (options.refundApplicationFee && fee) {
    const remaining = fee.amount - fee.amount_refunded;
    const amount = proportion(fee.amount, remaining, refund.amount, charge);
    if (amount > 0) {
      const before = structuredClone(fee);
      fee.refunds.data.unshift(newFeeRefund(fee, amount, em.now()));
      const refunded = fee.amount_refunded + amount;
      patch(fee, { amount_refunded: refunded, refunded: refunded === fee.amount });
      credit(store, PLATFORM, fee.currency, -amount);
      credit(store, idOf(fee.account)!, fee.currency, amount);
      em.emit('application_fee.refunded', fee, { before });
    }
  }
  return reversal;
}
