/**
 * The exporter every context holding personal data runs on ExportRequested (ADR 0018): it reads
 * the export order (whose data), collects the subject's items from its own table(s), sorts them
 * into the parts their entities declare, writes each part into the order and announces it with
 * ExportPartReady. A part with nothing in it is written too: the order waits for every part.
 * Runs again harmlessly (a part is rewritten whole; the collector counts a part once).
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ExportPartReady, ExportRequested } from '#events/catalogue.ts';
import { documentClient, eventBridgeClient } from '../aws-clients.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import { requiredEnv } from '../config.ts';
import { eventHandler } from '../events/consumer.ts';
import { type EventPublisher, eventBridgePublisher } from '../events/publisher.ts';
import { logger } from '../logger.ts';
import type { EntityDefinition } from '../retention/entity.ts';
import { type TableName, tableNameFromEnv } from '../tables.ts';
import type { ExportPartName } from './export-parts.ts';
import { dynamoExportStore, type ExportOrder, type ExportStore } from './export-store.ts';
import { type ExportSource, type PartRecords, partsOf, partsOfEntities, subjectItems } from './subject-export.ts';

/** Records kept outside the tables (the Cognito identity), by part. */
export type ExtraRecords = (
  order: ExportOrder,
) => Promise<Partial<Record<ExportPartName, Record<string, Record<string, unknown>[]>>>>;

export interface ExporterDeps {
  readonly client: DynamoDBDocumentClient;
  readonly store: ExportStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly sources: readonly ExportSource[];
  readonly extra?: ExtraRecords;
}

/** Writes every part the sources' entities declare and the order expects; the parts written. */
export async function exportParts(deps: ExporterDeps, exportId: string): Promise<ExportPartName[]> {
  const now = deps.clock.now();
  const order = await deps.store.order(exportId, now);
  if (!order) return [];
  const produced = partsOfEntities(deps.sources.flatMap((s) => s.entities));
  const parts = produced.filter((part) => order.expectedParts.includes(part));
  const records = Object.fromEntries(parts.map((part) => [part, {} as PartRecords])) as Record<
    ExportPartName,
    PartRecords
  >;
  for (const source of deps.sources) {
    const items = await subjectItems(deps.client, source, order.subjectKeys, now);
    for (const [part, byEntity] of Object.entries(partsOf(items, source, parts)) as [ExportPartName, PartRecords][]) {
      Object.assign(records[part], byEntity);
    }
  }
  const extra = deps.extra ? await deps.extra(order) : {};
  for (const [part, byKind] of Object.entries(extra) as [ExportPartName, PartRecords][]) {
    if (records[part]) Object.assign(records[part], byKind);
  }
  for (const part of parts) {
    await deps.store.writePart(order, part, JSON.stringify(records[part]));
    await deps.events.publish(ExportPartReady, { exportId, part });
  }
  return parts;
}

/** The Lambda handler of an exporter: its tables from the environment (TABLE_*, TABLE_PRIVACY, EVENT_BUS_NAME). */
export function exporterHandler(
  sources: readonly { table: TableName; entities: readonly EntityDefinition[] }[],
  extra?: () => ExtraRecords,
) {
  const client = documentClient();
  const deps: ExporterDeps = {
    client,
    store: dynamoExportStore({ client, tableName: tableNameFromEnv('privacy') }),
    events: eventBridgePublisher({
      client: eventBridgeClient(),
      busName: requiredEnv('EVENT_BUS_NAME'),
      clock: systemClock,
    }),
    clock: systemClock,
    sources: sources.map((s) => ({ ...s, tableName: tableNameFromEnv(s.table) })),
    ...(extra ? { extra: extra() } : {}),
  };
  return eventHandler(ExportRequested, async ({ exportId }) => {
    const parts = await exportParts(deps, exportId);
    logger.info('Export parts written', { exportId, parts });
  });
}
