/**
 * A Connect `account` (a practitioner's payout account) before and after onboarding. Express and
 * custom accounts are controlled by the platform (`controller.type: application`); a standard
 * account controls itself.
 */
import type Stripe from 'stripe';
import { newId, toEpochSeconds } from '../ids.ts';

export type AccountType = 'express' | 'standard' | 'custom';
export type CapabilityName = 'card_payments' | 'transfers';

export interface AccountInput {
  readonly type: AccountType;
  readonly country: string;
  readonly defaultCurrency: string;
  readonly email: string | null;
  readonly businessType: Stripe.Account.BusinessType | null;
  readonly businessProfile: {
    name: string | null;
    url: string | null;
    mcc: string | null;
    product_description: string | null;
  };
  readonly capabilities: readonly CapabilityName[];
  readonly metadata: Stripe.Metadata;
  readonly created: Date;
}

/** What Stripe asks of a French individual before charges and payouts are enabled. */
const ONBOARDING_REQUIREMENTS = [
  'business_profile.mcc',
  'business_profile.url',
  'business_type',
  'external_account',
  'individual.address.city',
  'individual.dob.day',
  'individual.email',
  'individual.first_name',
  'individual.last_name',
  'tos_acceptance.date',
  'tos_acceptance.ip',
];

function requirements(due: readonly string[]): Stripe.Account.Requirements {
  return {
    alternatives: [],
    current_deadline: null,
    currently_due: [...due],
    disabled_reason: due.length > 0 ? 'requirements.past_due' : null,
    errors: [],
    eventually_due: [...due],
    past_due: [...due],
    pending_verification: [],
  };
}

function controllerOf(type: AccountType): Stripe.Account.Controller {
  if (type === 'standard') return { is_controller: false, type: 'account' };
  return {
    fees: { payer: type === 'express' ? 'application_express' : 'application_custom' },
    is_controller: true,
    losses: { payments: 'application' },
    requirement_collection: type === 'express' ? 'stripe' : 'application',
    stripe_dashboard: { type: type === 'express' ? 'express' : 'none' },
    type: 'application',
  };
}

export function newAccount(input: AccountInput): Stripe.Account {
  const id = newId('acct');
  return {
    id,
    object: 'account',
    business_profile: {
      annual_revenue: null,
      estimated_worker_count: null,
      mcc: input.businessProfile.mcc,
      minority_owned_business_designation: null,
      name: input.businessProfile.name,
      product_description: input.businessProfile.product_description,
      specified_commercial_transactions_act_url: null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: input.businessProfile.url,
    },
    business_type: input.businessType,
    capabilities: Object.fromEntries(input.capabilities.map((name) => [name, 'inactive'])),
    charges_enabled: false,
    controller: controllerOf(input.type),
    country: input.country,
    created: toEpochSeconds(input.created),
    default_currency: input.defaultCurrency,
    details_submitted: false,
    email: input.email,
    external_accounts: { object: 'list', data: [], has_more: false, url: `/v1/accounts/${id}/external_accounts` },
    future_requirements: requirements([]),
    metadata: input.metadata,
    payouts_enabled: false,
    requirements: requirements(ONBOARDING_REQUIREMENTS),
    settings: {
      bacs_debit_payments: { display_name: null, service_user_number: null },
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: {
        decline_on: { avs_failure: false, cvc_failure: false },
        statement_descriptor_prefix: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      dashboard: { display_name: input.businessProfile.name, timezone: 'Europe/Paris' },
      invoices: { default_account_tax_ids: null, hosted_payment_method_save: 'offer' },
      payments: {
        statement_descriptor: null,
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      payouts: {
        debit_negative_balances: true,
        schedule: { delay_days: 7, interval: 'daily' },
        statement_descriptor: null,
      },
      sepa_debit_payments: {},
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type: input.type,
  };
}

/** The account once its holder completed the hosted onboarding: everything due was provided. */
export function onboarded(account: Stripe.Account, at: Date): Stripe.Account {
  const capabilities = Object.fromEntries(Object.keys(account.capabilities ?? {}).map((name) => [name, 'active']));
  return {
    ...account,
    business_type: account.business_type ?? 'individual',
    capabilities,
    charges_enabled: true,
    details_submitted: true,
    payouts_enabled: true,
    requirements: requirements([]),
    tos_acceptance: { date: toEpochSeconds(at), ip: '127.0.0.1', user_agent: 'stripe-emulator' },
  };
}
