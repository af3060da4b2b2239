/** The practitioners context's use cases. */
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { CancellationPolicy, Schedule } from '#shared/offer/schedule.ts';
import type { ReviewSummaryReader } from '#shared/reviews/review-summary-reader.ts';
import type { PractitionerStore } from './adapters/practitioner-store.ts';
import { listingLocation, type Place, type Practitioner, type Service } from './domain/practitioner.ts';
import { type SearchCriteria, searchKeyOf } from './domain/search.ts';
import type { Specialty } from './domain/specialties.ts';

/**
 * The public listing, by name: every published practitioner, or with search criteria only those
 * found by them (one index key each: specialty, city, postcode, specialty with city or postcode).
 * The cursor is opaque and tied to its search: another search's cursor is a 400.
 */
export async function listPublishedPractitioners(
  deps: { store: PractitionerStore; clock: Clock },
  query: { limit: number; cursor?: string | undefined } & SearchCriteria,
) {
  const options = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}), now: deps.clock.now() };
  const key = searchKeyOf(query);
  const page = key ? await deps.store.search({ ...options, key }) : await deps.store.listPublished(options);
  return {
    items: page.items.map((p) => ({
      id: p.id,
      displayName: p.displayName,
      headline: p.headline,
      specialties: [...p.specialties],
      ...(p.city ? { city: p.city } : {}),
      ...(p.postcode ? { postcode: p.postcode } : {}),
      offersVideo: p.offersVideo,
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** What a practitioner writes: the validated body of `PUT /practitioners/me/profile`. */
export interface ProfileInput {
  readonly displayName: string;
  readonly headline: string;
  readonly presentation: string;
  readonly specialties: readonly Specialty[];
  readonly places: readonly Place[];
  readonly offersVideo: boolean;
  readonly services: readonly (Omit<Service, 'id'> & { readonly id?: string | undefined })[];
  readonly availability: Schedule;
  readonly cancellationPolicy: CancellationPolicy;
  readonly published: boolean;
}

function profileView(p: Practitioner) {
  return {
    id: p.id,
    displayName: p.displayName,
    headline: p.headline,
    presentation: p.presentation,
    specialties: [...p.specialties],
    places: p.places.map((place) => ({ ...place })),
    offersVideo: p.offersVideo,
    services: p.services.map((s) => ({ ...s })),
    availability: structuredClone(p.availability),
    cancellationPolicy: { ...p.cancellationPolicy },
  };
}

/** The profile as its owner sees it: what they saved, and whether it is published. */
const ownProfileView = (p: Practitioner) => ({ ...profileView(p), published: p.published });

/**
 * Creates or replaces the profile of the calling practitioner. The profile's id is the caller's
 * account id, taken from the verified token and never from the request: a practitioner can only
 * ever write their own profile (ownership by construction, there is no other profile to name).
 * A service keeps the id it is sent with; a new one gets a fresh id.
 */
export async function saveMyProfile(
  deps: { store: PractitionerStore; clock: Clock; newServiceId: () => string },
  accountId: string,
  input: ProfileInput,
) {
  const profile: Practitioner = {
    id: accountId,
    displayName: input.displayName,
    headline: input.headline,
    presentation: input.presentation,
    specialties: [...input.specialties],
    ...listingLocation(input.places),
    places: input.places.map((p) => ({ address: p.address, city: p.city, postcode: p.postcode })),
    offersVideo: input.offersVideo,
    services: input.services.map((s) => ({
      id: s.id ?? deps.newServiceId(),
      name: s.name,
      durationMinutes: s.durationMinutes,
      priceCents: s.priceCents,
      payment: { ...s.payment },
    })),
    availability: structuredClone(input.availability),
    cancellationPolicy: {
      freeUntilHoursBefore: input.cancellationPolicy.freeUntilHoursBefore,
      lateCancellationFeePercent: input.cancellationPolicy.lateCancellationFeePercent,
    },
    published: input.published,
    lastActivityAt: deps.clock.now(),
  };
  await deps.store.save(profile);
  return ownProfileView(profile);
}

/**
 * The calling practitioner's own profile, published or not (with `published`), in the shape the
 * save answers: what their profile form edits. 404 when they have none yet (or it is due).
 */
export async function getMyProfile(deps: { store: PractitionerStore; clock: Clock }, accountId: string) {
  const profile = await deps.store.find(accountId, deps.clock.now());
  if (!profile)
    throw new HttpProblem(
      404,
      'No profile yet',
      'You have no profile yet: create it with PUT /practitioners/me/profile',
    );
  return ownProfileView(profile);
}

/** A published, live profile as anyone sees it; 404 for an unknown, unpublished or due one alike. */
export async function getPublicProfile(
  deps: { store: PractitionerStore; clock: Clock; reviewSummaries: ReviewSummaryReader },
  practitionerId: string,
) {
  // The profile and the reviews context's projection (ADR 0015, read through the shared kernel)
  // at once: one round trip's wait instead of two.
  const [profile, reviews] = await Promise.all([
    deps.store.find(practitionerId, deps.clock.now()),
    deps.reviewSummaries.find(practitionerId),
  ]);
  if (!profile?.published) throw new HttpProblem(404, 'Not found', 'No published practitioner has this id');
  return { ...profileView(profile), reviews };
}

/**
 * A practitioner who deleted their account can no longer be found or booked: their profile is
 * unpublished at once (it leaves the listing and the search), and is kept as their account data
 * is, until the purge. Idempotent: an unpublished or absent profile is left as it is.
 */
export async function withdrawProfileOfDeletedAccount(
  deps: { store: PractitionerStore; clock: Clock },
  accountId: string,
): Promise<'withdrawn' | 'not-published'> {
  const profile = await deps.store.find(accountId, deps.clock.now());
  if (!profile?.published) return 'not-published';
  await deps.store.save({ ...profile, published: false });
  return 'withdrawn';
}
