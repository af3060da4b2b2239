/**
 * A practitioner manages their own profile over HTTP against the local cloud, with real Cognito
 * emulator tokens: PUT /practitioners/me/profile saves it under their account id, with its opening
 * hours and cancellation policy; it shows in the public listing, in the search by specialty, city
 * and postcode, and at GET /practitioners/{id}; a client is refused, unknown fields are a 400, and
 * an unpublished profile is a 404 on the public route and leaves the listing and the search.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { paths } from '../../clients/typescript/src/index.ts';
import { apiClient, callApi } from '../support/api.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

type ProfileInput = paths['/practitioners/me/profile']['put']['requestBody']['content']['application/json'];
type ListQuery = NonNullable<paths['/practitioners']['get']['parameters']['query']>;

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.91';
const marker = randomUUID().slice(0, 8);

const availability: ProfileInput['availability'] = {
  weekly: {
    monday: [
      { from: '09:00', to: '12:30' },
      { from: '14:00', to: '18:30' },
    ],
    thursday: [
      { from: '09:00', to: '12:30' },
      { from: '14:00', to: '19:00' },
    ],
    saturday: [{ from: '09:00', to: '12:00' }],
  },
  exceptions: [
    { kind: 'closed-days', from: '2026-12-24', to: '2027-01-02' },
    { kind: 'extra-opening', date: '2026-12-19', ranges: [{ from: '10:00', to: '13:00' }] },
  ],
  minimumNoticeMinutes: 720,
  bookingHorizonDays: 60,
  bufferMinutes: 10,
  slotStepMinutes: 15,
};
const cancellationPolicy: ProfileInput['cancellationPolicy'] = {
  freeUntilHoursBefore: 48,
  lateCancellationFeePercent: 50,
};

const profile: ProfileInput = {
  displayName: `Aurore Test ${marker}`,
  headline: 'Sophrologue, gestion du stress',
  presentation: 'Séances individuelles au cabinet ou en visio.',
  specialties: ['sophrology', 'meditation'],
  places: [
    { address: '5 rue d’Alger', city: 'Toulon', postcode: '83000' },
    { address: '2 place du Peuple', city: 'Saint-Étienne', postcode: '42000' },
  ],
  offersVideo: true,
  services: [
    { name: 'Première séance', durationMinutes: 75, priceCents: 6500 },
    { id: 'svc_suivi', name: 'Séance de suivi', durationMinutes: 60, priceCents: 5500 },
  ],
  availability,
  cancellationPolicy,
  published: true,
};

const put = async (person: Person, body: ProfileInput) => {
  const { data, error, response } = await apiClient(cloud, IP, person).PUT('/practitioners/me/profile', { body });
  return { status: response.status, data, error, contentType: response.headers.get('content-type') };
};

/** A profile the typed client would not send (an unknown field): raw, its answer validated alike. */
const putRaw = (person: Person, body: unknown) =>
  callApi(cloud, IP, 'PUT', '/practitioners/me/profile', {
    person,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const visitor = apiClient(cloud, IP);
const publicProfile = (practitionerId: string) =>
  visitor.GET('/practitioners/{practitionerId}', { params: { path: { practitionerId } } });
/** A listing from a URL written by hand (a forged cursor, values out of the vocabulary): validated alike. */
const get = (path: string) => callApi(cloud, IP, 'GET', path);

/** Every id the listing shows (with search criteria: every id the search finds), page after page. */
async function listedIds(search: ListQuery = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const { data, response } = await visitor.GET('/practitioners', {
      params: { query: { limit: 50, ...search, ...(cursor ? { cursor } : {}) } },
    });
    expect(response.status).toBe(200);
    ids.push(...(data?.items ?? []).map((p) => p.id));
    cursor = data?.nextCursor;
  } while (cursor);
  return ids;
}

let practitioner: Person;
let client: Person;
beforeAll(async () => {
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
});

describe('a practitioner’s own profile', () => {
  it('is saved under their account id and shown publicly with its services', async () => {
    const saved = await put(practitioner, profile);
    expect(saved.status).toBe(200);
    const body = saved.data!;
    expect(body).toMatchObject({ id: practitioner.accountId, published: true, displayName: profile.displayName });
    expect(body.services[0]!.id).toMatch(/^svc_/);
    expect(body.services[1]!.id).toBe('svc_suivi');

    expect(await listedIds()).toContain(practitioner.accountId);

    const shown = await publicProfile(practitioner.accountId);
    expect(shown.response.status).toBe(200);
    expect(shown.data).toEqual({
      id: practitioner.accountId,
      displayName: profile.displayName,
      headline: profile.headline,
      presentation: profile.presentation,
      specialties: profile.specialties,
      places: profile.places,
      offersVideo: true,
      services: body.services,
      availability,
      cancellationPolicy,
      reviews: { count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } },
    });
    expect(body.availability).toEqual(availability);
    expect(body.cancellationPolicy).toEqual(cancellationPolicy);
  });

  it('takes the default hours and policy when the body has none', async () => {
    const { availability: _a, cancellationPolicy: _c, ...withoutOffer } = profile;
    const saved = await put(practitioner, withoutOffer);
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({
      availability: { weekly: {}, exceptions: [], minimumNoticeMinutes: 120, bookingHorizonDays: 60, bufferMinutes: 0 },
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
    });
    expect((await put(practitioner, profile)).status).toBe(200);
  });

  it('refuses malformed hours with a 400 naming the field', async () => {
    const reply = await put(practitioner, {
      ...profile,
      availability: { ...availability, weekly: { monday: [{ from: '14:00', to: '09:07' }] } },
    });
    expect(reply.status).toBe(400);
    expect(reply.contentType).toContain('application/problem+json');
    expect(reply.error?.errors?.map((e) => e.field)).toContain('availability.weekly.monday.0.to');
    const overlong = await put(practitioner, {
      ...profile,
      services: [{ name: 'Journée', durationMinutes: 300, priceCents: 20000 }],
    });
    expect(overlong.status).toBe(400);
  });

  it('is found by specialty, city and postcode, the city written any way', async () => {
    const me = practitioner.accountId;
    for (const search of [
      { specialty: 'sophrology' },
      { city: 'Toulon' },
      { postcode: '42000' },
      { specialty: 'sophrology', city: 'saint etienne' },
      { specialty: 'meditation', city: 'SAINT-ÉTIENNE' },
      { specialty: 'sophrology', postcode: '83000' },
    ] satisfies ListQuery[]) {
      expect(await listedIds(search), JSON.stringify(search)).toContain(me);
    }
    for (const search of [
      { specialty: 'hypnosis' },
      { city: 'Marseille' },
      { specialty: 'sophrology', postcode: '13006' },
    ] satisfies ListQuery[]) {
      expect(await listedIds(search), JSON.stringify(search)).not.toContain(me);
    }
  });

  it('searches in name order and pages with the cursor', async () => {
    const firstPage = await visitor.GET('/practitioners', {
      params: { query: { limit: 1, specialty: 'sophrology', city: 'toulon' } },
    });
    expect(firstPage.response.status).toBe(200);
    expect(firstPage.data?.items).toHaveLength(1);
    expect(firstPage.data?.nextCursor).toBeDefined();
    // this test's Aurore, then the demo sophrologist of Toulon, Élodie: by name, accents ignored
    const all = await listedIds({ specialty: 'sophrology', city: 'toulon' });
    expect(all.indexOf(practitioner.accountId)).toBeGreaterThanOrEqual(0);
    expect(all.indexOf(practitioner.accountId)).toBeLessThan(all.indexOf('prac_demo0000000002'));
  });

  it('answers 400 to a city with a postcode, a forged cursor, an unknown specialty', async () => {
    const both = await get('/practitioners?city=Toulon&postcode=83000');
    expect(both.status).toBe(400);
    expect(both.headers['content-type']).toContain('application/problem+json');
    expect((JSON.parse(both.body) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'query.postcode',
    ]);
    const forged = Buffer.from(
      JSON.stringify({ pk: 'PRACTITIONER#x', sk: 'SEARCH#city#toulon', searchPk: 'city#paris', searchSk: 'a' }),
    ).toString('base64url');
    for (const path of [
      `/practitioners?city=Toulon&cursor=${forged}`,
      '/practitioners?specialty=sophrology&cursor=bm90LWEtY3Vyc29y',
      `/practitioners?cursor=${forged}`,
      '/practitioners?specialty=astrology',
      '/practitioners?postcode=830',
    ]) {
      const reply = await get(path);
      expect(reply.status, path).toBe(400);
      expect(reply.headers['content-type'], path).toContain('application/problem+json');
    }
  });

  it('is refused to a client, and to unknown fields', async () => {
    expect((await put(client, profile)).status).toBe(403);
    const unknownField = await putRaw(practitioner, { ...profile, id: client.accountId });
    expect(unknownField.status).toBe(400);
    expect(unknownField.headers['content-type']).toContain('application/problem+json');
    // nothing was written under the other account
    expect((await publicProfile(client.accountId)).response.status).toBe(404);
  });

  it('is a 404 on the public route once unpublished, and leaves the listing and the search', async () => {
    expect((await put(practitioner, { ...profile, published: false })).status).toBe(200);
    expect((await publicProfile(practitioner.accountId)).response.status).toBe(404);
    expect(await listedIds()).not.toContain(practitioner.accountId);
    expect(await listedIds({ specialty: 'sophrology', city: 'Toulon' })).not.toContain(practitioner.accountId);
  });
});

describe('the demo practitioners', () => {
  it('are seeded with weekly hours, a lunch break, a cancellation policy, and are found by the search', async () => {
    const shown = await publicProfile('prac_demo0000000001');
    expect(shown.response.status).toBe(200);
    const demo = shown.data!;
    expect(demo.availability.weekly.monday).toEqual([
      { from: '09:00', to: '12:30' },
      { from: '14:00', to: '18:30' },
    ]);
    expect(demo.cancellationPolicy).toEqual({ freeUntilHoursBefore: 48, lateCancellationFeePercent: 50 });
    expect(await listedIds({ specialty: 'hypnosis', city: 'aix en provence' })).toEqual(['prac_demo0000000004']);
    expect(await listedIds({ city: 'hyeres' })).toEqual(['prac_demo0000000001']);
    expect(await listedIds({ postcode: '13006' })).toContain('prac_demo0000000003');
  });
});
