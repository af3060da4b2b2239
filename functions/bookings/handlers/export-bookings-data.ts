/** ExportRequested: the bookings part, from the bookings table (shared/privacy/export-handler.ts, ADR 0018). */
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { bookingEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'bookings', entities: bookingEntities }]);
