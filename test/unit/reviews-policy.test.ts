/**
 * GET /reviews/policy (Code de la consommation D111-17 to D111-19) is built from the constants the
 * code runs on, never written by hand: its lists are the moderation lists, its periods are the
 * review window, the retention catalogue's `review` row and the appeal window; change a source and
 * the text follows.
 */
import { describe, expect, it } from 'vitest';
import { getReviewPolicy } from '#functions/reviews/contracts/summary.ts';
import {
  APPEAL_WINDOW_MONTHS,
  REFUSAL_REASONS,
  REPORT_OUTCOMES,
  REPORT_REASONS,
} from '#functions/reviews/domain/moderation.ts';
import { periodInFrench, policySources, REVIEW_SORTS, reviewPolicy } from '#functions/reviews/domain/policy.ts';
import { REVIEW_WINDOW_DAYS } from '#functions/reviews/domain/review.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';

describe('the review policy', () => {
  const policy = reviewPolicy();

  it('is what its operation declares', () => {
    expect(getReviewPolicy.responses[200]!.schema!.parse(policy)).toEqual(policy);
  });

  it('lists exactly the refusal and report reasons the moderators choose from', () => {
    expect(policy.refusalReasons).toEqual(Object.entries(REFUSAL_REASONS).map(([code, label]) => ({ code, label })));
    expect(policy.reports.reasons).toEqual(Object.entries(REPORT_REASONS).map(([code, label]) => ({ code, label })));
    expect(policy.reports.outcomes.map((o) => o.code)).toEqual([...REPORT_OUTCOMES]);
    expect(policy.ranking.options.map((o) => o.code)).toEqual(Object.keys(REVIEW_SORTS));
    expect(policy.ranking.default).toBe('newest');
  });

  it('states the periods the code runs on', () => {
    expect(policy.control).toMatchObject({ checked: true, method: 'human-pre-moderation' });
    expect(policy.verification.windowDays).toBe(REVIEW_WINDOW_DAYS);
    expect(policy.verification.description).toContain(`${REVIEW_WINDOW_DAYS} jours`);
    expect(policy.publication.period).toEqual(retentionCatalogue.review.keep);
    expect(policy.publication.description).toContain('au plus 5 ans à compter de la date de l’expérience');
    expect(policy.contest.appealWindowMonths).toBe(APPEAL_WINDOW_MONTHS);
    expect(policy.contest.description).toContain(`${APPEAL_WINDOW_MONTHS} mois`);
  });

  it('follows its sources', () => {
    const changed = reviewPolicy({
      ...policySources,
      reviewWindowDays: 30,
      publication: { years: 3 },
      appealWindowMonths: 2,
      refusalReasons: { spam: 'Spam.' },
    });
    expect(changed.verification.description).toContain('30 jours');
    expect(changed.publication.description).toContain('au plus 3 ans');
    expect(changed.contest.description).toContain('2 mois');
    expect(changed.refusalReasons).toEqual([{ code: 'spam', label: 'Spam.' }]);
  });

  it('writes periods in French', () => {
    expect(periodInFrench({ years: 1 })).toBe('1 an');
    expect(periodInFrench({ years: 5 })).toBe('5 ans');
    expect(periodInFrench({ years: 1, months: 6 })).toBe('1 an et 6 mois');
    expect(periodInFrench({ days: 90 })).toBe('90 jours');
  });
});
