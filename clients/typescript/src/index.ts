/**
 * A typed client of the Mon Pro du Bien-Être API: openapi-fetch on the types generated from the
 * API's OpenAPI document (./schema.d.ts). Paths, parameters, bodies and every documented answer
 * (successes in `data`, problems in `error`) are typed.
 *
 *   const api = createApiClient({ baseUrl: 'https://api.monprodubienetre.fr' });
 *   const { data, error, response } = await api.GET('/practitioners/{practitionerId}', {
 *     params: { path: { practitionerId } },
 *   });
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** An RFC 9457 problem: every error answer of the API. */
export type Problem = components['schemas']['Problem'];

export type ApiClient = Client<paths>;

/**
 * A client of the API at `baseUrl`. With `idToken`, every request carries it (the routes that are
 * not public need a Cognito ID token); `fetch` and middlewares are openapi-fetch's.
 */
export function createApiClient(options: ClientOptions & { idToken?: string }): ApiClient {
  const { idToken, headers, ...rest } = options;
  return createClient<paths>({
    ...rest,
    headers: { ...(idToken ? { Authorization: `Bearer ${idToken}` } : {}), ...(headers as Record<string, string>) },
  });
}
