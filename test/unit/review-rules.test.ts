/** The review lifecycle's rules (ADR 0015): eligibility, display name, edits, decisions, replies, events, mails. */
import { describe, expect, it } from 'vitest';
import { ReviewInput } from '#functions/reviews/contract.ts';
import { REFUSAL_REASONS } from '#functions/reviews/domain/moderation.ts';
import {
  assertMayReview,
  awaitsModeration,
  decideReview,
  displayName,
  editReview,
  newReview,
  type Review,
  type ReviewInvitation,
  ReviewRefused,
  reviewIdFor,
} from '#functions/reviews/domain/review.ts';
import { type ReviewSnapshot, reviewEventsOf } from '#functions/reviews/domain/review-events.ts';
import { publicationMail, refusalMail } from '#functions/reviews/domain/review-mail.ts';
import { decideReply, writeReply } from '#functions/reviews/domain/review-reply.ts';
import { publicReviewView } from '#functions/reviews/review-use-cases.ts';
import { consumerAccepts, streamConsumers } from '#functions/streams.ts';

const hex = '0123456789abcdef0123456789abcdef';
const client = '11111111-1111-4111-8111-111111111111';
const practitioner = '22222222-2222-4222-8222-222222222222';
const start = new Date('2025-03-01T09:00:00Z');
const invitation: ReviewInvitation = {
  appointmentId: `apt_${hex}`,
  clientId: client,
  practitionerId: practitioner,
  startsAt: start,
};
const days = (n: number) => new Date(start.getTime() + n * 86_400_000);
const content = { rating: 4, text: 'Très bonne séance, je recommande vivement.' };

const refusedKind = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ReviewRefused ? error.kind : 'other';
  }
  return 'none';
};

const published = (): Review =>
  decideReview(newReview(invitation, 'Zoé M.', content, days(1)), 'accept', undefined, days(2));

describe('who may review, and until when', () => {
  it('derives one review id per appointment', () => {
    expect(reviewIdFor(`apt_${hex}`)).toBe(`rev_${hex}`);
    expect(refusedKind(() => reviewIdFor('apt_nothex'))).toBe('not-found');
  });

  it('lets the client review within 90 days of the appointment, not after', () => {
    expect(assertMayReview(invitation, client, days(89.9))).toBe(invitation);
    expect(refusedKind(() => assertMayReview(invitation, client, days(90)))).toBe('forbidden');
  });

  it('hides the appointment from anyone else, refuses the practitioner, and needs the invitation', () => {
    expect(refusedKind(() => assertMayReview(invitation, '33333333-3333-4333-8333-333333333333', days(1)))).toBe(
      'not-found',
    );
    expect(refusedKind(() => assertMayReview(invitation, practitioner, days(1)))).toBe('forbidden');
    expect(refusedKind(() => assertMayReview({ ...invitation, clientId: practitioner }, practitioner, days(1)))).toBe(
      'forbidden',
    );
    expect(refusedKind(() => assertMayReview(undefined, client, days(1)))).toBe('not-found');
  });

  it('validates the input: rating 1–5 integer, text 20–2000 characters, trimmed, line breaks as LF', () => {
    const ok = ReviewInput.parse({ appointmentId: `apt_${hex}`, rating: 5, text: `  ${'a'.repeat(18)}\r\nbb  ` });
    expect(ok.text).toBe(`${'a'.repeat(18)}\nbb`);
    for (const bad of [
      { rating: 0 },
      { rating: 6 },
      { rating: 4.5 },
      { text: 'trop court' },
      { text: 'x'.repeat(2001) },
      { text: `${'a'.repeat(20)}\u0000` },
    ])
      expect(
        ReviewInput.safeParse({ appointmentId: `apt_${hex}`, ...content, ...bad }).success,
        JSON.stringify(bad),
      ).toBe(false);
  });
});

