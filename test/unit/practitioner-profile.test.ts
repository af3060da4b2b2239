/** A practitioner's own profile: the use cases with an in-memory store, and the contract's validation. */
import { describe, expect, it } from 'vitest';
import type { PractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { PractitionerIdPath, PractitionerProfileInput } from '#functions/practitioners/contract.ts';
import type { Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { getPublicProfile, listPublishedPractitioners, saveMyProfile } from '#functions/practitioners/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';

function memoryStore(): PractitionerStore & { items: Map<string, Practitioner> } {
  const items = new Map<string, Practitioner>();
  return {
    items,
    async save(p) {
      items.set(p.id, p);
    },
    async find(id) {
      return items.get(id);
    },
    async listPublished() {
      return { items: [...items.values()].filter((p) => p.published) };
    },
  };
}

const input = {
  displayName: 'Camille Martin',
  headline: 'Naturopathe',
  presentation: 'Accompagnement vitalité et sommeil.',
  specialties: ['naturopathy', 'aromatherapy'],
  places: [
    { address: '12 avenue Gambetta', city: 'Hyères', postcode: '83400' },
    { address: '1 rue de la République', city: 'Toulon', postcode: '83000' },
  ],
  offersVideo: true,
  services: [
    { id: 'svc_kept', name: 'Bilan', durationMinutes: 90, priceCents: 7000 },
    { name: 'Suivi', durationMinutes: 45, priceCents: 4500 },
  ],
  published: true,
};

function setup() {
  const store = memoryStore();
  const clock = manualClock('2026-11-26T10:00:00Z');
  let n = 0;
  const deps = { store, clock, newServiceId: () => `svc_new${++n}` };
  return { store, clock, deps };
}

describe('saving one’s own profile', () => {
  it('saves under the caller’s account id, keeps given service ids and gives new ones', async () => {
    const { store, deps } = setup();
    const saved = await saveMyProfile(deps, 'account-1', PractitionerProfileInput.parse(input));
    expect(saved).toMatchObject({ id: 'account-1', published: true, displayName: 'Camille Martin' });
    expect(saved.services.map((s) => s.id)).toEqual(['svc_kept', 'svc_new1']);
    const stored = store.items.get('account-1')!;
    expect(stored.lastActivityAt).toEqual(new Date('2026-11-26T10:00:00Z'));
    // the listing shows the first place
    expect(stored).toMatchObject({ city: 'Hyères', postcode: '83400' });
    expect([...store.items.keys()]).toEqual(['account-1']);
  });

  it('replaces the profile on the next save and moves its activity date', async () => {
    const { store, clock, deps } = setup();
    await saveMyProfile(deps, 'account-1', PractitionerProfileInput.parse(input));
    clock.advance(86_400_000);
    await saveMyProfile(
      deps,
      'account-1',
      PractitionerProfileInput.parse({ ...input, places: [], headline: 'Autre', published: false }),
    );
    const stored = store.items.get('account-1')!;
    expect(stored).toMatchObject({ headline: 'Autre', published: false, places: [] });
    expect(stored.city).toBeUndefined();
    expect(stored.lastActivityAt).toEqual(new Date('2026-11-27T10:00:00Z'));
  });

  it('lists the saved profile once published', async () => {
    const { deps } = setup();
    await saveMyProfile(deps, 'account-1', PractitionerProfileInput.parse(input));
    const page = await listPublishedPractitioners(deps, { limit: 20 });
    expect(page.items).toEqual([
      {
        id: 'account-1',
        displayName: 'Camille Martin',
        headline: 'Naturopathe',
        specialties: ['naturopathy', 'aromatherapy'],
        city: 'Hyères',
        postcode: '83400',
        offersVideo: true,
      },
    ]);
  });
});

describe('the public profile', () => {
  it('shows a published profile with its services and an empty reviews summary', async () => {
    const { deps } = setup();
    await saveMyProfile(deps, 'account-1', PractitionerProfileInput.parse(input));
    const profile = await getPublicProfile(deps, 'account-1');
    expect(profile.reviews).toEqual({ count: 0, average: null });
    expect(profile.services).toHaveLength(2);
    expect(profile).not.toHaveProperty('published');
  });

  it('is a 404 for an unknown or unpublished profile', async () => {
    const { deps } = setup();
    await saveMyProfile(deps, 'account-2', PractitionerProfileInput.parse({ ...input, published: false }));
    for (const id of ['account-2', 'nobody']) {
      await expect(getPublicProfile(deps, id)).rejects.toSatisfy(
        (e: unknown) => e instanceof HttpProblem && e.status === 404,
      );
    }
  });
});

describe('the profile contract', () => {
  const invalid = (patch: Record<string, unknown>) =>
    !PractitionerProfileInput.safeParse({ ...input, ...patch }).success;

  it('accepts a full profile, and a video-only one', () => {
    expect(PractitionerProfileInput.safeParse(input).success).toBe(true);
    expect(PractitionerProfileInput.safeParse({ ...input, places: [] }).success).toBe(true);
  });

  it('refuses unknown fields, at the top and inside places and services', () => {
    expect(invalid({ id: 'someone-else' })).toBe(true);
    expect(invalid({ places: [{ ...input.places[0], country: 'FR' }] })).toBe(true);
    expect(invalid({ services: [{ ...input.services[1], currency: 'USD' }] })).toBe(true);
  });

  it('refuses missing fields', () => {
    expect(PractitionerProfileInput.safeParse({}).success).toBe(false);
    const { published: _p, ...withoutPublished } = input;
    expect(PractitionerProfileInput.safeParse(withoutPublished).success).toBe(false);
  });

  it('keeps the presentation to 2000 characters', () => {
    expect(invalid({ presentation: 'a'.repeat(2000) })).toBe(false);
    expect(invalid({ presentation: 'a'.repeat(2001) })).toBe(true);
  });

  it('takes specialties from the vocabulary, at least one, each once', () => {
    expect(invalid({ specialties: [] })).toBe(true);
    expect(invalid({ specialties: ['astrology'] })).toBe(true);
    expect(invalid({ specialties: ['yoga', 'yoga'] })).toBe(true);
  });

  it('takes at most 5 places with 5-digit postcodes, and needs a place or video', () => {
    const place = input.places[0]!;
    expect(invalid({ places: Array.from({ length: 5 }, () => place) })).toBe(false);
    expect(invalid({ places: Array.from({ length: 6 }, () => place) })).toBe(true);
    for (const postcode of ['8340', '834000', '2A004', '83 400']) {
      expect(invalid({ places: [{ ...place, postcode }] }), postcode).toBe(true);
    }
    expect(invalid({ places: [], offersVideo: false })).toBe(true);
  });

  it('takes 1 to 20 services of 5 to 480 minutes, priced in whole cents, ids once', () => {
    const service = { name: 'Séance', durationMinutes: 60, priceCents: 5000 };
    expect(invalid({ services: [] })).toBe(true);
    expect(invalid({ services: Array.from({ length: 20 }, () => service) })).toBe(false);
    expect(invalid({ services: Array.from({ length: 21 }, () => service) })).toBe(true);
    expect(invalid({ services: [{ ...service, durationMinutes: 4 }] })).toBe(true);
    expect(invalid({ services: [{ ...service, durationMinutes: 481 }] })).toBe(true);
    expect(invalid({ services: [{ ...service, durationMinutes: 480 }] })).toBe(false);
    expect(invalid({ services: [{ ...service, priceCents: -1 }] })).toBe(true);
    expect(invalid({ services: [{ ...service, priceCents: 49.5 }] })).toBe(true);
    expect(invalid({ services: [{ ...service, priceCents: 0 }] })).toBe(false);
    expect(
      invalid({
        services: [
          { ...service, id: 'svc_a' },
          { ...service, id: 'svc_a' },
        ],
      }),
    ).toBe(true);
  });

  it('takes a practitioner id of safe characters only', () => {
    expect(PractitionerIdPath.safeParse({ practitionerId: 'prac_demo0000000001' }).success).toBe(true);
    expect(PractitionerIdPath.safeParse({ practitionerId: '../x' }).success).toBe(false);
  });
});
