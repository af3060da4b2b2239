/** `/v1/accounts` and `/v1/account_links`: practitioners' connected accounts and their onboarding. */
import { readParams, required } from '../form.ts';
import type { CapabilityName } from '../objects/account.ts';
import { createAccount, createAccountLink } from '../operations/connect.ts';
import { find } from '../store.ts';
import type { ApiRequest, Route } from './route.ts';

const CAPABILITIES: readonly CapabilityName[] = ['card_payments', 'transfers'];

function create({ form, em }: ApiRequest) {
  const p = readParams(form, [
    'type',
    'country',
    'email',
    'business_type',
    'business_profile',
    'capabilities',
    'metadata',
  ]);
  const type = required(p.oneOf('type', ['express', 'standard', 'custom'] as const), 'type');
  const profile = p.nested('business_profile', ['name', 'url', 'mcc', 'product_description']);
  const asked = p.nested('capabilities', CAPABILITIES);
  const requested = CAPABILITIES.filter((name) => asked?.nested(name, ['requested'])?.boolean('requested') ?? false);
  return createAccount(em, {
    type,
    // Stripe defaults to the platform's country: ours is in France.
    country: (p.string('country') ?? 'FR').toUpperCase(),
    email: p.string('email') ?? null,
    businessType:
      p.oneOf('business_type', ['individual', 'company', 'non_profit', 'government_entity'] as const) ?? null,
    businessProfile: {
      name: profile?.string('name') ?? null,
      url: profile?.string('url') ?? null,
      mcc: profile?.string('mcc') ?? null,
      product_description: profile?.string('product_description') ?? null,
    },
    // A marketplace's accounts need both: requested by default when none is named.
    capabilities: requested.length > 0 ? requested : CAPABILITIES,
    metadata: p.metadata() ?? {},
  });
}

export const connectRoutes: readonly Route[] = [
  { method: 'POST', path: '/v1/accounts', handle: create },
  {
    method: 'GET',
    path: '/v1/accounts/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.accounts, path.id!, 'account');
    },
  },
  {
    method: 'POST',
    path: '/v1/account_links',
    handle: ({ form, em }) => {
      const p = readParams(form, ['account', 'type', 'refresh_url', 'return_url', 'collect', 'collection_options']);
      return createAccountLink(em, {
        account: p.requiredString('account'),
        type: required(p.oneOf('type', ['account_onboarding', 'account_update'] as const), 'type'),
        refreshUrl: p.string('refresh_url') ?? null,
        returnUrl: p.string('return_url') ?? null,
      });
    },
  },
];