describe('the author’s display name', () => {
  it('is the first name and the initial of the last name', () => {
    expect(displayName('Zoé', 'Martin')).toBe('Zoé M.');
    expect(displayName(' Jean-Pierre ', 'élie')).toBe('Jean-Pierre É.');
    expect(displayName('Zoé', "d'Arc")).toBe('Zoé D.');
    expect(displayName('Zoé', undefined)).toBe('Zoé');
    expect(displayName(undefined, 'Martin')).toBe('Client M.');
    expect(displayName('', '')).toBe('Client');
  });
});

describe('edits, decisions and withdrawals', () => {
  it('publishes an accepted review, refuses one with its reason', () => {
    const review = newReview(invitation, 'Zoé M.', content, days(1));
    expect(review).toMatchObject({ id: `rev_${hex}`, state: 'pending', version: 1, authorId: client });
    expect(awaitsModeration(review)).toBe(true);
    const accepted = decideReview(review, 'accept', undefined, days(2));
    expect(accepted).toMatchObject({ state: 'published', version: 2, published: { ...content, publishedAt: days(2) } });
    expect(awaitsModeration(accepted)).toBe(false);
    const refused = decideReview(review, 'refuse', 'advertising', days(2));
    expect(refused).toMatchObject({ state: 'refused', refusal: { reason: 'advertising', at: days(2) } });
    expect(refusedKind(() => decideReview(review, 'refuse', undefined, days(2)))).toBe('conflict');
    expect(refusedKind(() => decideReview(accepted, 'accept', undefined, days(3)))).toBe('conflict');
  });

  it('keeps a published review’s text online until its revision is accepted; the update date is the acceptance’s', () => {
    const edit = { rating: 2, text: 'Finalement, la séance était trop courte.' };
    const revised = editReview(published(), client, edit, days(10));
    expect(revised).toMatchObject({ state: 'published', revisionPending: true, ...edit, version: 3 });
    expect(revised.published).toMatchObject({ ...content, publishedAt: days(2) });
    expect(awaitsModeration(revised)).toBe(true);
    const accepted = decideReview(revised, 'accept', undefined, days(11));
    expect(accepted.published).toEqual({ ...edit, publishedAt: days(2), updatedAt: days(11) });
    expect(accepted.revisionPending).toBeUndefined();
    const refused = decideReview(revised, 'refuse', 'abusive', days(11));
    expect(refused).toMatchObject({ state: 'published', published: { ...content }, refusal: { reason: 'abusive' } });
    expect(refused.revisionPending).toBeUndefined();
  });

  it('replaces a pending or refused review, which waits again; only its author edits; a removed one stays', () => {
    const pending = newReview(invitation, 'Zoé M.', content, days(1));
    const edit = { rating: 5, text: 'Séance parfaite, merci pour tout !' };
    expect(editReview(pending, client, edit, days(2))).toMatchObject({ state: 'pending', ...edit, version: 2 });
    const refused = decideReview(pending, 'refuse', 'unintelligible', days(2));
    const again = editReview(refused, client, edit, days(3));
    expect(again).toMatchObject({ state: 'pending', submittedAt: days(3) });
    expect(again.refusal).toBeUndefined();
    expect(refusedKind(() => editReview(pending, practitioner, edit, days(2)))).toBe('not-found');
    expect(refusedKind(() => editReview({ ...published(), state: 'removed' }, client, edit, days(4)))).toBe('conflict');
  });
});

