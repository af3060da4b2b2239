/** ExportPartReady: the part is noted; the last one delivers the export (ADR 0018). */
import { ExportPartReady } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { deliveryDeps } from '../composition.ts';
import { collectExportPart } from '../exports.ts';

const deps = deliveryDeps();

export const handler = eventHandler(ExportPartReady, async ({ exportId, part }) => {
  const outcome = await collectExportPart(deps, exportId, part);
  logger.info('Export part collected', { exportId, part, outcome });
});
