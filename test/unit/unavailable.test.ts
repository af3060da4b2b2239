import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable, unavailableProblem } from '#shared/http/unavailable.ts';

const named = (name: string, extra: object = {}) => Object.assign(new Error('x'), { name }, extra);

describe('isDependencyUnavailable', () => {
  it('knows timeouts, refused connections, throttling and 5xx answers of a service', () => {
    expect(isDependencyUnavailable(named('TimeoutError'))).toBe(true);
    expect(isDependencyUnavailable(named('Error', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDependencyUnavailable(named('ProvisionedThroughputExceededException'))).toBe(true);
    expect(isDependencyUnavailable(named('ThrottlingException'))).toBe(true);
    expect(isDependencyUnavailable(named('UnknownError', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isDependencyUnavailable(named('Error', { cause: named('Error', { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it('leaves bugs and refusals for what they are', () => {
    expect(isDependencyUnavailable(new TypeError('undefined is not a function'))).toBe(false);
    expect(
      isDependencyUnavailable(named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } })),
    ).toBe(false);
    expect(isDependencyUnavailable(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isDependencyUnavailable('a string')).toBe(false);
    expect(isDependencyUnavailable(null)).toBe(false);
  });

  it('answers 503 with Retry-After', () => {
    const problem = unavailableProblem();
    expect(problem.status).toBe(503);
    expect(problem.headers?.['Retry-After']).toMatch(/^\d+$/);
  });
});
