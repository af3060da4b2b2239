/**
 * The document a person gets (ADR 0018): one JSON file, the parts every context wrote, and a
 * README explaining each part, each kind of record and each field, generated from the entity
 * registry (where every entity holding personal data explains its fields). Pure.
 */

import { type ExportPartName, exportParts, externalRecords, partsOfEntities } from '#shared/privacy/export-parts.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';

export const EXPORT_FORMAT = 'mpbe-export/1';

export interface RecordKindReadme {
  readonly description: string;
  readonly fields: Record<string, string>;
}

export interface ExportReadme {
  readonly introduction: string;
  readonly keptUntil: string;
  readonly parts: Record<string, { description: string; records: Record<string, RecordKindReadme> }>;
  readonly withheld: Record<string, string>;
}

const introduction =
  'Ce fichier contient les données personnelles que Mon Pro du Bien-Être conserve à votre sujet, au jour de sa ' +
  'création (RGPD, articles 15 et 20). Elles sont rangées par partie (« parts »), puis par type d’enregistrement ; ' +
  'cette section explique chaque partie, chaque type et chaque champ. Les dates sont en UTC (ISO 8601) sauf mention ' +
  'contraire, les montants en centimes d’euro. Les données de carte bancaire ne sont jamais chez nous : Stripe les ' +
  'conserve. Certains éléments ne figurent pas dans l’export, pour la raison indiquée sous « withheld ». Pour toute ' +
  'question : dpo@monprodubienetre.fr.';

const keptUntil =
  'Présent sur un enregistrement qui a une date de fin de conservation : la date à laquelle il sera supprimé, selon ' +
  'les durées de conservation de notre politique de confidentialité (elle peut reculer si la durée court depuis ' +
  'votre dernière activité).';

/** The parts every export waits for: those the registry's entities declare. */
export const expectedParts = (entities: readonly EntityDefinition[]): ExportPartName[] => partsOfEntities(entities);

export function readmeOf(entities: readonly EntityDefinition[]): ExportReadme {
  const parts: ExportReadme['parts'] = {};
  const withheld: Record<string, string> = {};
  for (const part of expectedParts(entities)) {
    parts[part] = { description: exportParts[part], records: { ...externalRecords[part] } };
  }
  for (const entity of entities) {
    if (!entity.personalData) continue;
    if ('withheld' in entity.export) {
      withheld[entity.name] = entity.export.withheld;
      continue;
    }
    const part = parts[entity.export.part];
    if (part) part.records[entity.name] = { description: entity.description, fields: { ...entity.export.fields } };
  }
  return { introduction, keptUntil, parts, withheld };
}

export interface ExportDocument {
  readonly format: typeof EXPORT_FORMAT;
  readonly exportId: string;
  readonly requestedAt: string;
  readonly generatedAt: string;
  readonly readme: ExportReadme;
  readonly parts: Record<string, Record<string, unknown[]>>;
}

/** The document from the parts' JSON text; a part that does not parse is a bug upstream, not the person's problem to read. */
export function documentOf(
  entities: readonly EntityDefinition[],
  order: { exportId: string; requestedAt: string; readyAt?: string; expectedParts?: readonly string[] },
  partTexts: Partial<Record<ExportPartName, string>>,
): ExportDocument {
  const parts: ExportDocument['parts'] = {};
  const wanted = order.expectedParts ?? expectedParts(entities);
  for (const part of expectedParts(entities).filter((p) => wanted.includes(p))) {
    const text = partTexts[part];
    parts[part] = text ? (JSON.parse(text) as Record<string, unknown[]>) : {};
  }
  return {
    format: EXPORT_FORMAT,
    exportId: order.exportId,
    requestedAt: order.requestedAt,
    generatedAt: order.readyAt ?? order.requestedAt,
    readme: readmeOf(entities),
    parts,
  };
}

const signature = '\n\nL’équipe Mon Pro du Bien-Être\nDélégué à la protection des données : dpo@monprodubienetre.fr';

/** The person, in the app: the document waits at GET /me/exports/{id} (nothing personal in the mail). */
export function exportReadyMail(to: string, exportId: string, keptDays: number) {
  return {
    to: [to],
    subject: 'Vos données sont prêtes',
    text:
      'Bonjour,\n\nL’export de vos données personnelles que vous avez demandé est prêt. Retrouvez-le dans votre ' +
      `espace, rubrique « Mes données » (référence ${exportId}). Il y reste disponible ${keptDays} jours.` +
      signature,
  };
}

/** A rights request executed by the DPO: the document goes to the verified address, attached. */
export function exportByMail(to: string, requestId: string, document: ExportDocument) {
  return {
    to: [to],
    subject: 'Réponse à votre demande d’accès à vos données',
    text:
      'Bonjour,\n\nEn réponse à votre demande d’accès à vos données personnelles (référence ' +
      `${requestId}), vous trouverez en pièce jointe toutes les données que nous conservons à votre sujet, au format ` +
      'JSON. Sa section « readme » explique chaque champ.' +
      signature,
    attachments: [
      {
        filename: 'donnees-personnelles.json',
        contentType: 'application/json; charset=UTF-8',
        content: JSON.stringify(document, null, 2),
      },
    ],
  };
}
