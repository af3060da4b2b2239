/**
 * A practitioner's own profile: the use cases with an in-memory store, and the contract's
 * validation, opening hours and cancellation policy included.
 */
import { describe, expect, it } from 'vitest';
import type { PractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { PractitionerIdPath, PractitionerProfileInput } from '#functions/practitioners/contract.ts';
import { demoPractitioners } from '#functions/practitioners/demo-practitioners.ts';
import type { Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { searchKeysOf } from '#functions/practitioners/domain/search.ts';
import {
  getPublicProfile,
  listPublishedPractitioners,
  saveMyProfile,
  withdrawProfileOfDeletedAccount,
} from '#functions/practitioners/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import {
  Availability,
  CancellationPolicy,
  defaultAvailability,
  defaultCancellationPolicy,
} from '#shared/offer/offer.ts';
import { emptyReviewSummary } from '#shared/reviews/review-summary.ts';

const noReviews = { find: async () => emptyReviewSummary };

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
    async search({ key }) {
      return { items: [...items.values()].filter((p) => searchKeysOf(p).includes(key)) };
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
  const deps = { store, clock, newServiceId: () => `svc_new${++n}`, reviewSummaries: noReviews };
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

  it('withdraws the profile of a practitioner who deleted their account, once', async () => {
    const { store, deps } = setup();
    await saveMyProfile(deps, 'account-1', PractitionerProfileInput.parse(input));
    expect(await withdrawProfileOfDeletedAccount(deps, 'account-1')).toBe('withdrawn');
    expect(store.items.get('account-1')).toMatchObject({ published: false, displayName: 'Camille Martin' });
    expect((await listPublishedPractitioners(deps, { limit: 10 })).items).toEqual([]);
    expect(await withdrawProfileOfDeletedAccount(deps, 'account-1')).toBe('not-published');
    expect(await withdrawProfileOfDeletedAccount(deps, 'nobody')).toBe('not-published');
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
    expect(profile.reviews).toEqual(emptyReviewSummary);
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

  it('takes 1 to 20 services of 5 to 240 minutes in steps of 5, priced in whole cents, ids once', () => {
    const service = { name: 'Séance', durationMinutes: 60, priceCents: 5000 };
    expect(invalid({ services: [] })).toBe(true);
    expect(invalid({ services: Array.from({ length: 20 }, () => service) })).toBe(false);
    expect(invalid({ services: Array.from({ length: 21 }, () => service) })).toBe(true);
    for (const durationMinutes of [0, 4, 7, 62, 245, 480, 60.5]) {
      expect(invalid({ services: [{ ...service, durationMinutes }] }), String(durationMinutes)).toBe(true);
    }
    for (const durationMinutes of [5, 45, 75, 240]) {
      expect(invalid({ services: [{ ...service, durationMinutes }] }), String(durationMinutes)).toBe(false);
    }
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

const hours = {
  weekly: {
    monday: [
      { from: '09:00', to: '12:30' },
      { from: '14:00', to: '18:30' },
    ],
    wednesday: [{ from: '09:00', to: '12:00' }],
    saturday: [{ from: '10:00', to: '24:00' }],
  },
  exceptions: [
    { kind: 'closed-days', from: '2026-12-24', to: '2027-01-02' },
    { kind: 'closed-period', from: '2026-12-03T14:00', to: '2026-12-03T18:30' },
    { kind: 'extra-opening', date: '2026-12-05', ranges: [{ from: '14:00', to: '17:00' }] },
  ],
  minimumNoticeMinutes: 1440,
  bookingHorizonDays: 90,
  bufferMinutes: 15,
  slotStepMinutes: 30,
};
const policy = { freeUntilHoursBefore: 48, lateCancellationFeePercent: 50 };

describe('opening hours and cancellation policy', () => {
  it('are saved as given and shown in the saved profile and the public one', async () => {
    const { store, deps } = setup();
    const saved = await saveMyProfile(
      deps,
      'account-1',
      PractitionerProfileInput.parse({ ...input, availability: hours, cancellationPolicy: policy }),
    );
    expect(saved.availability).toEqual(hours);
    expect(saved.cancellationPolicy).toEqual(policy);
    expect(store.items.get('account-1')).toMatchObject({ availability: hours, cancellationPolicy: policy });
    const shown = await getPublicProfile(deps, 'account-1');
    expect(shown.availability).toEqual(hours);
    expect(shown.cancellationPolicy).toEqual(policy);
  });

  it('take their defaults when absent: no hours yet (nothing to book), free until 24 hours before', async () => {
    const parsed = PractitionerProfileInput.parse(input);
    expect(parsed.availability).toEqual(defaultAvailability);
    expect(parsed.availability).toEqual({
      weekly: {},
      exceptions: [],
      minimumNoticeMinutes: 120,
      bookingHorizonDays: 60,
      bufferMinutes: 0,
    });
    expect(parsed.cancellationPolicy).toEqual(defaultCancellationPolicy);
    // each parse gets its own copy: changing one never changes the defaults
    parsed.availability.exceptions.push({ kind: 'closed-days', from: '2026-12-24', to: '2026-12-24' });
    expect(defaultAvailability.exceptions).toEqual([]);
    const { deps } = setup();
    const saved = await saveMyProfile(deps, 'account-1', PractitionerProfileInput.parse(input));
    expect(saved.availability).toEqual(defaultAvailability);
    expect(saved.cancellationPolicy).toEqual(defaultCancellationPolicy);
  });

  const invalidHours = (patch: Record<string, unknown>) =>
    !PractitionerProfileInput.safeParse({ ...input, availability: { ...hours, ...patch } }).success;
  const invalidMonday = (...ranges: { from: string; to: string }[]) => invalidHours({ weekly: { monday: ranges } });

  it('accepts a full week, an empty one, a range ending at 24:00, and no slot step', () => {
    expect(invalidHours({})).toBe(false);
    expect(invalidHours({ weekly: {}, exceptions: [] })).toBe(false);
    expect(invalidMonday({ from: '00:00', to: '24:00' })).toBe(false);
    const { slotStepMinutes: _s, ...withoutStep } = hours;
    expect(PractitionerProfileInput.safeParse({ ...input, availability: withoutStep }).success).toBe(true);
  });

  it('refuses times that are not HH:MM wall-clock times', () => {
    for (const time of ['9:00', '09h00', '25:00', '12:60', '24:30', 'noon', '', '09:00:00']) {
      expect(invalidMonday({ from: time, to: '23:00' }), time).toBe(true);
      expect(invalidMonday({ from: '08:00', to: time }), time).toBe(true);
    }
  });

  it('refuses minutes off the 5-minute grid', () => {
    expect(invalidMonday({ from: '09:07', to: '12:00' })).toBe(true);
    expect(invalidMonday({ from: '09:00', to: '12:32' })).toBe(true);
    expect(
      invalidHours({ exceptions: [{ kind: 'closed-period', from: '2026-12-03T14:01', to: '2026-12-03T18:00' }] }),
    ).toBe(true);
    expect(invalidHours({ minimumNoticeMinutes: 7 })).toBe(true);
    expect(invalidHours({ bufferMinutes: 12 })).toBe(true);
    expect(invalidHours({ slotStepMinutes: 20 })).toBe(false);
    expect(invalidHours({ slotStepMinutes: 22 })).toBe(true);
  });

  it('refuses a range whose start is not before its end', () => {
    expect(invalidMonday({ from: '12:00', to: '12:00' })).toBe(true);
    expect(invalidMonday({ from: '14:00', to: '09:00' })).toBe(true);
    expect(invalidMonday({ from: '24:00', to: '24:00' })).toBe(true);
    expect(
      invalidHours({ exceptions: [{ kind: 'closed-period', from: '2026-12-03T18:00', to: '2026-12-03T14:00' }] }),
    ).toBe(true);
    expect(invalidHours({ exceptions: [{ kind: 'closed-days', from: '2026-12-24', to: '2026-12-23' }] })).toBe(true);
    expect(invalidHours({ exceptions: [{ kind: 'closed-days', from: '2026-12-24', to: '2026-12-24' }] })).toBe(false);
  });

  it('refuses an unknown weekday or field', () => {
    for (const day of ['lundi', 'mondays', 'Monday', 'weekend']) {
      expect(invalidHours({ weekly: { [day]: [{ from: '09:00', to: '12:00' }] } }), day).toBe(true);
    }
    expect(invalidHours({ timeZone: 'Europe/Paris' })).toBe(true);
    expect(invalidMonday({ from: '09:00', to: '12:00', label: 'matin' } as never)).toBe(true);
  });

  it('refuses malformed exceptions', () => {
    for (const exception of [
      { kind: 'holiday', from: '2026-12-24', to: '2026-12-26' },
      { kind: 'closed-days', from: '2026-02-30', to: '2026-03-01' },
      { kind: 'closed-days', from: '24/12/2026', to: '26/12/2026' },
      { kind: 'closed-period', from: '2026-12-03', to: '2026-12-04' },
      { kind: 'extra-opening', date: '2026-12-05', ranges: [] },
      { kind: 'extra-opening', date: '2026-12-05', ranges: [{ from: '17:00', to: '14:00' }] },
    ]) {
      expect(invalidHours({ exceptions: [exception] }), JSON.stringify(exception)).toBe(true);
    }
  });

  it('keeps notice, horizon, buffer and slot step within bounds', () => {
    expect(invalidHours({ minimumNoticeMinutes: -5 })).toBe(true);
    expect(invalidHours({ minimumNoticeMinutes: 0 })).toBe(false);
    expect(invalidHours({ bookingHorizonDays: 0 })).toBe(true);
    expect(invalidHours({ bookingHorizonDays: 365 })).toBe(false);
    expect(invalidHours({ bookingHorizonDays: 366 })).toBe(true);
    expect(invalidHours({ bufferMinutes: 65 })).toBe(true);
    expect(invalidHours({ slotStepMinutes: 0 })).toBe(true);
    const { bookingHorizonDays: _h, ...withoutHorizon } = hours;
    expect(PractitionerProfileInput.safeParse({ ...input, availability: withoutHorizon }).success).toBe(false);
  });

  it('takes a cancellation policy of whole hours (two weeks at most) and a percentage', () => {
    const invalidPolicy = (patch: Record<string, unknown>) =>
      !PractitionerProfileInput.safeParse({ ...input, cancellationPolicy: { ...policy, ...patch } }).success;
    expect(invalidPolicy({})).toBe(false);
    expect(invalidPolicy({ freeUntilHoursBefore: 0, lateCancellationFeePercent: 0 })).toBe(false);
    expect(invalidPolicy({ freeUntilHoursBefore: 14 * 24 })).toBe(false);
    expect(invalidPolicy({ freeUntilHoursBefore: 14 * 24 + 1 })).toBe(true);
    expect(invalidPolicy({ freeUntilHoursBefore: -1 })).toBe(true);
    expect(invalidPolicy({ freeUntilHoursBefore: 1.5 })).toBe(true);
    expect(invalidPolicy({ lateCancellationFeePercent: 101 })).toBe(true);
    expect(invalidPolicy({ refundPercent: 50 })).toBe(true);
    expect(
      PractitionerProfileInput.safeParse({ ...input, cancellationPolicy: { freeUntilHoursBefore: 24 } }).success,
    ).toBe(false);
  });

  it('names the faulty field in the validation error', () => {
    const result = PractitionerProfileInput.safeParse({
      ...input,
      availability: { ...hours, weekly: { monday: [{ from: '09:00', to: '12:32' }] } },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['availability', 'weekly', 'monday', 0, 'to']);
  });
});

describe('the demo practitioners', () => {
  it('hold offers the contract accepts, each with a lunch break', () => {
    for (const p of demoPractitioners(new Date('2026-11-26T10:00:00Z'))) {
      expect(Availability.safeParse(p.availability).error, p.id).toBeUndefined();
      expect(CancellationPolicy.safeParse(p.cancellationPolicy).error, p.id).toBeUndefined();
      expect(
        PractitionerProfileInput.safeParse({
          displayName: p.displayName,
          headline: p.headline,
          presentation: p.presentation,
          specialties: p.specialties,
          places: p.places,
          offersVideo: p.offersVideo,
          services: p.services,
          availability: p.availability,
          cancellationPolicy: p.cancellationPolicy,
          published: p.published,
        }).error,
        p.id,
      ).toBeUndefined();
      const days = Object.values(p.availability.weekly);
      expect(days.length, p.id).toBeGreaterThanOrEqual(4);
      expect(
        days.some((ranges) => ranges.length === 2 && ranges[0]!.to < ranges[1]!.from),
        p.id,
      ).toBe(true);
    }
  });
});
