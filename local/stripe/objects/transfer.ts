/**
 * The Connect money objects of a destination charge: the `transfer` to the connected account, the
 * platform's `application_fee`, their `transfer_reversal`s and `fee_refund`s, and `balance`.
 * Shaped like Stripe's published fixtures.
 */
import type Stripe from 'stripe';
import { newId, toEpochSeconds } from '../ids.ts';

/** The platform's own Connect application, which collects every application fee. */
export const PLATFORM_APPLICATION = 'ca_EmulatorPlatform0000000000000';

export function newTransfer(charge: Stripe.Charge, destination: string, amount: number, at: Date): Stripe.Transfer {
  const id = newId('tr');
  return {
    id,
    object: 'transfer',
    amount,
    amount_reversed: 0,
    balance_transaction: newId('txn'),
    created: toEpochSeconds(at),
    currency: charge.currency,
    description: null,
    destination,
    destination_payment: newId('py'),
    livemode: false,
    metadata: {},
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: charge.id,
    source_type: 'card',
    transfer_group: charge.transfer_group,
  };
}

export function newTransferReversal(
  transfer: Stripe.Transfer,
  amount: number,
  refund: string,
  at: Date,
): Stripe.TransferReversal {
  return {
    id: newId('trr'),
    object: 'transfer_reversal',
    amount,
    balance_transaction: newId('txn'),
    created: toEpochSeconds(at),
    currency: transfer.currency,
    destination_payment_refund: newId('pyr'),
    metadata: {},
    source_refund: refund,
    transfer: transfer.id,
  };
}

export function newApplicationFee(charge: Stripe.Charge, account: string, amount: number, at: Date) {
  const id = newId('fee');
  const fee: Stripe.ApplicationFee = {
    id,
    object: 'application_fee',
    account,
    amount,
    amount_refunded: 0,
    application: PLATFORM_APPLICATION,
    balance_transaction: newId('txn'),
    charge: charge.id,
    created: toEpochSeconds(at),
    currency: charge.currency,
    fee_source: { charge: charge.id, type: 'charge' },
    livemode: false,
    originating_transaction: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/application_fees/${id}/refunds` },
  };
  return fee;
}

export function newFeeRefund(fee: Stripe.ApplicationFee, amount: number, at: Date): Stripe.FeeRefund {
  return {
    id: newId('fr'),
    object: 'fee_refund',
    amount,
    balance_transaction: newId('txn'),
    created: toEpochSeconds(at),
    currency: fee.currency,
    fee: fee.id,
    metadata: {},
  };
}

/**
 * A `balance` with everything `available`: the emulator keeps one bucket per currency (no
 * pending period, no payouts, no Stripe processing fees), so `pending` is always zero.
 */
export function balanceObject(amounts: Readonly<Record<string, number>>): Stripe.Balance {
  const currencies = Object.keys(amounts).length > 0 ? Object.keys(amounts) : ['eur'];
  return {
    object: 'balance',
    available: currencies.map((currency) => ({
      amount: amounts[currency] ?? 0,
      currency,
      source_types: { card: amounts[currency] ?? 0 },
    })),
    connect_reserved: currencies.map((currency) => ({ amount: 0, currency })),
    livemode: false,
    pending: currencies.map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
  };
}
