/**
 * `expand[]=latest_charge`: replaces an id by the object it names, on the copy of the object
 * being answered. Paths may nest (`latest_charge.payment_intent`) and go through lists (`data.charge`).
 */
import { invalidRequest } from '../errors.ts';
import type { Store } from '../store.ts';

type Resolver = (store: Store, id: string) => object | undefined;

const charge: Resolver = (store, id) => store.charges.get(id);
const paymentIntent: Resolver = (store, id) => store.paymentIntents.get(id);
const account: Resolver = (store, id) => store.accounts.get(id);
const transfer: Resolver = (store, id) => store.transfers.get(id);
const applicationFee: Resolver = (store, id) => store.applicationFees.get(id);
const transferReversal: Resolver = (store, id) => {
  for (const item of store.transfers.values()) {
    const found = item.reversals.data.find((reversal) => reversal.id === id);
    if (found) return found;
  }
  return undefined;
};

const EXPANDABLE: Readonly<Record<string, Readonly<Record<string, Resolver>>>> = {
  payment_intent: { latest_charge: charge, on_behalf_of: account },
  charge: { payment_intent: paymentIntent, on_behalf_of: account, transfer, application_fee: applicationFee },
  refund: { charge, payment_intent: paymentIntent, transfer_reversal: transferReversal },
  dispute: { charge, payment_intent: paymentIntent },
  transfer: { source_transaction: charge, destination: account },
  transfer_reversal: { transfer, source_refund: (store, id) => store.refunds.get(id) },
  application_fee: { charge, account },
};

type Json = Record<string, unknown>;

function expandPath(store: Store, target: Json, segments: readonly string[], path: string): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  if (target.object === 'list' && head === 'data' && Array.isArray(target.data)) {
    for (const item of target.data) expandPath(store, item as Json, rest, path);
    return;
  }
  const resolve = EXPANDABLE[String(target.object)]?.[head];
  if (!resolve) throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
  const current = target[head];
  if (typeof current === 'string') {
    const found = resolve(store, current);
    if (found) target[head] = structuredClone(found);
  }
  const next = target[head];
  if (rest.length > 0 && next && typeof next === 'object') expandPath(store, next as Json, rest, path);
}

/** Refuses, before anything is executed, a path that names no field the emulator can expand. */
export function checkExpandable(paths: readonly string[]): void {
  const known = new Set(['data', ...Object.values(EXPANDABLE).flatMap((fields) => Object.keys(fields))]);
  for (const path of paths) {
    if (!path.split('.').every((segment) => known.has(segment))) {
      throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    }
  }
}

/** A copy of `value` with the given paths expanded; the stored object is never changed. */
export function expand<T extends object>(store: Store, value: T, paths: readonly string[]): T {
  const copy = structuredClone(value);
  for (const path of paths) expandPath(store, copy as Json, path.split('.'), path);
  return copy;
}
