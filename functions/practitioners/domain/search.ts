/**
 * The public search of practitioners: by specialty, city or postcode, and specialty with city or
 * postcode. Pure: no AWS, no I/O. A published profile is found by a fixed set of keys
 * (`searchKeysOf`); a search names exactly one of them (`searchKeyOf`); the store keeps one index
 * entry per key, so a search is a single index query, never a scan.
 */
import type { Practitioner } from './practitioner.ts';
import type { Specialty } from './specialties.ts';

/**
 * A city as the search compares it: lowercase, accents stripped, ligatures spelled out, and every
 * run of spaces, hyphens, apostrophes or other punctuation made one space, so that
 * "Saint-Étienne", "saint etienne" and "SAINT  ÉTIENNE" are one city, as are "L’Haÿ-les-Roses"
 * and "l hay les roses". Empty when the text has no letter or digit.
 */
export function normalizeCity(city: string): string {
  return city
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replaceAll('œ', 'oe')
    .replaceAll('æ', 'ae')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** What a visitor searches by: any of them, but a city and a postcode never together. */
export interface SearchCriteria {
  readonly specialty?: Specialty | undefined;
  readonly city?: string | undefined;
  readonly postcode?: string | undefined;
}

const specialtyPart = (s: Specialty) => `specialty#${s}`;
const cityPart = (normalizedCity: string) => `city#${normalizedCity}`;
const postcodePart = (postcode: string) => `postcode#${postcode}`;

/**
 * The one key a search reads; undefined when it names no criterion (the plain listing).
 * Throws a RangeError for a city together with a postcode, or a city without letter or digit:
 * the contract refuses both before.
 */
export function searchKeyOf(criteria: SearchCriteria): string | undefined {
  if (criteria.city !== undefined && criteria.postcode !== undefined)
    throw new RangeError('a city or a postcode, not both');
  const parts: string[] = [];
  if (criteria.specialty !== undefined) parts.push(specialtyPart(criteria.specialty));
  if (criteria.city !== undefined) {
    const city = normalizeCity(criteria.city);
    if (city === '') throw new RangeError('a city needs a letter or a digit');
    parts.push(cityPart(city));
  }
  if (criteria.postcode !== undefined) parts.push(postcodePart(criteria.postcode));
  return parts.length > 0 ? parts.join('#') : undefined;
}

const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * Every key a profile is found by: none while it is unpublished; otherwise each specialty, each
 * city and postcode of its places (a practitioner with two practices is found in both), and each
 * specialty with each city and with each postcode. At most 10 + 2 × 5 + 2 × 10 × 5 = 120 keys.
 */
export function searchKeysOf(
  p: Pick<Practitioner, 'published' | 'specialties' | 'places' | 'city' | 'postcode'>,
): string[] {
  if (!p.published) return [];
  const cities = unique(
    [...(p.city ? [p.city] : []), ...p.places.map((place) => place.city)].map(normalizeCity).filter((c) => c !== ''),
  );
  const postcodes = unique([...(p.postcode ? [p.postcode] : []), ...p.places.map((place) => place.postcode)]);
  const locations = [...cities.map(cityPart), ...postcodes.map(postcodePart)];
  const specialties = unique(p.specialties.map(specialtyPart));
  return [...specialties, ...locations, ...specialties.flatMap((s) => locations.map((l) => `${s}#${l}`))];
}
