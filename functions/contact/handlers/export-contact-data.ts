/** ExportRequested: the contact part: the contact requests sent with the person's email (shared/privacy/export-handler.ts, ADR 0018). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { contactRequestEntity } from '../entities.ts';

export const handler = exporterHandler([{ table: 'contact', entities: [contactRequestEntity] }]);