describe('the practitioner’s reply', () => {
  it('is the reviewed practitioner’s only, on a published review, shown once accepted', () => {
    const review = published();
    expect(refusedKind(() => writeReply(review, undefined, client, 'Merci !', days(3)))).toBe('not-found');
    const pendingReview = newReview(invitation, 'Zoé M.', content, days(1));
    expect(refusedKind(() => writeReply(pendingReview, undefined, practitioner, 'Merci !', days(3)))).toBe('conflict');
    const reply = writeReply(review, undefined, practitioner, 'Merci !', days(3));
    expect(reply).toMatchObject({ state: 'pending', version: 1 });
    expect(publicReviewView(review, reply).reply).toBeUndefined();
    const accepted = decideReply(reply, 'accept', undefined, days(4));
    expect(publicReviewView(review, accepted).reply).toEqual({ text: 'Merci !', publishedAt: days(4).toISOString() });
    const revised = writeReply(review, accepted, practitioner, 'Merci beaucoup !', days(5));
    expect(revised).toMatchObject({ state: 'published', revisionPending: true, published: { text: 'Merci !' } });
  });

  it('shows a restricted review’s rating without its text', () => {
    const view = publicReviewView({ ...published(), restricted: true }, undefined);
    expect(view).toMatchObject({
      rating: 4,
      text: null,
      verified: true,
      author: 'Zoé M.',
      experienceDate: '2025-03-01',
    });
    expect(view.note).toBeTruthy();
  });
});

describe('the outbox’s events', () => {
  const snap = (over: Partial<ReviewSnapshot> = {}): ReviewSnapshot => ({
    state: 'pending',
    submittedAt: 'a',
    restricted: false,
    ...over,
  });

  it('names every change', () => {
    expect(reviewEventsOf(undefined, snap())).toEqual(['ReviewSubmitted']);
    expect(reviewEventsOf(snap(), snap({ submittedAt: 'b' }))).toEqual(['ReviewSubmitted']);
    const live = snap({ state: 'published', publishedAt: 'p' });
    expect(reviewEventsOf(snap(), live)).toEqual(['ReviewPublished']);
    expect(reviewEventsOf(live, { ...live, publishedUpdatedAt: 'u' })).toEqual(['ReviewPublished']);
    expect(reviewEventsOf(snap(), snap({ state: 'refused', refusedAt: 'r' }))).toEqual(['ReviewRefused']);
    expect(reviewEventsOf(live, { ...live, refusedAt: 'r' })).toEqual(['ReviewRefused']);
    expect(reviewEventsOf(live, { ...live, restricted: true })).toEqual(['ReviewRemoved']);
    expect(reviewEventsOf({ ...live, restricted: true }, live)).toEqual(['ReviewPublished']);
    expect(reviewEventsOf(live, { ...live, state: 'removed' })).toEqual(['ReviewRemoved']);
    expect(reviewEventsOf(live, undefined)).toEqual(['ReviewWithdrawn']);
    expect(reviewEventsOf(live, live)).toEqual([]);
  });

  it('receives the changes of reviews and every deletion of the table', () => {
    const record = (eventName: string, entity?: string) => ({
      eventName,
      dynamodb: { ...(entity ? { NewImage: { entity: { S: entity } } } : {}) },
    });
    const outbox = streamConsumers.filter(
      (c) => c.target === 'publishReviewEvents' || c.target === 'publishReviewWithdrawals',
    );
    const accepts = (r: ReturnType<typeof record>) => outbox.some((c) => consumerAccepts(c, r));
    expect(accepts(record('INSERT', 'review'))).toBe(true);
    expect(accepts(record('MODIFY', 'review'))).toBe(true);
    expect(accepts(record('REMOVE'))).toBe(true);
    expect(accepts(record('INSERT', 'review-invitation'))).toBe(false);
    expect(accepts(record('MODIFY', 'report'))).toBe(false);
  });
});

describe('the author’s mails', () => {
  it('tells the reason of a refusal in French, and the publication', () => {
    const refused = decideReview(newReview(invitation, 'Zoé M.', content, days(1)), 'refuse', 'personal-data', days(2));
    const mail = refusalMail(refused, 'zoe@example.test', 'Zoé');
    expect(mail?.to).toEqual(['zoe@example.test']);
    expect(mail?.subject).toBe('Votre avis n’a pas été publié');
    expect(mail?.text).toContain(REFUSAL_REASONS['personal-data']);
    expect(mail?.text).toContain('1 mars 2025');
    expect(publicationMail(published(), 'zoe@example.test', 'Zoé')?.subject).toBe('Votre avis est publié');
    expect(publicationMail(refused, 'zoe@example.test', 'Zoé')).toBeUndefined();
  });
});
