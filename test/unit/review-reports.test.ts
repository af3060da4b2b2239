/** Reports, appeals, reporter bars and the transparency report (ADR 0015): the pure rules. */
import { describe, expect, it } from 'vitest';
import { appealDecisionMail, appealRefusal, fileAppeal, mayDecideAppeal } from '#functions/reviews/domain/appeal.ts';
import {
  appealDeadline,
  barRefusal,
  decisionEffect,
  fileReport,
  filingRefusal,
  isBarred,
  type Report,
  reportAcknowledgementMail,
  reportOutcomeMail,
  reversalEffect,
  statementOfReasonsMail,
} from '#functions/reviews/domain/report.ts';
import type { Review } from '#functions/reviews/domain/review.ts';
import {
  median,
  monthsOf,
  percentile,
  type TransparencyRecord,
  transparencyReport,
} from '#functions/reviews/domain/transparency.ts';

const at = (iso: string) => new Date(iso);
const review: Review = {
  id: `rev_${'a'.repeat(32)}`,
  appointmentId: `apt_${'a'.repeat(32)}`,
  practitionerId: 'prac-1',
  authorId: 'author-1',
  authorName: 'Zoé M.',
  experienceAt: at('2026-03-01T09:00:00Z'),
  state: 'published',
  rating: 2,
  text: 'Le texte publié de cet avis, assez long.',
  createdAt: at('2026-03-02T09:00:00Z'),
  submittedAt: at('2026-03-02T09:00:00Z'),
  published: { rating: 2, text: 'Le texte publié de cet avis, assez long.', publishedAt: at('2026-03-03T09:00:00Z') },
  version: 2,
};
const filed = fileReport(
  review,
  { reporterId: 'reporter-1', reason: 'abusive', explanation: 'Propos injurieux envers la praticienne.' },
  `rpt_${'b'.repeat(32)}`,
  at('2026-04-01T10:00:00Z'),
);
const decided = (outcome: 'keep' | 'remove' | 'restrict', decidedAt = '2026-04-02T10:00:00Z'): Report => ({
  ...filed,
  state: 'decided',
  decision: {
    id: `dec_${'c'.repeat(32)}`,
    outcome,
    ground: outcome === 'keep' ? 'none' : 'abusive',
    statement: 'Le texte contient une insulte visant la praticienne.',
    moderatorId: 'mod-1',
    decidedAt: at(decidedAt),
  },
});

describe('filing a report', () => {
  it('needs a publicly listed review, not one’s own; the practitioner may report', () => {
    expect(filingRefusal(undefined, 'x')).toBe('not-listed');
    expect(filingRefusal({ ...review, state: 'pending', published: undefined } as Review, 'x')).toBe('not-listed');
    expect(filingRefusal({ ...review, state: 'removed' }, 'x')).toBe('not-listed');
    expect(filingRefusal(review, 'author-1')).toBe('own-review');
    expect(filingRefusal(review, 'prac-1')).toBeUndefined();
    expect(filingRefusal({ ...review, restricted: true }, 'x')).toBeUndefined();
  });

  it('snapshots what the public saw, open', () => {
    expect(filed).toMatchObject({
      state: 'open',
      reviewAuthorId: 'author-1',
      practitionerId: 'prac-1',
      reported: { rating: 2, text: review.published?.text, restricted: false },
    });
  });
});

describe('decisions and their reversal', () => {
  it('changes the review only when it is still published', () => {
    expect(decisionEffect('keep', review)).toBe('none');
    expect(decisionEffect('remove', review)).toBe('remove');
    expect(decisionEffect('restrict', review)).toBe('restrict');
    expect(decisionEffect('restrict', { ...review, restricted: true })).toBe('none');
    expect(decisionEffect('remove', { ...review, state: 'removed' })).toBe('none');
    expect(decisionEffect('remove', undefined)).toBe('none');
  });

  it('a reversal restores a removed or restricted review, removes a kept one', () => {
    expect(reversalEffect('remove', { ...review, state: 'removed' })).toBe('restore');
    expect(reversalEffect('restrict', { ...review, restricted: true })).toBe('restore');
    expect(reversalEffect('keep', review)).toBe('remove');
    expect(reversalEffect('keep', undefined)).toBe('none');
    expect(reversalEffect('remove', review)).toBe('none');
  });
});

describe('appeals', () => {
  const now = at('2026-05-01T00:00:00Z');
  it('by the reporter or the author, once decided, within 6 months, once each', () => {
    expect(appealRefusal(filed, 'reporter-1', now)).toBe('not-decided');
    expect(appealRefusal(decided('remove'), 'someone', now)).toBe('not-a-party');
    expect(appealRefusal(decided('remove'), 'author-1', now)).toBeUndefined();
    expect(appealRefusal(decided('keep'), 'reporter-1', now)).toBeUndefined();
    expect(appealDeadline(at('2026-04-02T10:00:00Z')).toISOString()).toBe('2026-10-02T10:00:00.000Z');
    expect(appealRefusal(decided('remove'), 'author-1', at('2026-10-02T10:00:00Z'))).toBeUndefined();
    expect(appealRefusal(decided('remove'), 'author-1', at('2026-10-02T10:00:01Z'))).toBe('too-late');
    expect(appealRefusal({ ...decided('remove'), appeals: { author: 'apl_x' } }, 'author-1', now)).toBe(
      'already-appealed',
    );
  });

  it('is decided by another moderator, and mailed with its reasons', () => {
    const report = decided('remove');
    expect(mayDecideAppeal(report, 'mod-1')).toBe(false);
    expect(mayDecideAppeal(report, 'mod-2')).toBe(true);
    const appeal = fileAppeal(report, 'author', 'Mon avis décrit ma séance.', `apl_${'d'.repeat(32)}`, now);
    expect(appeal).toMatchObject({
      appellantId: 'author-1',
      decisionId: report.decision?.id,
      reportFiledAt: filed.filedAt,
    });
    const mail = appealDecisionMail(
      {
        ...appeal,
        state: 'decided',
        decision: { outcome: 'reverse', statement: 'Motifs.', moderatorId: 'mod-2', decidedAt: now },
      },
      report,
      'a@example.test',
      'Zoé',
    );
    expect(mail?.subject).toBe('Votre recours est accepté');
    expect(mail?.text).toContain('de nouveau publié');
  });
});

