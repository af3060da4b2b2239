/** ExportRequested: the newsletter part: the subscription (or request) of the person's address (ADR 0018, 0020). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { newsletterEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'newsletter', entities: newsletterEntities }]);
