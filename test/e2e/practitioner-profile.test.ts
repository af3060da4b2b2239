/**
 * A practitioner manages their own profile over HTTP against the local cloud, with real Cognito
 * emulator tokens: PUT /practitioners/me/profile saves it under their account id, it shows in the
 * public listing and at GET /practitioners/{id}; a client is refused, unknown fields are a 400, and
 * an unpublished profile is a 404 on the public route and leaves the listing.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { callFrom } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
const api = cloud.urls.api;
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.91';
const marker = randomUUID().slice(0, 8);

const profile = {
  displayName: `Aurore Test ${marker}`,
  headline: 'Sophrologue, gestion du stress',
  presentation: 'Séances individuelles au cabinet ou en visio.',
  specialties: ['sophrology', 'meditation'],
  places: [{ address: '5 rue d’Alger', city: 'Toulon', postcode: '83000' }],
  offersVideo: true,
  services: [
    { name: 'Première séance', durationMinutes: 75, priceCents: 6500 },
    { id: 'svc_suivi', name: 'Séance de suivi', durationMinutes: 60, priceCents: 5500 },
  ],
  published: true,
};

function put(person: Person, body: unknown) {
  return callFrom(IP, `${api}/practitioners/me/profile`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${person.idToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const get = (path: string) => callFrom(IP, `${api}${path}`);

async function listedIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const reply = await get(`/practitioners?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(reply.status).toBe(200);
    const page = JSON.parse(reply.body) as { items: { id: string }[]; nextCursor?: string };
    ids.push(...page.items.map((p) => p.id));
    cursor = page.nextCursor;
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
    const body = JSON.parse(saved.body);
    expect(body).toMatchObject({ id: practitioner.accountId, published: true, displayName: profile.displayName });
    expect(body.services[0].id).toMatch(/^svc_/);
    expect(body.services[1].id).toBe('svc_suivi');

    expect(await listedIds()).toContain(practitioner.accountId);

    const shown = await get(`/practitioners/${practitioner.accountId}`);
    expect(shown.status).toBe(200);
    const publicProfile = JSON.parse(shown.body);
    expect(publicProfile).toEqual({
      id: practitioner.accountId,
      displayName: profile.displayName,
      headline: profile.headline,
      presentation: profile.presentation,
      specialties: profile.specialties,
      places: profile.places,
      offersVideo: true,
      services: body.services,
      reviews: { count: 0, average: null },
    });
  });

  it('is refused to a client, and to unknown fields', async () => {
    expect((await put(client, profile)).status).toBe(403);
    const unknownField = await put(practitioner, { ...profile, id: client.accountId });
    expect(unknownField.status).toBe(400);
    expect(unknownField.headers['content-type']).toContain('application/problem+json');
    // nothing was written under the other account
    expect((await get(`/practitioners/${client.accountId}`)).status).toBe(404);
  });

  it('is a 404 on the public route once unpublished, and leaves the listing', async () => {
    expect((await put(practitioner, { ...profile, published: false })).status).toBe(200);
    expect((await get(`/practitioners/${practitioner.accountId}`)).status).toBe(404);
    expect(await listedIds()).not.toContain(practitioner.accountId);
  });
});
