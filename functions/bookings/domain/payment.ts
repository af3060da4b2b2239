/**
 * What a booking costs online, and what a cancellation gives back. Pure: no AWS, no Stripe, no I/O.
 * Money is integer euro cents.
 *
 * Each service says how it is paid (`shared/offer/offer.ts`): on site (nothing online), in full
 * at booking, or a deposit (a percentage of the price) at booking. A booking to be paid online
 * holds its slot, `requested`, for `paymentHoldMinutes`; the payment's success confirms it, its
 * failure or the end of the hold releases the slot.
 */
import type { ServicePayment } from '#shared/offer/offer.ts';
import type { Cancellation } from './appointment.ts';

/** How long an unpaid booking holds its slot: long enough to type a card and pass 3-D Secure. */
export const paymentHoldMinutes = 15;

/** What the client pays online at booking, in cents; 0 when the service is paid on site. */
export function amountDueAtBooking(priceCents: number, payment: ServicePayment): number {
  switch (payment.mode) {
    case 'on-site':
      return 0;
    case 'full':
      return priceCents;
    case 'deposit':
      return Math.round((priceCents * payment.depositPercent) / 100);
  }
}

/** The platform's application fee on an online payment, in cents (rounded down: never above the rate). */
export function applicationFee(amountCents: number, feeBasisPoints: number): number {
  return Math.floor((amountCents * feeBasisPoints) / 10_000);
}

/**
 * What goes back to the client when a paid appointment is cancelled: everything, unless the client
 * cancelled late; then the practitioner keeps the policy's fee, a share of the service's price,
 * out of what was paid (a deposit smaller than the fee is kept whole).
 */
export function refundOnCancellation(
  paidCents: number,
  priceCents: number,
  cancellation: Pick<Cancellation, 'late' | 'feePercent'>,
): number {
  if (!cancellation.late) return paidCents;
  const fee = Math.round((priceCents * cancellation.feePercent) / 100);
  return Math.max(0, paidCents - fee);
}
