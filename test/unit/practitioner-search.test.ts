/**
 * The public search of practitioners: the keys a profile is found by, the one key a search reads,
 * city names compared without case, accents or punctuation, and the query's contract.
 */
import { describe, expect, it } from 'vitest';
import type { PractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { ListPractitionersQuery } from '#functions/practitioners/contract.ts';
import { listingSortKey, type Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { normalizeCity, searchKeyOf, searchKeysOf } from '#functions/practitioners/domain/search.ts';
import { listPublishedPractitioners } from '#functions/practitioners/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import { defaultAvailability, defaultCancellationPolicy } from '#shared/offer/offer.ts';

describe('the listing order', () => {
  it('folds case and accents, keeps other signs, then orders by id', () => {
    expect(listingSortKey({ displayName: 'Élodie Bernard', id: 'prac_1' })).toBe('elodie bernard#prac_1');
    expect(listingSortKey({ displayName: 'ÉLODIE BERNARD', id: 'prac_1' })).toBe('elodie bernard#prac_1');
    // `^` is a sign of its own, not an accent: `C^x` is not `Cx`.
    expect(listingSortKey({ displayName: 'C^x', id: 'prac_2' })).toBe('c^x#prac_2');
    const names = ['Nadia Haddad', 'élodie Bernard', 'Camille Martin', 'Elodie Bernard'];
    const sorted = names.map((displayName, i) => listingSortKey({ displayName, id: `prac_${i}` })).sort();
    expect(sorted).toEqual([
      'camille martin#prac_2',
      'elodie bernard#prac_1',
      'elodie bernard#prac_3',
      'nadia haddad#prac_0',
    ]);
  });
});

describe('city names', () => {
  it('ignore case, accents, hyphens, apostrophes and extra spaces', () => {
    const same = ['Saint-Étienne', 'saint etienne', 'SAINT ÉTIENNE', '  Saint – Etienne ', 'saint-etienne'];
    for (const city of same) expect(normalizeCity(city), city).toBe('saint etienne');
    for (const city of ["L'Haÿ-les-Roses", 'L’Haÿ les Roses', 'l hay les roses', 'L-HAY-LES-ROSES']) {
      expect(normalizeCity(city), city).toBe('l hay les roses');
    }
    expect(normalizeCity('Œuilly')).toBe('oeuilly');
    expect(normalizeCity('Hyères')).toBe('hyeres');
  });

  it('keep different cities apart', () => {
    expect(normalizeCity('Saint-Étienne-du-Rouvray')).not.toBe(normalizeCity('Saint-Étienne'));
    expect(normalizeCity('Aix-en-Provence')).not.toBe(normalizeCity('Aix-les-Bains'));
  });

  it('are empty without a letter or digit', () => {
    expect(normalizeCity(" - ' ")).toBe('');
  });
});

const profile = (extra: Partial<Practitioner> = {}): Practitioner => ({
  id: 'p1',
  displayName: 'Camille Martin',
  headline: 'Naturopathe',
  presentation: '',
  specialties: ['naturopathy', 'aromatherapy'],
  city: 'Saint-Étienne',
  postcode: '42000',
  places: [
    { address: '1 rue A', city: 'Saint-Étienne', postcode: '42000' },
    { address: '2 rue B', city: 'Lyon', postcode: '69003' },
    { address: '3 rue C', city: 'Saint Etienne', postcode: '42100' },
  ],
  offersVideo: true,
  services: [],
  availability: defaultAvailability,
  cancellationPolicy: defaultCancellationPolicy,
  published: true,
  lastActivityAt: new Date('2026-11-26T10:00:00Z'),
  ...extra,
});

describe('the keys a profile is found by', () => {
  it('are each specialty, city and postcode of its places, and each specialty with each of them', () => {
    expect(searchKeysOf(profile()).sort()).toEqual(
      [
        'specialty#naturopathy',
        'specialty#aromatherapy',
        'city#saint etienne',
        'city#lyon',
        'postcode#42000',
        'postcode#69003',
        'postcode#42100',
        ...['naturopathy', 'aromatherapy'].flatMap((s) =>
          ['city#saint etienne', 'city#lyon', 'postcode#42000', 'postcode#69003', 'postcode#42100'].map(
            (l) => `specialty#${s}#${l}`,
          ),
        ),
      ].sort(),
    );
  });

  it('are its specialties only when it has no place (video only)', () => {
    const videoOnly = profile({ places: [], city: undefined, postcode: undefined, specialties: ['yoga'] });
    expect(searchKeysOf(videoOnly)).toEqual(['specialty#yoga']);
  });

  it('are none while it is unpublished', () => {
    expect(searchKeysOf(profile({ published: false }))).toEqual([]);
  });

  it('are at most 120', () => {
    const specialties = ['naturopathy', 'sophrology', 'massage', 'hypnosis', 'reflexology'] as const;
    const wide = profile({
      specialties: [...specialties, 'yoga', 'meditation', 'shiatsu', 'kinesiology', 'aromatherapy'],
      places: ['10000', '20000', '30000', '40000', '50000'].map((postcode, i) => ({
        address: 'x',
        city: `Ville ${i}`,
        postcode,
      })),
      city: 'Ville 0',
      postcode: '10000',
    });
    expect(searchKeysOf(wide)).toHaveLength(120);
  });
});

describe('the key a search reads', () => {
  it('is the one key of its criteria, which a matching profile is found by', () => {
    const keys = searchKeysOf(profile());
    for (const criteria of [
      { specialty: 'naturopathy' as const },
      { city: 'SAINT-ÉTIENNE' },
      { postcode: '69003' },
      { specialty: 'aromatherapy' as const, city: 'lyon' },
      { specialty: 'naturopathy' as const, postcode: '42100' },
    ]) {
      expect(keys, JSON.stringify(criteria)).toContain(searchKeyOf(criteria));
    }
    expect(keys).not.toContain(searchKeyOf({ specialty: 'yoga', city: 'Lyon' }));
    expect(keys).not.toContain(searchKeyOf({ city: 'Saint-Étienne-du-Rouvray' }));
  });

  it('is none without criteria, and never a city with a postcode', () => {
    expect(searchKeyOf({})).toBeUndefined();
    expect(() => searchKeyOf({ city: 'Lyon', postcode: '69003' })).toThrow(RangeError);
  });
});

describe('the search query', () => {
  const parse = (query: Record<string, string | undefined>) => ListPractitionersQuery.safeParse(query);

  it('takes a specialty, a city or a postcode, and a specialty with either', () => {
    for (const query of [
      {},
      { specialty: 'yoga' },
      { city: 'Saint-Étienne' },
      { postcode: '42000' },
      { specialty: 'yoga', city: 'Lyon' },
      { specialty: 'yoga', postcode: '69003', limit: '5', cursor: 'abc' },
    ]) {
      expect(parse(query).success, JSON.stringify(query)).toBe(true);
    }
    expect(parse({ city: '  Lyon ' }).data?.city).toBe('Lyon');
  });

  it('refuses a city with a postcode, naming the postcode', () => {
    const result = parse({ city: 'Lyon', postcode: '69003' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toEqual([['postcode']]);
    expect(parse({ specialty: 'yoga', city: 'Lyon', postcode: '69003' }).success).toBe(false);
  });

  it('refuses a specialty outside the vocabulary, a malformed postcode, a city without letters, other fields', () => {
    for (const query of [
      { specialty: 'astrology' },
      { postcode: '6900' },
      { postcode: '2A004' },
      { city: '' },
      { city: ' - ' },
      { city: 'x'.repeat(101) },
      { name: 'Martin' },
    ]) {
      expect(parse(query).success, JSON.stringify(query)).toBe(false);
    }
  });
});

describe('listing with criteria', () => {
  it('reads the one search key, and the plain listing without criteria', async () => {
    const calls: string[] = [];
    const store: PractitionerStore = {
      async save() {},
      async find() {
        return undefined;
      },
      async listPublished() {
        calls.push('listing');
        return { items: [profile()], nextCursor: 'next' };
      },
      async search({ key, limit, cursor }) {
        calls.push(`${key} ${limit} ${cursor ?? '-'}`);
        return { items: [profile()] };
      },
    };
    const deps = { store, clock: manualClock('2026-11-26T10:00:00Z') };
    const listed = await listPublishedPractitioners(deps, { limit: 20 });
    expect(listed.nextCursor).toBe('next');
    const found = await listPublishedPractitioners(deps, { limit: 5, cursor: 'c', specialty: 'yoga', city: 'Lyon' });
    expect(found).toEqual({
      items: [
        {
          id: 'p1',
          displayName: 'Camille Martin',
          headline: 'Naturopathe',
          specialties: ['naturopathy', 'aromatherapy'],
          city: 'Saint-Étienne',
          postcode: '42000',
          offersVideo: true,
        },
      ],
    });
    expect(calls).toEqual(['listing', 'specialty#yoga#city#lyon 5 c']);
  });
});
