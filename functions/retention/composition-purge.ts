/**
 * The composition root of the purge and the deletion audit: the only place their adapters are
 * built. Everything comes from the environment the function runs with (table names, bus), so
 * `npm run purge` (local/purge-cli.ts) builds exactly what the Lambda function builds.
 */
import { documentClient, eventBridgeClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { type TableName, tableNameFromEnv, tables } from '#shared/tables.ts';
import { entities } from '../entities.ts';
import { dynamoAuditCounts } from './adapters/audit-counts.ts';
import { dynamoCheckpointStore } from './adapters/checkpoint-store.ts';
import { dynamoLegalHolds } from './adapters/purge-legal-holds.ts';
import { dynamoRetentionTables } from './adapters/purge-tables.ts';
import type { DeletionAuditDeps } from './deletion-audit.ts';
import type { PurgeDeps } from './purge.ts';

const clock = systemClock;
const tableOrder = Object.keys(tables) as TableName[];

/** Physical table names by logical name, from the environment. */
export const tableNamesFromEnv = (env: NodeJS.ProcessEnv = process.env): Record<TableName, string> =>
  Object.fromEntries(tableOrder.map((name) => [name, tableNameFromEnv(name, env)])) as Record<TableName, string>;

export const purgeDeps = (env: NodeJS.ProcessEnv = process.env): PurgeDeps => {
  const tableNames = tableNamesFromEnv(env);
  const client = documentClient();
  return {
    store: dynamoRetentionTables({ client, tableNames }),
    checkpoints: dynamoCheckpointStore({ client, tableName: tableNames.retention }),
    holds: dynamoLegalHolds({ client, tableName: tableNames.retention }),
    events: eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME', env), clock }),
    clock,
    entities,
    tables: tableOrder,
  };
};

export const deletionAuditDeps = (
  env: NodeJS.ProcessEnv = process.env,
): DeletionAuditDeps & {
  tableNames: Record<TableName, string>;
} => {
  const tableNames = tableNamesFromEnv(env);
  const client = documentClient();
  return {
    counts: dynamoAuditCounts({ client, tableName: tableNames.retention }),
    store: dynamoRetentionTables({ client, tableNames }),
    holds: dynamoLegalHolds({ client, tableName: tableNames.retention }),
    clock,
    entities,
    tableNames,
  };
};
