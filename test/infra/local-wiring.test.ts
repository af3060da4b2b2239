/**
 * The local cloud and the synthesized CloudFormation cannot drift: for every function, route,
 * WebSocket route, event rule, schedule, stream mapping and table, what the templates deploy is
 * compared with what the local cloud wires (local/wiring.ts, the very description its gateway, bus,
 * scheduler, stream poller, table creation and Lambda runtime are started from). References are
 * followed across stacks as CloudFormation resolves them: a nested stack's parameters through its
 * resource in the parent, `Fn::GetStackOutput` through the producer stack's outputs.
 */
import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, type FunctionName } from '#functions/catalogue.ts';
import { entities } from '#functions/entities.ts';
import { consumerAccepts } from '#functions/streams.ts';
import { type LocalWiring, localWiring } from '#local/wiring.ts';
import { CORS_ORIGINS_ENV, LOCAL_CORS_ORIGINS } from '#shared/http/cors.ts';
import { NEWSLETTER_CONFIGURATION_SET_ENV, newsletterConfigurationSetNameOf } from '#shared/newsletter-config.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { logicalId, type StackTemplate, type Synthesized, synthesize, withoutBundling } from './synth.ts';

type Json = unknown;
/** A resource of some stack, or a literal value. */
type Resolved =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'resource'; readonly stack: StackTemplate; readonly id: string; readonly attribute?: string }
  | { readonly kind: 'unresolved'; readonly value: Json };

let synth: Synthesized;
let local: LocalWiring;
/** `${stack path}|${logical id}` of each catalogue function's AWS::Lambda::Function. */
let functionByResource: Map<string, FunctionName>;

const key = (stack: StackTemplate, id: string) => `${stack.stack.node.path}|${id}`;

function stackTemplate(stack: Stack): StackTemplate {
  const found = synth.stacks.find((entry) => entry.stack === stack);
  if (!found) throw new Error(`No template for ${stack.node.path}`);
  return found;
}

/** Follows Ref, GetAtt, nested-stack parameters and Fn::GetStackOutput to a resource or a literal. */
function resolve(stack: StackTemplate, value: Json): Resolved {
  if (typeof value === 'string') return { kind: 'literal', value };
  if (typeof value !== 'object' || value === null) return { kind: 'unresolved', value };
  const v = value as Record<string, Json>;
  if (typeof v.Ref === 'string') {
    if (v.Ref in stack.json.Resources) return { kind: 'resource', stack, id: v.Ref };
    const parent = stack.stack.nestedStackParent;
    const nested = stack.stack.nestedStackResource;
    if (parent && nested) {
      const parentTemplate = stackTemplate(parent);
      const parameters = parentTemplate.json.Resources[parent.getLogicalId(nested as never)]?.Properties?.Parameters as
        | Record<string, Json>
        | undefined;
      if (parameters && v.Ref in parameters) return resolve(parentTemplate, parameters[v.Ref]);
    }
    return { kind: 'unresolved', value };
  }
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && getAtt[0] in stack.json.Resources)
    return { kind: 'resource', stack, id: getAtt[0], attribute: String(getAtt[1]) };
  const output = v['Fn::GetStackOutput'] as { StackName?: Json; OutputName?: string } | undefined;
  if (output?.OutputName) {
    const producer = synth.stacks.find(
      (entry) => entry.stack.stackName === output.StackName && entry.json.Outputs?.[output.OutputName as string],
    );
    if (producer)
      return resolve(producer, (producer.json.Outputs?.[output.OutputName] as { Value: Json } | undefined)?.Value);
  }
  return { kind: 'unresolved', value };
}

/** The catalogue function a value designates (an ARN or a name, maybe inside a Join). */
function functionIn(stack: StackTemplate, value: Json): FunctionName | undefined {
  const found = resolve(stack, value);
  if (found.kind === 'resource') return functionByResource.get(key(found.stack, found.id));
  if (typeof value === 'object' && value !== null) {
    for (const part of Object.values(value as Record<string, Json>).flat(3)) {
      const name = functionIn(stack, part);
      if (name) return name;
    }
  }
  return undefined;
}

