import { describe, expect, it } from 'vitest';
import { type RetentionRule, retentionCatalogue } from '#shared/retention/catalogue.ts';
import { policy, policyRetentionBullets } from '../support/policy.ts';

const rows = Object.entries(retentionCatalogue) as Array<[string, RetentionRule]>;

describe('retention catalogue against the privacy policy', () => {
  it('finds the policy and its retention bullets', () => {
    expect(policyRetentionBullets()).toHaveLength(10);
  });

  it('quotes the policy verbatim in every row that implements it', () => {
    for (const [name, rule] of rows) {
      if (rule.policyText !== null) expect(policy, name).toContain(rule.policyText);
    }
  });

  it('covers every retention bullet of the policy with a row', () => {
    const texts = rows.map(([, r]) => r.policyText).filter((t): t is string => t !== null);
    for (const bullet of policyRetentionBullets()) {
      expect(
        texts.some((t) => bullet.includes(t) || t.includes(bullet.slice(0, 60))),
        bullet.slice(0, 80),
      ).toBe(true);
    }
  });

  it('gives the periods the policy states', () => {
    expect(retentionCatalogue['contact-request'].keep).toEqual({ years: 3 });
    expect(retentionCatalogue.newsletter.keep).toEqual({ years: 3 });
    expect(retentionCatalogue.account.keep).toEqual({ years: 5 });
    expect(retentionCatalogue['account-deletion'].keep).toEqual({ months: 6 });
    expect(retentionCatalogue.appointment.keep).toEqual({ years: 5 });
    expect(retentionCatalogue.exchange.keep).toEqual({ years: 5 });
    expect(retentionCatalogue['review-report'].keep).toEqual({ years: 5 });
    expect(retentionCatalogue['fraud-prevention'].keep).toEqual({ days: 30 });
    expect(retentionCatalogue.payment.keep).toBeNull();
    expect(retentionCatalogue.support.keep).toBeNull();
  });

  it('explains every row on which the policy is silent', () => {
    for (const [name, rule] of rows) {
      if (rule.policyText === null) expect(rule.rationale, name).toBeTruthy();
      expect(rule.legalBases.length, name).toBeGreaterThan(0);
      expect(rule.dataCategories.length, name).toBeGreaterThan(0);
    }
  });
});
