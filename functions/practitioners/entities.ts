/** The practitioners context's entity types (registered in functions/entities.ts). */
import type { OwnedEntity, RetainedEntity } from '#shared/retention/entity.ts';

/**
 * A practitioner's profile: the root of its partition (`PRACTITIONER#<id>`), which holds its
 * search entries too; the purge, TTL and an erasure take them with it.
 */
export const practitionerProfileEntity = {
  name: 'practitioner-profile',
  table: 'practitioners',
  description: "A practitioner's public profile: presentation, places, services, opening hours, cancellation policy.",
  personalData: true,
  retention: {
    purpose: 'practitioner-profile',
    clockStartsAt: "the practitioner's last activity",
    sliding: true,
  },
  owns: 'partition',
} as const satisfies RetainedEntity;

/**
 * One key a published profile is found by in the public search (a specialty, a city, a
 * postcode, or a specialty with a city or a postcode), in the profile's partition: it says where
 * the practitioner works. Kept exactly as long as the profile; gone when it is unpublished.
 */
export const practitionerSearchEntryEntity = {
  name: 'practitioner-search-entry',
  table: 'practitioners',
  description: 'A key a published practitioner profile is found by in the public search: specialty, city, postcode.',
  personalData: true,
  ownedBy: practitionerProfileEntity.name,
} as const satisfies OwnedEntity;

export const practitionerEntities = [practitionerProfileEntity, practitionerSearchEntryEntity] as const;
