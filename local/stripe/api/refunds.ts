/** `/v1/refunds`: create (whole or partial), retrieve, update metadata, list. */
import { readParams } from '../form.ts';
import { createRefund, updateRefund } from '../operations/refunds.ts';
import { find } from '../store.ts';
import { LIST_PARAMS, listOf, newestFirst } from './list.ts';
import type { Route } from './route.ts';

export const refundRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/refunds',
    handle: ({ form, em }) => {
      const p = readParams(form, [
        'payment_intent',
        'charge',
        'amount',
        'reason',
        'metadata',
        'reverse_transfer',
        'refund_application_fee',
      ]);
      // refund_application_fee is accepted and has no visible effect: application fees are not emulated.
      p.boolean('refund_application_fee');
      return createRefund(em, {
        paymentIntent: p.string('payment_intent') ?? null,
        charge: p.string('charge') ?? null,
        amount: p.integer('amount', { min: 1 }) ?? null,
        reason: p.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
        metadata: p.metadata() ?? {},
        reverseTransfer: p.boolean('reverse_transfer') ?? false,
      });
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