describe('the reporter bar', () => {
  const now = at('2026-06-01T00:00:00Z');
  const keep = (decidedAt: string, id: string): Report => ({ ...decided('keep', decidedAt), id });
  const three = [
    keep('2026-05-01T00:00:00Z', 'rpt_1'),
    keep('2025-07-01T00:00:00Z', 'rpt_2'),
    keep('2026-01-01T00:00:00Z', 'rpt_3'),
  ];

  it('needs 3 reports found unfounded within 12 months, until at most 6 months ahead', () => {
    const until = at('2026-09-01T00:00:00Z');
    expect(barRefusal(three, until, now)).toBeUndefined();
    expect(barRefusal(three.slice(0, 2), until, now)).toBe('too-few-unfounded');
    expect(barRefusal([...three.slice(0, 2), keep('2025-05-31T00:00:00Z', 'old')], until, now)).toBe(
      'too-few-unfounded',
    );
    expect(barRefusal([...three.slice(0, 2), { ...decided('remove'), id: 'x' }], until, now)).toBe('too-few-unfounded');
    expect(
      barRefusal([...three.slice(0, 2), { ...keep('2026-05-02T00:00:00Z', 'rev'), reversed: true }], until, now),
    ).toBe('too-few-unfounded');
    expect(barRefusal(three, at('2026-12-01T00:00:01Z'), now)).toBe('until-too-far');
    expect(barRefusal(three, now, now)).toBe('until-in-past');
  });

  it('holds until its date', () => {
    const bar = {
      accountId: 'a',
      until: at('2026-07-01T00:00:00Z'),
      reason: 'r',
      moderatorId: 'm',
      barredAt: now,
      reportIds: [],
    };
    expect(isBarred(bar, now)).toBe(true);
    expect(isBarred(bar, at('2026-07-01T00:00:00Z'))).toBe(false);
    expect(isBarred(undefined, now)).toBe(false);
  });
});

describe('mails (French)', () => {
  it('acknowledge, state the reasons to the author, tell the reporter the outcome', () => {
    const ack = reportAcknowledgementMail(filed, 'r@example.test', 'Léa');
    expect(ack.subject).toBe('Nous avons bien reçu votre signalement');
    expect(ack.text).toContain(filed.id);
    expect(statementOfReasonsMail(decided('keep'), review.experienceAt, 'a@example.test', undefined)).toBeUndefined();
    const statement = statementOfReasonsMail(decided('remove'), review.experienceAt, 'a@example.test', 'Zoé');
    expect(statement?.subject).toBe('Votre avis a été retiré');
    expect(statement?.text).toContain('Le texte contient une insulte visant la praticienne.');
    expect(statement?.text).toContain('sans moyen automatisé');
    expect(statement?.text).toContain('2 octobre 2026');
    expect(reportOutcomeMail(decided('keep'), 'r@example.test', 'Léa')?.text).toContain('l’avis est maintenu en ligne');
  });
});

describe('the transparency report', () => {
  const record = (reason: TransparencyRecord['reason'], hours?: number, extra: Partial<TransparencyRecord> = {}) => {
    const filedAt = at('2026-02-01T00:00:00Z');
    return {
      reason,
      filedAt,
      ...(hours === undefined
        ? {}
        : { decision: { outcome: 'keep' as const, decidedAt: new Date(filedAt.getTime() + hours * 3_600_000) } }),
      appealsFiled: 0,
      reversed: false,
      ...extra,
    };
  };

  it('median and nearest-rank p95, exact', () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile([...twenty, 21], 95)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
  });

  it('counts by reason and outcome, times, appeals and reversals; no personal data', () => {
    const records: TransparencyRecord[] = [
      record('abusive', 2),
      record('abusive', 4, {
        decision: { outcome: 'remove', decidedAt: at('2026-02-01T04:00:00Z') },
        appealsFiled: 1,
        reversed: true,
      }),
      record('fake-review', 10, {
        decision: { outcome: 'restrict', decidedAt: at('2026-02-01T10:00:00Z') },
        appealsFiled: 2,
      }),
      record('other', 48),
      record('personal-data'),
    ];
    const report = transparencyReport(records, { from: '2026-01-01', to: '2026-12-31' });
    expect(report.reports.total).toBe(5);
    expect(report.reports.byReason).toMatchObject({
      abusive: 2,
      'fake-review': 1,
      other: 1,
      'personal-data': 1,
      unlawful: 0,
    });
    expect(report.decisions).toEqual({ total: 4, byOutcome: { keep: 2, remove: 1, restrict: 1 }, pending: 1 });
    expect(report.timeToDecisionHours).toEqual({ median: 7, p95: 48 });
    expect(report.appeals).toEqual({ filed: 3, reversed: 1 });
    expect(transparencyReport([], { from: '2026-01-01', to: '2026-01-31' }).timeToDecisionHours).toBeNull();
  });

  it('reads the month buckets a period touches', () => {
    expect(monthsOf('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsOf('2026-01-01', '2026-01-31')).toEqual(['2026-01']);
  });
});
