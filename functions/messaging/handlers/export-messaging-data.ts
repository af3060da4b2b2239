/** ExportRequested: the messaging part, from the messaging table (shared/privacy/export-handler.ts, ADR 0018). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { messagingEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'messaging', entities: messagingEntities }]);