/** The logical table a value designates: a table resource, or the physical name of one. */
function tableIn(stack: StackTemplate, value: Json): TableName | undefined {
  const found = resolve(stack, value);
  const byResource = (s: StackTemplate, id: string) => {
    const name = s.json.Resources[id]?.Properties?.TableName;
    return typeof name === 'string' ? tableNamed(name) : undefined;
  };
  if (found.kind === 'resource') return byResource(found.stack, found.id);
  if (found.kind === 'literal') return tableNamed(found.value);
  return undefined;
}

function tableNamed(physical: string): TableName | undefined {
  for (const entry of synth.stacks) {
    for (const resource of Object.values(entry.json.Resources)) {
      if (resource.Type === 'AWS::DynamoDB::Table' && resource.Properties?.TableName === physical)
        return (Object.keys(tables) as TableName[]).find((t) => physical.endsWith(`-${tables[t].name}`));
    }
  }
  return undefined;
}

function resources(type: string): { stack: StackTemplate; id: string; props: Record<string, Json> }[] {
  return synth.stacks.flatMap((stack) =>
    Object.entries(stack.json.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => ({ stack, id, props: resource.Properties ?? {} })),
  );
}

/** The path of an API Gateway resource, from its PathPart up to the root. */
function apiPath(stack: StackTemplate, value: Json): string {
  const found = resolve(stack, value);
  if (found.kind !== 'resource') throw new Error(`Unresolved API resource ${JSON.stringify(value)}`);
  if (found.attribute === 'RootResourceId') return '';
  const props = found.stack.json.Resources[found.id]?.Properties ?? {};
  return `${apiPath(found.stack, props.ParentId)}/${String(props.PathPart)}`;
}

/** Lambda event filtering for the patterns CDK writes here: nested objects and lists of exact strings. */
function filterMatches(pattern: Json, value: Json): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value as never);
  if (typeof pattern !== 'object' || pattern === null) return false;
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern as Record<string, Json>).every(([k, p]) =>
    filterMatches(p, (value as Record<string, Json>)[k]),
  );
}

const sorted = <T>(items: T[]) => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

beforeAll(() => {
  synth = synthesize({ context: withoutBundling() });
  local = localWiring();
  functionByResource = new Map(
    Object.entries(synth.functions).map(([name, fn]) => [
      key(stackTemplate(Stack.of(fn!.function)), logicalId(fn!.function)),
      name as FunctionName,
    ]),
  );
});

