/**
 * Whether an error means a dependency (DynamoDB, EventBridge, Cognito, SES…) could not answer
 * now, rather than a bug: the SDK's own timeout, a connection refused or reset, throttling, or a
 * 5xx from the service. The API answers those with 503 and `Retry-After` (the caller did nothing
 * wrong and may retry), everything else with 500.
 */
import { HttpProblem } from './problem.ts';

/** Seconds a client waits before retrying after a 503 (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

const throttlingNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
]);

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const e = error as SdkError;
  if (e.name === 'TimeoutError' || (e.name && throttlingNames.has(e.name))) return true;
  if (e.code && networkCodes.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return isDependencyUnavailable(e.cause, depth + 1);
}

/** The problem a request gets when a dependency is unavailable: 503, retry after a few seconds. */
export function unavailableProblem(): HttpProblem {
  return new HttpProblem(503, 'Service unavailable', 'A service we depend on did not answer; please retry', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}
