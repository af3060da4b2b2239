/** The shape of the emulator's API endpoints, and how a request finds its endpoint. */
import type { Emulation } from '../context.ts';
import type { FormObject } from '../form.ts';

export interface ApiRequest {
  /** The decoded parameters (query string for GET, form body for POST), without `expand`. */
  readonly form: FormObject;
  /** The `:name` segments of the route's path. */
  readonly path: Readonly<Record<string, string>>;
  readonly em: Emulation;
  /** The `Stripe-Account` header: a connected account to act as (only `GET /v1/balance` takes it). */
  readonly account: string | null;
}

/** Any Stripe API object: what an endpoint answers, before expansion. */
export interface ApiObject {
  readonly object: string;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handle: (request: ApiRequest) => ApiObject;
}

export type RouteMatch<R> =
  | { readonly kind: 'found'; readonly route: R; readonly path: Record<string, string> }
  | { readonly kind: 'missing' };

export function matchRoute<R extends { readonly method: string; readonly path: string }>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteMatch<R> {
  const actual = pathname.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const expected = route.path.split('/').filter(Boolean);
    if (expected.length !== actual.length) continue;
    const path: Record<string, string> = {};
    const matches = expected.every((segment, i) => {
      const value = decodeURIComponent(actual[i] ?? '');
      if (segment.startsWith(':')) path[segment.slice(1)] = value;
      return segment.startsWith(':') || segment === value;
    });
    if (matches) return { kind: 'found', route, path };
  }
  return { kind: 'missing' };
}
