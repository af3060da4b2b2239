/** The sources of truth the stacks are built from; tests may substitute one. */
import { defaultRetry, type EventRule, type RetryPolicy, rules } from '#events/rules.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { type Route, routes } from '#functions/routes.ts';
import { type ScheduleDefinition, schedules } from '#functions/schedules.ts';
import { type StreamConsumer, streamConsumers } from '#functions/streams.ts';
import { type WebSocketRoute, webSocketRoutes } from '#functions/web-socket-routes.ts';
import { type TableDefinition, type TableName, tables } from '#shared/tables.ts';

export interface BackendSources {
  readonly functions: Readonly<Record<FunctionName, FunctionDefinition>>;
  readonly routes: readonly Route[];
  /** The WebSocket API's routes (functions/web-socket-routes.ts). */
  readonly webSocketRoutes: readonly WebSocketRoute<FunctionName>[];
  readonly rules: readonly EventRule[];
  readonly schedules: readonly ScheduleDefinition[];
  readonly scheduleRetry: RetryPolicy;
  readonly tables: Readonly<Record<TableName, TableDefinition>>;
  readonly streamConsumers: readonly StreamConsumer[];
}

export const projectSources: BackendSources = {
  functions,
  routes,
  webSocketRoutes,
  rules,
  schedules,
  scheduleRetry: defaultRetry,
  tables,
  streamConsumers,
};