describe('the local cloud wires what the templates deploy', () => {
  it('every function: the same entry, timeout, memory and environment variables', () => {
    const deployed = resources('AWS::Lambda::Function').flatMap(({ stack, id, props }) => {
      const name = functionByResource.get(key(stack, id));
      return name ? [{ name, stack, props }] : [];
    });
    expect(deployed.map((d) => d.name).sort()).toEqual(Object.keys(local.functions).sort());
    for (const { name, stack, props } of deployed) {
      const wiring = local.functions[name];
      expect(props.Timeout, name).toBe(wiring.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
      expect(props.MemorySize, name).toBe(wiring.memoryMb ?? DEFAULT_MEMORY_MB);
      const variables = { ...((props.Environment as { Variables?: Record<string, Json> })?.Variables ?? {}) };
      delete variables.NODE_OPTIONS;
      expect(Object.keys(variables).sort(), name).toEqual(Object.keys(wiring.environment).sort());
      for (const [variable, value] of Object.entries(variables)) {
        const table = (Object.keys(tables) as TableName[]).find((t) => tables[t].envVar === variable);
        if (table) {
          // The table the template names is the table the local cloud names.
          expect(tableIn(stack, value), `${name} ${variable}`).toBe(table);
          expect(wiring.environment[variable], `${name} ${variable}`).toBe(local.tableNames[table]);
        } else if (variable === 'SCHEDULE_TARGET_ARN') {
          expect(functionIn(stack, value), name).toBe(local.sources.functions[name].oneTimeSchedules?.target);
        } else if (variable === CORS_ORIGINS_ENV) {
          // The web origins differ by design (the site's in AWS, a dev server's locally): each is
          // its side's configuration, given to every function serving a route alike.
          expect(value, name).toBe(synth.config.corsAllowedOrigins.join(','));
          expect(wiring.environment[variable], name).toBe(LOCAL_CORS_ORIGINS.join(','));
        } else if (variable === NEWSLETTER_CONFIGURATION_SET_ENV) {
          // A resource name, named after each side's prefix: the deployment's, `mpbe-local` locally.
          expect(value, name).toBe(newsletterConfigurationSetNameOf(synth.config.stackName));
          expect(wiring.environment[variable], name).toBe(newsletterConfigurationSetNameOf('mpbe-local'));
        } else if (typeof value === 'string' && !/^SCHEDULE_|_PARAMETER$|EVENT_BUS_NAME/.test(variable)) {
          // Settings that are not resource names are the same values in both places.
          expect(wiring.environment[variable], `${name} ${variable}`).toBe(value);
        }
      }
    }
  });

  it('every route: the same method, path, function and authorizer', () => {
    const deployed = resources('AWS::ApiGateway::Method')
      .filter(({ props }) => props.HttpMethod !== 'OPTIONS')
      .map(({ stack, props }) => ({
        method: String(props.HttpMethod),
        path: apiPath(stack, props.ResourceId) || '/',
        function: functionIn(stack, (props.Integration as { Uri?: Json } | undefined)?.Uri),
        authorized: props.AuthorizationType === 'COGNITO_USER_POOLS',
      }));
    expect(sorted(deployed)).toEqual(sorted(local.routes.map((r) => ({ ...r }))));
  });

  it('every WebSocket route: the same route key and function', () => {
    const deployed = resources('AWS::ApiGatewayV2::Route').map(({ stack, props }) => {
      // `integrations/<integration id>`: the integration is beside the route.
      const target = props.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = stack.json.Resources[target['Fn::Join'][1][1].Ref]?.Properties ?? {};
      return { routeKey: String(props.RouteKey), function: functionIn(stack, integration.IntegrationUri) };
    });
    expect(deployed.length).toBeGreaterThan(0);
    expect(sorted(deployed)).toEqual(
      sorted(local.sources.webSocketRoutes.map((route) => ({ routeKey: route.routeKey, function: route.function }))),
    );
  });

  it('every event rule: the same pattern and targets', () => {
    const deployed = resources('AWS::Events::Rule')
      .filter(({ props }) => props.EventPattern !== undefined)
      .map(({ stack, props }) => ({
        eventPattern: props.EventPattern,
        targets: ((props.Targets as { Arn: Json }[]) ?? []).map((t) => functionIn(stack, t.Arn)).sort(),
      }));
    expect(sorted(deployed)).toEqual(
      sorted(local.rules.map((r) => ({ eventPattern: r.eventPattern, targets: [...r.targets].sort() }))),
    );
  });

  it('every recurring schedule: the same expression, time zone, input, window and target', () => {
    const deployed = resources('AWS::Scheduler::Schedule').map(({ stack, props }) => {
      const target = props.Target as { Arn: Json; Input?: string };
      const window = props.FlexibleTimeWindow as { Mode: string; MaximumWindowInMinutes?: number };
      return {
        expression: props.ScheduleExpression,
        timezone: props.ScheduleExpressionTimezone ?? 'UTC',
        target: functionIn(stack, target.Arn),
        input: target.Input === undefined ? undefined : JSON.parse(target.Input),
        flexibleWindowMinutes: window.Mode === 'OFF' ? 0 : window.MaximumWindowInMinutes,
      };
    });
    expect(sorted(deployed)).toEqual(
      sorted(
        local.schedules.map(({ expression, timezone, target, input, flexibleWindowMinutes }) => ({
          expression,
          timezone,
          target,
          input,
          flexibleWindowMinutes,
        })),
      ),
    );
  });

  it('every stream mapping: the same table, function, batch, retries, and a filter that lets through the same records', () => {
    const deployed = resources('AWS::Lambda::EventSourceMapping').map(({ stack, props }) => ({
      table: tableIn(stack, props.EventSourceArn),
      target: functionIn(stack, props.FunctionName),
      batchSize: props.BatchSize,
      maximumRetryAttempts: props.MaximumRetryAttempts,
      patterns: ((props.FilterCriteria as { Filters?: { Pattern: string }[] })?.Filters ?? []).map((f) =>
        JSON.parse(f.Pattern),
      ),
    }));
    const expected = local.sources.streamConsumers.flatMap((consumer) =>
      consumer.tables.map((table) => ({ consumer, table })),
    );
    expect(deployed).toHaveLength(expected.length);
    // Every kind of record a table's stream can carry: each event name with each entity type.
    const records = ['INSERT', 'MODIFY', 'REMOVE'].flatMap((eventName) =>
      [...entities.map((e) => e.name), undefined].map((entity) => ({
        eventName,
        dynamodb: entity === undefined ? {} : { NewImage: { entity: { S: entity } } },
      })),
    );
    for (const { consumer, table } of expected) {
      const mapping = deployed.find((d) => d.table === table && d.target === consumer.target);
      expect(mapping, `${consumer.name} on ${table}`).toBeDefined();
      expect(mapping?.batchSize, consumer.name).toBe(consumer.batchSize);
      expect(mapping?.maximumRetryAttempts, consumer.name).toBe(consumer.maximumRetryAttempts);
      for (const record of records) {
        const deployedAccepts = (mapping?.patterns ?? []).some((p) => filterMatches(p, record));
        expect(deployedAccepts, `${consumer.name} ${JSON.stringify(record)}`).toBe(consumerAccepts(consumer, record));
      }
    }
  });

  it('every table: the same keys, indexes, projections, TTL attribute and stream', () => {
    const deployed = resources('AWS::DynamoDB::Table').map(({ props }) => {
      const types = new Map(
        (props.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((a) => [
          a.AttributeName,
          a.AttributeType,
        ]),
      );
      const keys = (schema: { AttributeName: string; KeyType: string }[]) =>
        schema.map((k) => ({ name: k.AttributeName, type: types.get(k.AttributeName), role: k.KeyType }));
      const schema = keys(props.KeySchema as { AttributeName: string; KeyType: string }[]);
      return {
        table: tableNamed(String(props.TableName)),
        partitionKey: { name: schema.find((k) => k.role === 'HASH')?.name, type: schema[0]?.type },
        sortKey: {
          name: schema.find((k) => k.role === 'RANGE')?.name,
          type: schema.find((k) => k.role === 'RANGE')?.type,
        },
        indexes: (
          (props.GlobalSecondaryIndexes as {
            IndexName: string;
            KeySchema: { AttributeName: string; KeyType: string }[];
            Projection: Json;
          }[]) ?? []
        ).map((index) => ({ name: index.IndexName, keys: keys(index.KeySchema), projection: index.Projection })),
        ttlAttribute: (props.TimeToLiveSpecification as { AttributeName?: string } | undefined)?.AttributeName,
        stream: (props.StreamSpecification as { StreamViewType?: string } | undefined)?.StreamViewType,
      };
    });
    expect(sorted(deployed)).toEqual(
      sorted(
        local.tables.map(({ table, partitionKey, sortKey, indexes, ttlAttribute, stream }) => ({
          table,
          partitionKey,
          sortKey,
          indexes: indexes.map((i) => ({ ...i, projection: i.projection })),
          ttlAttribute,
          stream,
        })),
      ),
    );
  });
});
