/** The practitioner listing against DynamoDB Local: an index query, by name, paginated, never expired. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoPractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import type { Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let store: ReturnType<typeof dynamoPractitionerStore>;
afterAll(() => db.destroy());

const now = new Date('2026-11-26T12:00:00Z');
const practitioner = (id: string, displayName: string, extra: Partial<Practitioner> = {}): Practitioner => ({
  id,
  displayName,
  headline: 'Praticien',
  presentation: '',
  specialties: ['massage'],
  places: [],
  offersVideo: false,
  services: [{ id: 'svc_1', name: 'Massage', durationMinutes: 60, priceCents: 6000 }],
  published: true,
  lastActivityAt: now,
  ...extra,
});

beforeAll(async () => {
  const names = await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`);
  store = dynamoPractitionerStore({ client: db, tableName: names.TABLE_PRACTITIONERS! });
  await store.save(practitioner('prac_000005', 'Zoé Durand'));
  await store.save(practitioner('prac_000001', 'Émile Roux'));
  await store.save(practitioner('prac_000002', 'anne Blanc'));
  await store.save(practitioner('prac_000003', 'Bruno Noir', { published: false }));
  // last active 5 years and a day ago: its profile is past retention
  await store.save(practitioner('prac_000004', 'Claire Vert', { lastActivityAt: new Date('2021-11-25T12:00:00Z') }));
  // last active 5 years minus a day ago: still kept
  await store.save(practitioner('prac_000006', 'Denis Gris', { lastActivityAt: new Date('2021-11-27T12:00:00Z') }));
});

describe('practitioner listing', () => {
  it('lists published, unexpired practitioners by name, ignoring case and accents', async () => {
    const page = await store.listPublished({ limit: 10, now });
    expect(page.items.map((p) => p.displayName)).toEqual(['anne Blanc', 'Denis Gris', 'Émile Roux', 'Zoé Durand']);
  });

  it('pages through with a cursor without repeating or losing anyone', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listPublished({ limit: 1, now, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['prac_000002', 'prac_000006', 'prac_000001', 'prac_000005']);
  });

  it('finds one profile by id, published or not, with its services, but never a due one', async () => {
    expect((await store.find('prac_000003', now))?.published).toBe(false);
    expect((await store.find('prac_000001', now))?.services).toEqual([
      { id: 'svc_1', name: 'Massage', durationMinutes: 60, priceCents: 6000 },
    ]);
    expect(await store.find('prac_000004', now)).toBeUndefined();
    expect(await store.find('prac_unknown', now)).toBeUndefined();
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(store.listPublished({ limit: 1, now, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      status: 400,
    });
  });
});
