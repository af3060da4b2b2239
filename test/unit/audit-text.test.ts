/**
 * The staff's free text (suspension reasons, references) refuses email addresses in one pass: the
 * regex it replaced took seconds on a 64 KB reason (ReDoS).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsEmailAddress, SuspendAccountInput } from '#functions/accounts/contract.ts';

const quadratic = /[^\s@]+@[^\s@]+\.[^\s@]+/;

describe('containsEmailAddress', () => {
  it('says what the unanchored regex says, on any text made of the characters that matter', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '@', '.', ' ', '\n', 'é'), maxLength: 40 });
    fc.assert(
      fc.property(text, (t) => containsEmailAddress(t) === quadratic.test(t)),
      { numRuns: 2000 },
    );
  });

  it('finds addresses where they hide, and lets ordinary text pass', () => {
    expect(containsEmailAddress('contact: zoe.martin@example.fr, svp')).toBe(true);
    expect(containsEmailAddress('a@b.c')).toBe(true);
    expect(containsEmailAddress('ticket #42 @ 10.30')).toBe(false);
    expect(containsEmailAddress('x@.y')).toBe(false);
    expect(containsEmailAddress('spam by account 1b4e@2 v1.2')).toBe(false);
  });

  it('a reason far over the limit is refused by its length alone, the other checks never see it', () => {
    const huge = `${'a'.repeat(1_000_000)}@`;
    const parsed = SuspendAccountInput.safeParse({ reason: huge });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.code)).toEqual(['too_big']);
  });
});
