import { describe, expect, it } from 'vitest';
import { errorFacts } from '#shared/logger.ts';

describe('errorFacts', () => {
  it('keeps the name and the frames of an error, never its message', () => {
    const error = new TypeError('Email address is not verified: alice@example.test');
    const facts = errorFacts(error);
    expect(facts.name).toBe('TypeError');
    expect(facts.stack).toContain('error-facts.test.ts');
    expect(JSON.stringify(facts)).not.toContain('alice@example.test');
    expect(errorFacts('a string thrown')).toEqual({ name: 'string' });
  });
});
