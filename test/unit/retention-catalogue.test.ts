/** The retention catalogue holds each row of the privacy policy's retention table, verbatim. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RetentionRule, retentionCatalogue } from '#shared/retention/catalogue.ts';

const policy = readFileSync(join(import.meta.dirname, '..', '..', '..', 'shared', 'privacy-policy.fr.txt'), 'utf8');
const rows = Object.entries(retentionCatalogue) as Array<[string, RetentionRule]>;

/** The bullets of the policy's section "Durée de conservation des données". */
function policyRetentionBullets(): string[] {
  const start = policy.indexOf('Les durées maximales de conservation sont les suivantes');
  const end = policy.indexOf('Les destinataires des données');
  return policy
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2));
}

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
