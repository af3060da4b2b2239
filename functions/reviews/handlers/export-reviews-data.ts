/** ExportRequested: the reviews part, from the reviews table (shared/privacy/export-handler.ts, ADR 0018). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { reviewsEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'reviews', entities: reviewsEntities }]);
