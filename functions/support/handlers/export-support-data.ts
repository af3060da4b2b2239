/** ExportRequested: the support part, from the support table (shared/privacy/export-handler.ts, ADR 0018). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { supportEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'support', entities: supportEntities }]);
