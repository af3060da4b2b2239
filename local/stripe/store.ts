/**
 * The emulator's state, in memory: the objects as Stripe would hold them (typed by the SDK), the
 * onboarding links it served, and the events it emitted. Nothing here holds card data: a charge
 * keeps the brand and last four digits of a test card, as Stripe's own objects do.
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

export interface Store {
  readonly paymentIntents: Map<string, Stripe.PaymentIntent>;
  readonly charges: Map<string, Stripe.Charge>;
  readonly refunds: Map<string, Stripe.Refund>;
  readonly disputes: Map<string, Stripe.Dispute>;
  readonly accounts: Map<string, Stripe.Account>;
  /** PaymentMethod id → the test token it was made from (`pm_card_visa`). */
  readonly paymentMethods: Map<string, string>;
  readonly onboardingLinks: Map<string, OnboardingLink>;
  /** In emission order. */
  readonly events: Map<string, Stripe.Event>;
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
    events: new Map(),
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
