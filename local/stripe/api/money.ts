/**
 * `/v1/balance` (the platform's, or a connected account's with `Stripe-Account`), and the Connect
 * money objects of destination charges: transfers with their reversals, application fees with
 * their refunds. Read-only: they are made by charges and refunds (operations/money.ts).
 */
import type Stripe from 'stripe';
import { resourceMissing, StripeApiError } from '../errors.ts';
import { readParams } from '../form.ts';
import { balanceObject } from '../objects/transfer.ts';
import { find, PLATFORM } from '../store.ts';
import { LIST_PARAMS, listOf, newestFirst } from './list.ts';
import type { Route } from './route.ts';

function reversalOf(transfer: Stripe.Transfer, id: string): Stripe.TransferReversal {
  const reversal = transfer.reversals.data.find((item) => item.id === id);
  if (!reversal) throw resourceMissing('transfer_reversal', id);
  return reversal;
}

export const moneyRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/balance',
    handle: ({ form, em, account }) => {
      readParams(form, []);
      if (account && !em.store.accounts.has(account)) {
        // Stripe's answer to a Stripe-Account the platform has no access to.
        throw new StripeApiError(403, {
          type: 'invalid_request_error',
          code: 'account_invalid',
          message: `The provided key does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
        });
      }
      return balanceObject(em.store.balances.get(account ?? PLATFORM) ?? {});
    },
  },
  {
    method: 'GET',
    path: '/v1/transfers/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.transfers, path.id!, 'transfer');
    },
  },
  {
    method: 'GET',
    path: '/v1/transfers',
    handle: ({ form, em }) => {
      const p = readParams(form, [...LIST_PARAMS, 'destination', 'transfer_group']);
      const destination = p.string('destination');
      const group = p.string('transfer_group');
      const all = newestFirst(em.store.transfers).filter(
        (transfer) =>
          (!destination || transfer.destination === destination) && (!group || transfer.transfer_group === group),
      );
      return listOf(all, p, '/v1/transfers');
    },
  },
  {
    method: 'GET',
    path: '/v1/transfers/:id/reversals',
    handle: ({ form, path, em }) => {
      const p = readParams(form, LIST_PARAMS);
      const transfer = find(em.store.transfers, path.id!, 'transfer');
      return listOf(transfer.reversals.data, p, transfer.reversals.url);
    },
  },
  {
    method: 'GET',
    path: '/v1/transfers/:id/reversals/:reversal',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return reversalOf(find(em.store.transfers, path.id!, 'transfer'), path.reversal!);
    },
  },
  {
    method: 'GET',
    path: '/v1/application_fees/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.applicationFees, path.id!, 'application_fee');
    },
  },
  {
    method: 'GET',
    path: '/v1/application_fees/:id/refunds',
    handle: ({ form, path, em }) => {
      const p = readParams(form, LIST_PARAMS);
      const fee = find(em.store.applicationFees, path.id!, 'application_fee');
      return listOf(fee.refunds.data, p, fee.refunds.url);
    },
  },
];
