/**
 * Connect: practitioners' accounts and their hosted onboarding. An account link is a one-time
 * page of the emulator; visiting it stands for the practitioner filling Stripe's forms, which
 * enables charges and payouts and emits `account.updated`.
 */
import type Stripe from 'stripe';
import type { Emulation } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { newId, toEpochSeconds } from '../ids.ts';
import { type AccountInput, newAccount, onboarded } from '../objects/account.ts';
import { find, type OnboardingLink } from '../store.ts';

/** The countries the emulator opens accounts in, with their default currency. */
export const ACCOUNT_COUNTRIES: Readonly<Record<string, string>> = {
  FR: 'eur',
  BE: 'eur',
  LU: 'eur',
  DE: 'eur',
  ES: 'eur',
  IT: 'eur',
  NL: 'eur',
  PT: 'eur',
  IE: 'eur',
  AT: 'eur',
  CH: 'chf',
};

/** Stripe's account links last five minutes. */
const LINK_LIFETIME_SECONDS = 300;

export function createAccount(em: Emulation, input: Omit<AccountInput, 'created' | 'defaultCurrency'>): Stripe.Account {
  const currency = ACCOUNT_COUNTRIES[input.country];
  if (!currency) throw invalidRequest(`Country ${input.country} is not supported by the Stripe emulator.`, 'country');
  const account = newAccount({ ...input, defaultCurrency: currency, created: em.now() });
  em.store.accounts.set(account.id, account);
  return account;
}

export interface CreateAccountLinkInput {
  readonly account: string;
  readonly type: 'account_onboarding' | 'account_update';
  readonly refreshUrl: string | null;
  readonly returnUrl: string | null;
}

export function createAccountLink(em: Emulation, input: CreateAccountLinkInput): Stripe.AccountLink {
  const account = find(em.store.accounts, input.account, 'account', 'account');
  if (input.type === 'account_update' && account.type === 'express') {
    throw invalidRequest('You cannot create `account_update` type Account Links for Express accounts.', 'type');
  }
  const created = toEpochSeconds(em.now());
  const token = newId('link').slice('link_'.length);
  const link: OnboardingLink = {
    token,
    account: account.id,
    type: input.type,
    refreshUrl: input.refreshUrl,
    returnUrl: input.returnUrl,
    expiresAt: created + LINK_LIFETIME_SECONDS,
    visited: false,
  };
  em.store.onboardingLinks.set(token, link);
  return {
    object: 'account_link',
    created,
    expires_at: link.expiresAt,
    url: `${em.baseUrl()}/_emulator/connect/onboarding/${token}`,
  };
}

export function completeOnboarding(em: Emulation, accountId: string): Stripe.Account {
  const account = find(em.store.accounts, accountId, 'account');
  const after = onboarded(account, em.now());
  em.store.accounts.set(account.id, after);
  em.emit('account.updated', after, { before: account, account: account.id });
  return after;
}

/**
 * A visit of an account link's URL: completes onboarding once, then sends the browser to
 * `return_url`; an expired or already used link sends it to `refresh_url`, as Stripe does.
 */
export function visitOnboardingLink(em: Emulation, token: string): { redirect: string | null; completed: boolean } {
  const link = em.store.onboardingLinks.get(token);
  if (!link) return { redirect: null, completed: false };
  if (link.visited || toEpochSeconds(em.now()) > link.expiresAt) return { redirect: link.refreshUrl, completed: false };
  link.visited = true;
  if (link.type === 'account_onboarding') completeOnboarding(em, link.account);
  return { redirect: link.returnUrl, completed: true };
}
