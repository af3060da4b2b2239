/**
 * GET /practitioners/me/profile over HTTP against the local cloud, with real Cognito emulator
 * tokens: a practitioner reads their own profile before it is published (the public route says
 * 404), in the shape PUT answered, with its publication state; none yet is a 404 problem; a
 * client is refused, and a practitioner only ever reads their own.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { callAs } from '../support/bookings.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.61';

const profile = (published: boolean) => ({
  displayName: `Own Profile ${randomUUID().slice(0, 8)}`,
  headline: 'Réflexologue',
  presentation: 'Séances au cabinet.',
  specialties: ['reflexology'],
  places: [{ address: '3 rue Nationale', city: 'Lille', postcode: '59000' }],
  offersVideo: false,
  services: [{ id: 'svc_seance', name: 'Séance', durationMinutes: 60, priceCents: 5000 }],
  published,
});

let practitioner: Person;
let otherPractitioner: Person;
let client: Person;
beforeAll(async () => {
  [practitioner, otherPractitioner, client] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
  ]);
}, 60_000);

const mine = (person: Person) => callAs(cloud, IP, person, 'GET', '/practitioners/me/profile');

describe('GET /practitioners/me/profile', () => {
  it('is a 404 problem before any profile is saved', async () => {
    const reply = await mine(practitioner);
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(reply.body)).toMatchObject({ status: 404, title: 'No profile yet' });
  });

  it('shows the owner their unpublished profile as PUT answered it, while the public route says 404', async () => {
    const saved = await callAs(cloud, IP, practitioner, 'PUT', '/practitioners/me/profile', profile(false));
    expect(saved.status).toBe(200);
    const reply = await mine(practitioner);
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body).toEqual(JSON.parse(saved.body));
    expect(body).toMatchObject({ id: practitioner.accountId, published: false });
    // with the defaults the save filled in
    expect(body.availability).toMatchObject({ minimumNoticeMinutes: 120, bookingHorizonDays: 60 });
    expect(body.cancellationPolicy).toEqual({ freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 });

    const shown = await callAs(cloud, IP, undefined, 'GET', `/practitioners/${practitioner.accountId}`);
    expect(shown.status).toBe(404);
  });

  it('follows publication: published, the same fields the public profile shows', async () => {
    const published = profile(true);
    expect((await callAs(cloud, IP, practitioner, 'PUT', '/practitioners/me/profile', published)).status).toBe(200);
    const body = JSON.parse((await mine(practitioner)).body);
    expect(body.published).toBe(true);
    expect(body.displayName).toBe(published.displayName);
    const shown = JSON.parse(
      (await callAs(cloud, IP, undefined, 'GET', `/practitioners/${practitioner.accountId}`)).body,
    );
    const { published: _published, ...own } = body;
    const { reviews: _reviews, ...publicFields } = shown;
    expect(own).toEqual(publicFields);
  });

  it('is each practitioner’s own: another practitioner has none, a client is refused', async () => {
    expect((await mine(otherPractitioner)).status).toBe(404);
    expect((await mine(client)).status).toBe(403);
    expect((await callAs(cloud, IP, undefined, 'GET', '/practitioners/me/profile')).status).toBe(401);
  });
});
