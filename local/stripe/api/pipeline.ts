/**
 * One `/v1` request, end to end: test-mode API key (secret, or publishable for the calls of
 * Stripe.js: api/publishable.ts), parameters, route, idempotency, the endpoint, `expand`, and
 * Stripe's response headers and error objects.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type EmulationCore, emulationFor } from '../context.ts';
import { StripeApiError, type StripeErrorObject } from '../errors.ts';
import { decodeForm, readParams } from '../form.ts';
import { newId } from '../ids.ts';
import { API_VERSION } from '../objects/event.ts';
import { connectRoutes } from './connect.ts';
import { checkExpandable, expand } from './expand.ts';
import { createIdempotencyStore, fingerprintOf, type SavedResponse } from './idempotency.ts';
import { moneyRoutes } from './money.ts';
import { paymentIntentRoutes } from './payment-intents.ts';
import { handlePublishable } from './publishable.ts';
import { refundRoutes } from './refunds.ts';
import { retrieveRoutes } from './retrieve.ts';
import { matchRoute, type Route } from './route.ts';

export const API_ROUTES: readonly Route[] = [
  ...paymentIntentRoutes,
  ...refundRoutes,
  ...connectRoutes,
  ...retrieveRoutes,
  ...moneyRoutes,
];

export interface HttpCall {
  readonly method: string;
  readonly pathname: string;
  readonly query: string;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const errorBody = (error: StripeErrorObject) => json({ error });

/** The key from `Authorization: Bearer …` or Basic auth (`curl -u sk_test_…:`). */
function headerKeyOf(headers: IncomingHttpHeaders): string | null {
  const [scheme, value] = (headers.authorization ?? '').split(' ');
  if (!value) return null;
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0] ?? null;
  return null;
}

function refuseKey(key: string | null): StripeApiError | null {
  if (!key) {
    return new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  }
  if (!/^(sk|rk|pk)_test_/.test(key)) {
    return new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        'The Stripe emulator accepts test-mode keys only (sk_test_…, pk_test_…); a live key must never reach it.',
    });
  }
  return null;
}

/** `Stripe-Account` (acting as a connected account) is emulated for reading its balance only. */
function refuseStripeAccount(call: HttpCall): StripeApiError | null {
  if (!call.headers['stripe-account'] || (call.method === 'GET' && call.pathname === '/v1/balance')) return null;
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message:
      'The Stripe-Account header is emulated only for GET /v1/balance (direct charges on a connected account are not): use destination charges.',
  });
}

export function createApi(core: EmulationCore): (call: HttpCall) => HttpAnswer {
  const idempotency = createIdempotencyStore(core.store.idempotency);

  return (call) => {
    const requestId = newId('req');
    const idempotencyKey = call.method === 'POST' ? (call.headers['idempotency-key'] as string | undefined) : undefined;
    const headers = (extra: Record<string, string> = {}) => ({
      'Content-Type': 'application/json',
      'Request-Id': requestId,
      'Stripe-Version': (call.headers['stripe-version'] as string | undefined) ?? API_VERSION,
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
      ...extra,
    });
    const fail = (error: StripeApiError): HttpAnswer => ({
      status: error.status,
      headers: headers(),
      body: errorBody(error.error),
    });

    let form: ReturnType<typeof decodeForm>;
    try {
      form = decodeForm(call.method === 'GET' ? call.query : call.body);
    } catch (error) {
      if (error instanceof StripeApiError) return fail(error);
      throw error;
    }
    // Stripe.js sends the publishable key as the `key` parameter rather than a header.
    let key = headerKeyOf(call.headers);
    if (!key && typeof form.key === 'string') {
      key = form.key;
      delete form.key;
    }
    const refusal = refuseKey(key) ?? refuseStripeAccount(call);
    if (refusal) return fail(refusal);
    const match = matchRoute(API_ROUTES, call.method, call.pathname);
    if (match.kind === 'missing') {
      return fail(
        new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${call.method}: ${call.pathname}). The Stripe emulator serves only the endpoints the backend calls.`,
        }),
      );
    }

    if (key?.startsWith('pk_')) {
      try {
        const em = emulationFor(core, { id: requestId, idempotency_key: null });
        const result = handlePublishable(em, {
          method: call.method,
          route: match.route.path,
          id: match.path.id ?? '',
          form,
        });
        return { status: 200, headers: headers(), body: json(result) };
      } catch (error) {
        if (error instanceof StripeApiError) return fail(error);
        throw error;
      }
    }
    const fingerprint = fingerprintOf(call.method, call.pathname, form);
    if (idempotencyKey) {
      const previous = idempotency.lookup(idempotencyKey, fingerprint, core.now());
      if (previous.kind === 'replay') {
        return { ...previous.response, headers: headers({ 'Idempotent-Replayed': 'true' }) };
      }
      if (previous.kind === 'mismatch') {
        return fail(
          new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
        );
      }
    }

    let response: SavedResponse;
    let save = true;
    try {
      const { expand: expandParam, ...params } = form;
      const paths =
        expandParam === undefined ? [] : (readParams({ expand: expandParam }, ['expand']).strings('expand') ?? []);
      checkExpandable(paths);
      const em = emulationFor(core, { id: requestId, idempotency_key: idempotencyKey ?? null });
      const account = (call.headers['stripe-account'] as string | undefined) ?? null;
      const result = match.route.handle({ form: params, path: match.path, em, account });
      response = { status: 200, body: json(expand(core.store, result, paths)) };
    } catch (error) {
      if (!(error instanceof StripeApiError)) {
        console.error('[stripe-emulator] unexpected error', error);
        const message = `The Stripe emulator failed: ${error instanceof Error ? error.message : String(error)}`;
        return { status: 500, headers: headers(), body: errorBody({ type: 'api_error', message }) };
      }
      response = { status: error.status, body: errorBody(error.error) };
      save = error.saveIdempotentResult;
    }
    if (idempotencyKey && save) idempotency.save(idempotencyKey, fingerprint, response, core.now());
    return { ...response, headers: headers() };
  };
}
