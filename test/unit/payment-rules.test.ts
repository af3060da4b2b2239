/**
 * The payment rules (functions/bookings/domain/payment.ts), pure: what is paid online at booking
 * (on site, in full, a deposit rounded to the cent), the platform's application fee in basis
 * points (rounded down, never above the rate), and what a cancellation gives back (everything in
 * time; late, what was paid minus the policy's share of the price, never below zero).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountDueAtBooking,
  applicationFee,
  paymentHoldMinutes,
  refundOnCancellation,
} from '#functions/bookings/domain/payment.ts';

const inTime = { late: false, feePercent: 0 };
const late = (feePercent: number) => ({ late: true, feePercent });

describe('amount due at booking', () => {
  it('nothing online for a service paid on site; the whole price for one paid in full', () => {
    expect(amountDueAtBooking(6000, { mode: 'on-site' })).toBe(0);
    expect(amountDueAtBooking(6000, { mode: 'full' })).toBe(6000);
    expect(amountDueAtBooking(0, { mode: 'full' })).toBe(0);
  });

  it('a deposit is its percentage of the price, rounded to the nearest cent', () => {
    expect(amountDueAtBooking(6000, { mode: 'deposit', depositPercent: 30 })).toBe(1800);
    // 4999 × 30 % = 1499.7 → 1500; 4999 × 10 % = 499.9 → 500; 4995 × 10 % = 499.5 → 500 (half up)
    expect(amountDueAtBooking(4999, { mode: 'deposit', depositPercent: 30 })).toBe(1500);
    expect(amountDueAtBooking(4999, { mode: 'deposit', depositPercent: 10 })).toBe(500);
    expect(amountDueAtBooking(4995, { mode: 'deposit', depositPercent: 10 })).toBe(500);
    // 1001 × 33 % = 330.33 → 330
    expect(amountDueAtBooking(1001, { mode: 'deposit', depositPercent: 33 })).toBe(330);
  });

  it('a deposit is a whole number of cents, between 0 and the price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 99 }), (price, percent) => {
        const due = amountDueAtBooking(price, { mode: 'deposit', depositPercent: percent });
        expect(Number.isInteger(due)).toBe(true);
        expect(due).toBeGreaterThanOrEqual(0);
        expect(due).toBeLessThanOrEqual(price);
        expect(Math.abs(due - (price * percent) / 100)).toBeLessThanOrEqual(0.5);
      }),
    );
  });

  it('an unpaid booking holds its slot 15 minutes', () => {
    expect(paymentHoldMinutes).toBe(15);
  });
});

describe('application fee', () => {
  it('is the rate in basis points of the amount, rounded down', () => {
    expect(applicationFee(6000, 1000)).toBe(600); // 10 %
    expect(applicationFee(6000, 0)).toBe(0);
    expect(applicationFee(1999, 1000)).toBe(199); // 199.9 → 199, not 200
    expect(applicationFee(333, 150)).toBe(4); // 4.995 → 4
    expect(applicationFee(1, 9999)).toBe(0); // 0.9999 → 0
  });

  it('is never above the rate, and less than a cent below it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const fee = applicationFee(amount, bp);
        expect(Number.isInteger(fee)).toBe(true);
        expect(fee * 10_000).toBeLessThanOrEqual(amount * bp);
        expect((fee + 1) * 10_000).toBeGreaterThan(amount * bp);
        expect(fee).toBeLessThanOrEqual(amount);
      }),
    );
  });
});

describe('refund on cancellation', () => {
  it('in time: everything paid goes back, deposit or full', () => {
    expect(refundOnCancellation(6000, 6000, inTime)).toBe(6000);
    expect(refundOnCancellation(1800, 6000, inTime)).toBe(1800);
  });

  it('an in-time cancellation ignores any fee it carries', () => {
    expect(refundOnCancellation(6000, 6000, { late: false, feePercent: 50 })).toBe(6000);
  });

  it('late, paid in full: the price minus the policy’s share of it', () => {
    expect(refundOnCancellation(6000, 6000, late(50))).toBe(3000);
    expect(refundOnCancellation(6000, 6000, late(100))).toBe(0);
    expect(refundOnCancellation(6000, 6000, late(0))).toBe(6000);
    // 4999 × 33 % = 1649.67 → the fee is 1650, the refund 3349
    expect(refundOnCancellation(4999, 4999, late(33))).toBe(3349);
  });

  it('late, with a deposit: the fee is a share of the price, taken out of the deposit', () => {
    // deposit 3000 of 6000, fee 25 % of the price = 1500 → 1500 back
    expect(refundOnCancellation(3000, 6000, late(25))).toBe(1500);
    // deposit 1800, fee 50 % of the price = 3000 > 1800 → the deposit is kept whole
    expect(refundOnCancellation(1800, 6000, late(50))).toBe(0);
    // fee exactly the deposit → nothing back
    expect(refundOnCancellation(1800, 6000, late(30))).toBe(0);
  });

  const cases = fc.record({
    price: fc.integer({ min: 0, max: 1_000_000 }),
    paidShare: fc.integer({ min: 0, max: 100 }),
    late: fc.boolean(),
    feePercent: fc.integer({ min: 0, max: 100 }),
  });
  const paidOf = (c: { price: number; paidShare: number }) => Math.round((c.price * c.paidShare) / 100);

  it('0 ≤ refund ≤ paid, a whole number of cents', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const paid = paidOf(c);
        const refund = refundOnCancellation(paid, c.price, { late: c.late, feePercent: c.feePercent });
        expect(Number.isInteger(refund)).toBe(true);
        expect(refund).toBeGreaterThanOrEqual(0);
        expect(refund).toBeLessThanOrEqual(paid);
      }),
    );
  });

  it('the practitioner keeps at most the policy’s share of the price (rounded), and all of it when paid covers it', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const paid = paidOf(c);
        const kept = paid - refundOnCancellation(paid, c.price, late(c.feePercent));
        const fee = Math.round((c.price * c.feePercent) / 100);
        expect(kept).toBe(Math.min(paid, fee));
      }),
    );
  });

  it('the refund never grows when the fee does, nor when cancelling late instead of in time', () => {
    fc.assert(
      fc.property(cases, fc.integer({ min: 0, max: 100 }), (c, otherFee) => {
        const paid = paidOf(c);
        const [low, high] = [Math.min(c.feePercent, otherFee), Math.max(c.feePercent, otherFee)];
        const withLow = refundOnCancellation(paid, c.price, late(low));
        const withHigh = refundOnCancellation(paid, c.price, late(high));
        expect(withHigh).toBeLessThanOrEqual(withLow);
        expect(withLow).toBeLessThanOrEqual(refundOnCancellation(paid, c.price, inTime));
      }),
    );
  });
});
