/**
 * The entity types of data exports (ADR 0018), in the privacy table: shared because every
 * context holding personal data writes its part into the export order (./export-store.ts).
 */
import type { OwnedEntity, RetainedEntity } from '../retention/entity.ts';

const exportItself =
  "L'export lui-même : c'est le document que vous lisez, il n'est pas recopié dans sa propre partie.";

/**
 * An export order (`EXPORT#<exp>` / `ORDER`): whose data (subject keys), which parts are expected
 * and received, where the result goes (the person in the app, or the verified address of a rights
 * request). Kept 7 days from the request, with its parts.
 */
export const dataExportEntity = {
  name: 'data-export',
  table: 'privacy',
  description:
    "An export of a person's data: its subject keys, the expected and received parts, its state and where it is delivered.",
  personalData: true,
  retention: { purpose: 'data-export', clockStartsAt: 'the request of the export', sliding: false },
  owns: 'partition',
  export: { withheld: exportItself },
} as const satisfies RetainedEntity;

/** One chunk of one part of an export (`EXPORT#<exp>` / `PART#<part>#<n>`): JSON text, at most 100,000 characters. */
export const dataExportPartEntity = {
  name: 'data-export-part',
  table: 'privacy',
  description: 'One chunk of the JSON document a context wrote as its part of an export.',
  personalData: true,
  ownedBy: 'data-export',
  export: { withheld: exportItself },
} as const satisfies OwnedEntity;

export const dataExportEntities = [dataExportEntity, dataExportPartEntity] as const;
