/** ExportRequested: the rights-requests and consents parts (privacy table) and the connections part (security table) (shared/privacy/export-handler.ts, ADR 0018). */

import { dataExportEntities } from '#shared/privacy/entities.ts';
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { securityEntities } from '#shared/security/entities.ts';
import { privacyEntities } from '../entities.ts';

export const handler = exporterHandler([
  { table: 'privacy', entities: [...privacyEntities, ...dataExportEntities] },
  { table: 'security', entities: securityEntities },
]);
