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
  export: {
    part: 'practitioner',
    fields: {
      id: 'Identifiant de votre profil de praticien (celui de votre compte).',
      displayName: 'Nom affiché sur votre profil.',
      headline: 'Accroche de votre profil.',
      presentation: 'Texte de présentation de votre profil.',
      specialties: 'Spécialités indiquées sur votre profil.',
      city: 'Ville indiquée sur votre profil.',
      postcode: 'Code postal indiqué sur votre profil.',
      places: 'Lieux où vous recevez : adresse, ville et code postal de chacun.',
      offersVideo: 'Indique si vous proposez des rendez-vous en visio.',
      services: 'Prestations proposées : nom, durée, prix et mode de paiement de chacune.',
      availability:
        'Horaires d’ouverture : horaires de la semaine, exceptions, délai de prévenance, horizon de réservation et temps libre entre deux rendez-vous.',
      cancellationPolicy:
        'Conditions d’annulation : délai d’annulation gratuite et part du prix due en cas d’annulation tardive.',
      published: 'Indique si votre profil est publié, c’est-à-dire visible dans l’annuaire et la recherche.',
      lastActivityAt: 'Date et heure de votre dernière activité sur votre profil (UTC, ISO 8601).',
    },
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
  export: {
    withheld:
      'Entrée de l’index de recherche, dérivée du profil : hors de ses clés techniques, elle ne contient rien que le profil exporté ne contienne.',
  },
} as const satisfies OwnedEntity;

export const practitionerEntities = [practitionerProfileEntity, practitionerSearchEntryEntity] as const;
