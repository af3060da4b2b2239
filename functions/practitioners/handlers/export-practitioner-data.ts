/** ExportRequested: the practitioner part, from the practitioners table (shared/privacy/export-handler.ts, ADR 0018). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { practitionerEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'practitioners', entities: practitionerEntities }]);
