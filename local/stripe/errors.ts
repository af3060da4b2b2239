/**
 * Stripe's error objects (`{ error: { type, code, message, param, ... } }`) and their HTTP
 * statuses, as the SDK maps them: 400/404 → StripeInvalidRequestError (or StripeIdempotencyError
 * for `idempotency_error`), 401 → StripeAuthenticationError, 402 → StripeCardError.
 */
import type Stripe from 'stripe';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
export type StripeErrorCode = NonNullable<Stripe.PaymentIntent.LastPaymentError['code']>;

export interface StripeErrorObject {
  type: StripeErrorType;
  message: string;
  code?: StripeErrorCode;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Stripe.PaymentIntent;
}

export class StripeApiError extends Error {
  readonly status: number;
  readonly error: StripeErrorObject;
  /**
   * Stripe saves an idempotent result only once the endpoint has begun executing: a request that
   * failed parameter validation can be retried with the same key and different parameters.
   */
  readonly saveIdempotentResult: boolean;

  constructor(status: number, error: StripeErrorObject, saveIdempotentResult = true) {
    super(error.message);
    this.name = 'StripeApiError';
    this.status = status;
    this.error = error.code ? { ...error, doc_url: `https://stripe.com/docs/error-codes/${error.code}` } : error;
    this.saveIdempotentResult = saveIdempotentResult;
  }
}

/** A parameter the request got wrong: 400, not saved for idempotent replay. */
export function invalidRequest(message: string, param?: string, code?: StripeErrorCode): StripeApiError {
  return new StripeApiError(
    400,
    { type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code } : {}) },
    false,
  );
}

/** A request that was valid but cannot be carried out in the object's current state: 400. */
export function refused(message: string, code: StripeErrorCode, param?: string): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) });
}

/**
 * An unknown id. Stripe answers 404 for an id in the URL path and 400 for an id passed as a
 * parameter (then `param` names it); both carry `code: resource_missing`.
 */
export function resourceMissing(label: string, id: string, param?: string): StripeApiError {
  return new StripeApiError(param ? 400 : 404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${label}: '${id}'`,
    ...(param ? { param } : {}),
  });
}

export function unexpectedState(message: string, param?: string): StripeApiError {
  return refused(message, 'payment_intent_unexpected_state', param);
}
