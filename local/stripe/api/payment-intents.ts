/** `/v1/payment_intents`: create, retrieve, list, confirm (test tokens only), capture, cancel. */
import { invalidRequest } from '../errors.ts';
import { type ParamReader, readParams, required } from '../form.ts';
import { CURRENCIES, formatAmount, MAXIMUM_AMOUNT, minimumAmount } from '../money.ts';
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
} from '../operations/payment-intents.ts';
import { find } from '../store.ts';
import { LIST_PARAMS, listOf, newestFirst } from './list.ts';
import type { ApiRequest, Route } from './route.ts';

const CREATE_PARAMS = [
  'amount',
  'currency',
  'customer',
  'description',
  'metadata',
  'application_fee_amount',
  'transfer_data',
  'transfer_group',
  'on_behalf_of',
  'capture_method',
  'payment_method_types',
  'automatic_payment_methods',
  'receipt_email',
  'statement_descriptor_suffix',
  'payment_method',
  'confirm',
  // Where a 3-D Secure redirect returns to, with confirm=true.
  'return_url',
];

function amountOf(p: ParamReader, currency: string): number {
  const amount = required(p.integer('amount'), 'amount');
  if (amount < minimumAmount(currency)) {
    throw invalidRequest(
      `Amount must be at least ${formatAmount(minimumAmount(currency), currency)} ${currency}`,
      'amount',
      'amount_too_small',
    );
  }
  if (amount > MAXIMUM_AMOUNT) {
    throw invalidRequest(
      `Amount must be no more than ${formatAmount(MAXIMUM_AMOUNT, currency)}`,
      'amount',
      'amount_too_large',
    );
  }
  return amount;
}

function paymentMethodTypesOf(p: ParamReader): string[] | null {
  const types = p.strings('payment_method_types');
  if (!types) return null;
  if (p.has('automatic_payment_methods')) {
    throw invalidRequest(
      'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
      'payment_method_types',
      'parameters_exclusive',
    );
  }
  const unsupported = types.find((type) => type !== 'card');
  if (unsupported)
    throw invalidRequest(
      `The payment method type "${unsupported}" is not emulated: only "card" is.`,
      'payment_method_types',
    );
  return types;
}

function create({ form, em }: ApiRequest) {
  const p = readParams(form, CREATE_PARAMS);
  const currency = required(p.string('currency'), 'currency').toLowerCase();
  if (!CURRENCIES.includes(currency)) {
    throw invalidRequest(
      `Invalid currency: ${currency}. The Stripe emulator supports: ${CURRENCIES.join(', ')}.`,
      'currency',
    );
  }
  const transfer = p.nested('transfer_data', ['destination', 'amount']);
  const automatic = p.nested('automatic_payment_methods', ['enabled', 'allow_redirects']);
  const transferAmount = transfer?.integer('amount', { min: 0 });
  return createPaymentIntent(em, {
    amount: amountOf(p, currency),
    currency,
    customer: p.string('customer') ?? null,
    description: p.string('description') ?? null,
    metadata: p.metadata() ?? {},
    applicationFeeAmount: p.integer('application_fee_amount', { min: 0 }) ?? null,
    transferData: transfer
      ? {
          destination: transfer.requiredString('destination'),
          ...(transferAmount !== undefined ? { amount: transferAmount } : {}),
        }
      : null,
    transferGroup: p.string('transfer_group') ?? null,
    onBehalfOf: p.string('on_behalf_of') ?? null,
    captureMethod: p.oneOf('capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async',
    paymentMethodTypes: paymentMethodTypesOf(p),
    automaticPaymentMethods: automatic
      ? {
          enabled: required(automatic.boolean('enabled'), 'automatic_payment_methods[enabled]'),
          ...(automatic.has('allow_redirects')
            ? { allow_redirects: automatic.oneOf('allow_redirects', ['always', 'never'] as const) }
            : {}),
        }
      : null,
    receiptEmail: p.string('receipt_email') ?? null,
    statementDescriptorSuffix: p.string('statement_descriptor_suffix') ?? null,
    paymentMethod: p.string('payment_method') ?? null,
    confirm: p.boolean('confirm') ?? false,
    returnUrl: p.string('return_url') ?? null,
  });
}

export const paymentIntentRoutes: readonly Route[] = [
  { method: 'POST', path: '/v1/payment_intents', handle: create },
  {
    method: 'GET',
    path: '/v1/payment_intents/:id',
    handle: ({ form, path, em }) => {
      readParams(form, ['client_secret']);
      return find(em.store.paymentIntents, path.id!, 'payment_intent');
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_intents',
    handle: ({ form, em }) => {
      const p = readParams(form, [...LIST_PARAMS, 'customer']);
      const customer = p.string('customer');
      const all = newestFirst(em.store.paymentIntents).filter((pi) => !customer || pi.customer === customer);
      return listOf(all, p, '/v1/payment_intents');
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/confirm',
    handle: ({ form, path, em }) => {
      const p = readParams(form, ['payment_method', 'return_url']);
      return confirmPaymentIntent(em, path.id!, {
        paymentMethod: p.string('payment_method') ?? null,
        throwOnDecline: true,
        returnUrl: p.string('return_url') ?? null,
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/capture',
    handle: ({ form, path, em }) => {
      const p = readParams(form, ['amount_to_capture']);
      return capturePaymentIntent(em, path.id!, p.integer('amount_to_capture', { min: 1 }) ?? null);
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/cancel',
    handle: ({ form, path, em }) => {
      const p = readParams(form, ['cancellation_reason']);
      const reason = p.oneOf('cancellation_reason', [
        'abandoned',
        'duplicate',
        'fraudulent',
        'requested_by_customer',
      ] as const);
      return cancelPaymentIntent(em, path.id!, reason ?? null);
    },
  },
];
