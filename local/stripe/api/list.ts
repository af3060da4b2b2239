/** Stripe list objects with cursor pagination (`limit`, `starting_after`, `ending_before`). */
import type Stripe from 'stripe';
import { invalidRequest } from '../errors.ts';
import type { ParamReader } from '../form.ts';

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before'] as const;

/** `items` newest first, as Stripe lists them. */
export function listOf<T extends { id: string }>(
  items: readonly T[],
  params: ParamReader,
  url: string,
): Stripe.ApiList<T> {
  const limit = params.integer('limit', { min: 1, max: 100 }) ?? 10;
  const indexOf = (name: 'starting_after' | 'ending_before'): number | undefined => {
    const id = params.string(name);
    if (id === undefined) return undefined;
    const index = items.findIndex((item) => item.id === id);
    if (index === -1) throw invalidRequest(`No such object in this list: '${id}'`, name, 'resource_missing');
    return index;
  };
  const after = indexOf('starting_after');
  const before = indexOf('ending_before');
  if (before !== undefined) {
    const start = Math.max(0, before - limit);
    return { object: 'list', data: items.slice(start, before), has_more: start > 0, url };
  }
  const start = after === undefined ? 0 : after + 1;
  return { object: 'list', data: items.slice(start, start + limit), has_more: items.length > start + limit, url };
}

export function newestFirst<T>(map: Map<string, T>): T[] {
  return [...map.values()].reverse();
}
