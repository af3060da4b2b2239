/**
 * `/v1/refunds`: create (whole or partial), retrieve, update metadata, list; and the dashboard's
 * `POST /v1/charges/:id/refunds`, the same refund named by its charge.
 */

import type { Emulation } from '../context.ts';
import { type FormObject, readParams } from '../form.ts';
import { createRefund, updateRefund } from '../operations/refunds.ts';
import { find } from '../store.ts';
import { LIST_PARAMS, listOf, newestFirst } from './list.ts';
import type { Route } from './route.ts';

const CREATE_PARAMS = [
  'payment_intent',
  'charge',
  'amount',
  'reason',
  'metadata',
  'reverse_transfer',
  'refund_application_fee',
];

function create(form: FormObject, em: Emulation, chargeInPath?: string) {
  const p = readParams(form, CREATE_PARAMS);
  return createRefund(em, {
    paymentIntent: p.string('payment_intent') ?? null,
    charge: chargeInPath ?? p.string('charge') ?? null,
    amount: p.integer('amount', { min: 1 }) ?? null,
    reason: p.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
    metadata: p.metadata() ?? {},
    reverseTransfer: p.boolean('reverse_transfer') ?? false,
    refundApplicationFee: p.boolean('refund_application_fee') ?? false,
  });
}

export const refundRoutes: readonly Route[] = [
  { method: 'POST', path: '/v1/refunds', handle: ({ form, em }) => create(form, em) },
  {
    method: 'POST',
    path: '/v1/charges/:id/refunds',
    handle: ({ form, path, em }) => {
      find(em.store.charges, path.id!, 'charge');
      return create(form, em, path.id!);
    },
  },
  {
    method: 'GET',
    path: '/v1/refunds/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.refunds, path.id!, 'refund');
    },
  },
  {
    method: 'POST',
    path: '/v1/refunds/:id',
    handle: ({ form, path, em }) => updateRefund(em, path.id!, readParams(form, ['metadata']).metadata()),
  },
  {
    method: 'GET',
    path: '/v1/refunds',
    handle: ({ form, em }) => {
      const p = readParams(form, [...LIST_PARAMS, 'payment_intent', 'charge']);
      const paymentIntent = p.string('payment_intent');
      const charge = p.string('charge');
      const all = newestFirst(em.store.refunds).filter(
        (refund) =>
          (!paymentIntent || refund.payment_intent === paymentIntent) && (!charge || refund.charge === charge),
      );
      return listOf(all, p, '/v1/refunds');
    },
  },
];
