/**
 * GET /practitioners/me/profile: a practitioner reads their own profile, published or not, in the
 * shape the save answers; none yet is a 404 problem. The use case with an in-memory store.
 */
import { describe, expect, it } from 'vitest';
import type { PractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { getMyPractitionerProfile, PractitionerProfileInput } from '#functions/practitioners/contract.ts';
import type { Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { getMyProfile, getPublicProfile, saveMyProfile } from '#functions/practitioners/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { emptyReviewSummary } from '#shared/reviews/review-summary.ts';

function memoryStore(): PractitionerStore {
  const items = new Map<string, Practitioner>();
  return {
    async save(p) {
      items.set(p.id, structuredClone(p));
    },
    async find(id) {
      return items.get(id);
    },
    async listPublished() {
      return { items: [] };
    },
    async search() {
      return { items: [] };
    },
  };
}

const input = (published: boolean) =>
  PractitionerProfileInput.parse({
    displayName: 'Camille Martin',
    headline: 'Naturopathe',
    presentation: 'Accompagnement vitalité et sommeil.',
    specialties: ['naturopathy'],
    places: [{ address: '12 avenue Gambetta', city: 'Hyères', postcode: '83400' }],
    offersVideo: false,
    services: [{ id: 'svc_bilan', name: 'Bilan', durationMinutes: 90, priceCents: 7000 }],
    published,
  });

function setup() {
  const deps = {
    store: memoryStore(),
    clock: manualClock('2026-11-26T10:00:00Z'),
    newServiceId: () => 'svc_new',
    reviewSummaries: { find: async () => emptyReviewSummary },
  };
  return deps;
}

describe('a practitioner’s own profile', () => {
  it('is a 404 problem before it is saved', async () => {
    const deps = setup();
    const error = await getMyProfile(deps, 'account-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect(error).toMatchObject({ status: 404, title: 'No profile yet' });
  });

  it('reads back an unpublished profile exactly as the save answered it, with its publication state', async () => {
    const deps = setup();
    const saved = await saveMyProfile(deps, 'account-1', input(false));
    const mine = await getMyProfile(deps, 'account-1');
    expect(mine).toEqual(saved);
    expect(mine.published).toBe(false);
    // the public read does not show it
    await expect(getPublicProfile(deps, 'account-1')).rejects.toMatchObject({ status: 404 });
    // and the answer is what the operation declares
    expect(getMyPractitionerProfile.responses[200]!.schema!.parse(mine)).toEqual(mine);
  });

  it('follows publication: published once saved so, with the same fields the public profile shows', async () => {
    const deps = setup();
    await saveMyProfile(deps, 'account-1', input(false));
    await saveMyProfile(deps, 'account-1', input(true));
    const mine = await getMyProfile(deps, 'account-1');
    expect(mine.published).toBe(true);
    const { reviews: _reviews, ...shown } = await getPublicProfile(deps, 'account-1');
    const { published: _published, ...own } = mine;
    expect(own).toEqual(shown);
  });

  it('is only ever the caller’s own: another account’s profile is not theirs to read', async () => {
    const deps = setup();
    await saveMyProfile(deps, 'account-1', input(false));
    await expect(getMyProfile(deps, 'account-2')).rejects.toMatchObject({ status: 404 });
  });
});
