/**
 * The parts of a person's data export (GDPR art. 15 and 20; ADR 0018): each context holding
 * personal data answers ExportRequested with its part(s), read from its own table. Every entity
 * holding personal data says, in the entity registry (shared/retention/entity.ts), which part
 * its items go to and what each of their fields means, or why it is withheld; the expected parts
 * of an export are the parts the registry names (test/unit/export-parts.test.ts).
 */

import type { EntityDefinition } from '../retention/entity.ts';

export const exportParts = {
  account: 'Votre compte : son état, son type, l’acceptation des CGU, et votre identité de connexion (Cognito).',
  bookings: 'Vos rendez-vous, leurs paiements et les notifications envoyées à leur sujet.',
  contact: 'Les demandes envoyées par le formulaire de contact avec votre adresse email.',
  practitioner: 'Votre profil de praticien, publié ou non, et sa fiche de recherche.',
  messaging: 'Vos conversations avec les praticiens ou les clients, leurs messages et vos signalements.',
  reviews: 'Vos avis, vos réponses, vos signalements d’avis et vos recours, et les invitations à donner un avis.',
  connections: 'Vos données de connexion (journal des connexions, compteurs anti-abus, révocations de session).',
  consents:
    'Vos choix de consentement et d’opposition, avec l’historique de chaque changement, et vos directives sur le sort de vos données après votre décès.',
  'rights-requests': 'Les demandes d’exercice de vos droits reçues par courrier ou par email, et leur suivi.',
  support:
    'Vos demandes au support et vos réclamations encore ouvertes avec leurs messages (une demande est supprimée à sa fermeture), et le journal des demandes closes (sans leur contenu).',
  newsletter:
    'Votre abonnement à la newsletter, envoyé à votre adresse email : la preuve de votre consentement et son suivi.',
} as const;

export type ExportPartName = keyof typeof exportParts;

export const exportPartNames = Object.keys(exportParts) as [ExportPartName, ...ExportPartName[]];

/** The parts entities go to: for the registry, the parts every export expects. */
export function partsOfEntities(entities: readonly EntityDefinition[]): ExportPartName[] {
  return [
    ...new Set(entities.flatMap((e) => (e.personalData && 'part' in e.export ? [e.export.part] : []))),
  ].sort() as ExportPartName[];
}

/** Records an export holds that live outside our tables, by part and kind, explained like entities. */
export const externalRecords: Partial<
  Record<ExportPartName, Record<string, { description: string; fields: Record<string, string> }>>
> = {
  account: {
    'cognito-identity': {
      description: 'Votre identité de connexion, tenue par Amazon Cognito (notre annuaire des comptes).',
      fields: {
        username: 'Identifiant technique de votre compte dans l’annuaire (le même que votre identifiant de compte).',
        attributes:
          'Vos attributs d’identité : email, email_verified (adresse vérifiée), given_name (prénom), family_name (nom), phone_number (téléphone, facultatif), custom:account_type (client ou praticien), custom:cgu_version (version des CGU acceptée), sub (identifiant du compte).',
        enabled: 'Si la connexion à votre compte est possible (false pendant une suspension ou après une suppression).',
        status: 'L’état de votre inscription dans l’annuaire (CONFIRMED : adresse confirmée).',
        createdAt: 'Date de création de votre compte dans l’annuaire (UTC, ISO 8601).',
        updatedAt: 'Date de la dernière modification de votre identité (UTC, ISO 8601).',
        mfa: 'Les seconds facteurs d’authentification activés (jamais leur secret).',
      },
    },
  },
};

/**
 * Where an entity's items go in an export. `fields` explains, in French, every attribute of a
 * stored item but the technical ones the export leaves out (keys, index keys, retention
 * metadata: see `technicalAttributes` in ./subject-export.ts); a nested object is explained by
 * its top-level name. `withheld` says why the items are not exported (GDPR art. 15(4), 23).
 */
export type ExportDeclaration =
  | { readonly part: ExportPartName; readonly fields: Readonly<Record<string, string>> }
  | { readonly withheld: string };
