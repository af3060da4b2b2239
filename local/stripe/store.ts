/**
 * The emulator's state: the objects as Stripe would hold them (typed by the SDK), the balances
 * money movements leave, the onboarding links and 3-D Secure challenges it served, idempotency
 * records, and the events it emitted. In memory, and written to a folder when one is given
 * (persistence.ts). Nothing here holds card data: a charge keeps the brand and last four digits
 * of a test card, as Stripe's own objects do.
 */
import type Stripe from 'stripe';
import { resourceMissing } from './errors.ts';

/** An account link's one-time onboarding page, keyed by the token in its URL. */
export interface OnboardingLink {
  readonly token: string;
  readonly account: string;
  readonly type: 'account_onboarding' | 'account_update';
  readonly refreshUrl: string | null;
  readonly returnUrl: string | null;
  readonly expiresAt: number;
  visited: boolean;
}

/** A 3-D Secure challenge waiting for the card holder, keyed by the token in its URL. */
export interface Authentication {
  readonly token: string;
  readonly paymentIntent: string;
  readonly paymentMethod: string;
  readonly returnUrl: string | null;
}

/** The first answer to a POST with an Idempotency-Key, kept 24 hours (api/idempotency.ts). */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly response: { readonly status: number; readonly body: string };
  readonly at: number;
}

/** The balance key of the platform; connected accounts are keyed by their `acct_` id. */
export const PLATFORM = 'platform';

export interface Store {
  readonly paymentIntents: Map<string, Stripe.PaymentIntent>;
  readonly charges: Map<string, Stripe.Charge>;
  readonly refunds: Map<string, Stripe.Refund>;
  readonly disputes: Map<string, Stripe.Dispute>;
  readonly accounts: Map<string, Stripe.Account>;
  /** PaymentMethod id → the test token it was made from (`pm_card_visa`). */
  readonly paymentMethods: Map<string, string>;
  readonly onboardingLinks: Map<string, OnboardingLink>;
  readonly transfers: Map<string, Stripe.Transfer>;
  readonly applicationFees: Map<string, Stripe.ApplicationFee>;
  /** Account (PLATFORM or `acct_…`) → currency → amount in cents: one bucket, see operations/money.ts. */
  readonly balances: Map<string, Record<string, number>>;
  readonly authentications: Map<string, Authentication>;
  readonly idempotency: Map<string, IdempotencyRecord>;
  /** In emission order. */
  readonly events: Map<string, Stripe.Event>;
  /** Events queued for the webhook endpoint and not yet accepted nor given up: sent again after a restart. */
  readonly undelivered: Set<string>;
}

const MAPS = [
  'paymentIntents',
  'charges',
  'refunds',
  'disputes',
  'accounts',
  'paymentMethods',
  'onboardingLinks',
  'transfers',
  'applicationFees',
  'balances',
  'authentications',
  'idempotency',
  'events',
] as const satisfies readonly (keyof Store)[];

/** The whole state as plain JSON (maps as entry lists, in insertion order). */
export interface StoreSnapshot {
  readonly version: 1;
  readonly maps: Record<(typeof MAPS)[number], [string, unknown][]>;
  readonly undelivered: string[];
}

export function snapshotOf(store: Store): StoreSnapshot {
  const maps = Object.fromEntries(MAPS.map((name) => [name, [...(store[name] as Map<string, unknown>)]]));
  return { version: 1, maps: maps as StoreSnapshot['maps'], undelivered: [...store.undelivered] };
}

/** Fills an empty store from a snapshot; the refunds listed on a charge become the stored refunds again. */
export function restoreStore(store: Store, snapshot: StoreSnapshot): void {
  if (snapshot.version !== 1) throw new Error(`Unknown Stripe emulator state version: ${String(snapshot.version)}`);
  for (const name of MAPS) {
    const map = store[name] as Map<string, unknown>;
    for (const [key, value] of snapshot.maps[name] ?? []) map.set(key, value);
  }
  for (const id of snapshot.undelivered) store.undelivered.add(id);
  // In memory a charge's `refunds.data` holds the same objects as `refunds`, so that a later
  // change (a failed refund, new metadata) shows on both; JSON made them copies.
  for (const charge of store.charges.values()) {
    if (!charge.refunds) continue;
    charge.refunds.data = charge.refunds.data.map((refund) => store.refunds.get(refund.id) ?? refund);
  }
}

export function createStore(): Store {
  return {
    paymentIntents: new Map(),
    charges: new Map(),
    refunds: new Map(),
    disputes: new Map(),
    accounts: new Map(),
    paymentMethods: new Map(),
    onboardingLinks: new Map(),
    transfers: new Map(),
    applicationFees: new Map(),
    balances: new Map(),
    authentications: new Map(),
    idempotency: new Map(),
    events: new Map(),
    undelivered: new Set(),
  };
}

/**
 * The object with this id, or Stripe's `resource_missing` error: 404 when the id came from the
 * URL path, 400 naming the parameter when it came from the request body.
 */
export function find<T>(map: Map<string, T>, id: string, label: string, param?: string): T {
  const found = map.get(id);
  if (found === undefined) throw resourceMissing(label, id, param);
  return found;
}

/** A charge is always created by the emulator with its PaymentIntent: a missing one is a bug. */
export function chargeOf(store: Store, paymentIntent: Stripe.PaymentIntent): Stripe.Charge | undefined {
  const id =
    typeof paymentIntent.latest_charge === 'string' ? paymentIntent.latest_charge : paymentIntent.latest_charge?.id;
  return id ? store.charges.get(id) : undefined;
}

/** Changes some fields of a stored object, type-checked against the object's own type. */
export function patch<T extends object>(target: T, changes: Partial<T>): T {
  return Object.assign(target, changes);
}
