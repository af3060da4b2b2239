/**
 * The WebSocket API as deployed: built from functions/web-socket-routes.ts (each route in the
 * nested stack of its function's context, with its own invoke permission), a stage whose access
 * logs never hold the token (`?token=`), the management API granted to the functions whose
 * catalogue entry `managesConnections` only, on this stage's connections only, and their
 * environment (WEBSOCKET_ENDPOINT; the issuer and app client for `verifiesTokens`).
 */
import { type Stack, Validations } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { webSocketRoutes } from '#functions/web-socket-routes.ts';
import { RESOURCE_BUDGET } from '#infra/resource-budget.ts';
import { CONNECTION_LOG_DAYS, TECHNICAL_LOG_DAYS } from '#infra/retention.ts';
import {
  type CfnResourceJson,
  functionNamed,
  logicalId,
  type StackTemplate,
  type Synthesized,
  synthesize,
  withoutBundling,
} from './synth.ts';

let synth: Synthesized;

beforeAll(() => {
  // Templates only, with the cdk-nag packs: an unacknowledged finding fails synthesis here.
  synth = synthesize({ context: withoutBundling() });
});

const functionEntries = Object.entries(functions) as [FunctionName, FunctionDefinition][];

function templateOfStack(stack: Stack): StackTemplate {
  const found = synth.stacks.find((entry) => entry.stack === stack);
  if (!found) throw new Error(`No template for ${stack.node.path}`);
  return found;
}

function resourcesOf(type: string): { stack: StackTemplate; id: string; resource: CfnResourceJson }[] {
  return synth.stacks.flatMap((stack) =>
    Object.entries(stack.json.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => ({ stack, id, resource })),
  );
}

/**
 * A template value as a string, references rendered `<LogicalId>` (`<LogicalId.Attribute>`) in
 * the stack that holds the resource: a nested stack's parameter is followed to what its parent
 * passes, a weak reference (`Fn::GetStackOutput`) to the producer's output.
 */
function render(stack: StackTemplate, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') {
    if (v.Ref.startsWith('AWS::')) return `<${v.Ref}>`;
    if (v.Ref in stack.json.Resources) return `<${v.Ref}>`;
    const parent = stack.stack.nestedStackParent;
    const nested = stack.stack.nestedStackResource;
    if (parent && nested) {
      const parentTemplate = templateOfStack(parent);
      const passed = (parentTemplate.json.Resources[logicalId(nested)]?.Properties?.Parameters ?? {}) as Record<
        string,
        unknown
      >;
      if (v.Ref in passed) return render(parentTemplate, passed[v.Ref]);
    }
    throw new Error(`Unresolved Ref ${v.Ref} in ${stack.stack.node.path}`);
  }
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (Array.isArray(v['Fn::Join'])) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(stack, part)).join(separator);
  }
  const output = v['Fn::GetStackOutput'] as { StackName: string; OutputName: string } | undefined;
  if (output) {
    const producer = synth.stacks.find((entry) => entry.stack.stackName === output.StackName && !entry.stack.nested);
    const produced = producer?.json.Outputs?.[output.OutputName] as { Value: unknown } | undefined;
    if (producer && produced) return render(producer, produced.Value);
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

const backendTemplate = () => templateOfStack(synth.backend);
const apiId = () => logicalId(synth.backend.webSocketApi.api);
const stageName = () => synth.config.apiStageName;
const connectionsArn = () => `arn:aws:execute-api:eu-west-3:123456789012:<${apiId()}>/${stageName()}/*/@connections/*`;

function environmentOf(name: FunctionName): Record<string, string> {
  const fn = functionNamed(synth, name).function;
  const stack = templateOfStack(fn.stack);
  const properties = stack.json.Resources[logicalId(fn)]?.Properties ?? {};
  const variables = (properties.Environment as { Variables: object }).Variables;
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, render(stack, value)]));
}

/** The statements of a function's role, whichever policy of its stack holds them. */
function statementsOf(name: FunctionName): { stack: StackTemplate; statement: Record<string, unknown> }[] {
  const role = functionNamed(synth, name).role;
  const stack = templateOfStack(role.stack);
  return Object.values(stack.json.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((resource) => JSON.stringify(resource.Properties?.Roles) === JSON.stringify([{ Ref: logicalId(role) }]))
    .flatMap((resource) => {
      const document = resource.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined;
      return document?.Statement ?? [];
    })
    .map((statement) => ({ stack, statement }));
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

describe('the WebSocket API', () => {
  it('is one WebSocket API in the backend stack, named <stackName>-ws, routing on $request.body.action', () => {
    const apis = resourcesOf('AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(1);
    const [{ stack, id, resource }] = apis as [(typeof apis)[number]];
    expect(stack.stack).toBe(synth.backend);
    expect(id).toBe(apiId());
    expect(resource.Properties).toMatchObject({
      Name: `${synth.config.stackName}-ws`,
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('has exactly the routes of functions/web-socket-routes.ts, none with an authorizer', () => {
    const routes = resourcesOf('AWS::ApiGatewayV2::Route');
    expect(routes.map(({ resource }) => resource.Properties?.RouteKey).sort()).toEqual(
      webSocketRoutes.map((route) => route.routeKey).sort(),
    );
    for (const { stack, resource } of routes) {
      expect(render(stack, resource.Properties?.ApiId)).toBe(`<${apiId()}>`);
      expect(resource.Properties?.AuthorizationType).toBe('NONE');
      expect(resource.Properties?.AuthorizerId).toBeUndefined();
    }
  });

  it.each(webSocketRoutes.map((route) => [route.routeKey, route.function] as const))(
    '%s: a Lambda proxy integration of %s, in the stack of that function',
    (routeKey, name) => {
      const fn = functionNamed(synth, name).function;
      const stack = templateOfStack(fn.stack);
      const [route] = Object.values(stack.json.Resources).filter(
        (r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === routeKey,
      );
      expect(route, `${routeKey} in ${stack.stack.node.path}`).toBeDefined();
      const target = route!.Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      expect(target['Fn::Join'][1][0]).toBe('integrations/');
      const integration = stack.json.Resources[target['Fn::Join'][1][1].Ref]!;
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties?.IntegrationType).toBe('AWS_PROXY');
      expect(render(stack, integration.Properties?.ApiId)).toBe(`<${apiId()}>`);
      expect(render(stack, integration.Properties?.IntegrationUri)).toBe(
        `arn:aws:apigateway:eu-west-3:lambda:path/2015-03-31/functions/<${logicalId(fn)}.Arn>/invocations`,
      );
      // The function behind it is the one of its catalogue entry.
      expect(stack.json.Resources[logicalId(fn)]?.Properties?.Description).toBe(functions[name].description);
    },
  );

  it.each(webSocketRoutes.map((route) => [route.routeKey, route.function] as const))(
    '%s: API Gateway may invoke %s for this API, stage and route only',
    (routeKey, name) => {
      const fn = functionNamed(synth, name).function;
      const stack = templateOfStack(fn.stack);
      const permissions = Object.values(stack.json.Resources).filter(
        (r) =>
          r.Type === 'AWS::Lambda::Permission' &&
          r.Properties?.Principal === 'apigateway.amazonaws.com' &&
          render(stack, r.Properties?.FunctionName) === `<${logicalId(fn)}.Arn>`,
      );
      expect(permissions.map((p) => render(stack, p.Properties?.SourceArn))).toEqual([
        `arn:aws:execute-api:eu-west-3:123456789012:<${apiId()}>/${stageName()}/${routeKey}`,
      ]);
      expect(permissions[0]?.Properties?.Action).toBe('lambda:InvokeFunction');
    },
  );

  it('has one stage, the configured one, deploying automatically, throttled, logging errors without data', () => {
    const stages = resourcesOf('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const [{ stack, resource }] = stages as [(typeof stages)[number]];
    expect(stack.stack).toBe(synth.backend);
    expect(render(stack, resource.Properties?.ApiId)).toBe(`<${apiId()}>`);
    expect(resource.Properties).toMatchObject({
      StageName: stageName(),
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: 100,
        ThrottlingRateLimit: 50,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      },
    });
  });

  it('creates the stage after the contexts adding routes, its execution log group and the account’s logging role', () => {
    const stage = synth.backend.webSocketApi.stage;
    const dependsOn = backendTemplate().json.Resources[logicalId(stage)]?.DependsOn as string[];
    const contexts = new Set(
      webSocketRoutes.map((route) =>
        logicalId(functionNamed(synth, route.function).function.stack.nestedStackResource!),
      ),
    );
    for (const context of contexts) expect(dependsOn).toContain(context);
    const account = synth.backend.api.restApi.node.findChild('Account');
    expect(dependsOn).toContain(logicalId(account));
    const executionLogs = Object.entries(backendTemplate().json.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::Logs::LogGroup' &&
        r.Properties?.LogGroupName !== undefined &&
        render(backendTemplate(), r.Properties?.LogGroupName) ===
          `API-Gateway-Execution-Logs_<${apiId()}>/${stageName()}`,
    );
    expect(executionLogs).toBeDefined();
    expect(dependsOn).toContain(executionLogs![0]);
    expect(executionLogs![1].Properties?.RetentionInDays).toBe(TECHNICAL_LOG_DAYS);
    expect(executionLogs![1].Properties?.KmsKeyId).toBeDefined();
  });

  it('logs access as JSON into an encrypted log group kept for the connection-data period, never the query string (the token)', () => {
    const stage = backendTemplate().json.Resources[logicalId(synth.backend.webSocketApi.stage)]!;
    const settings = stage.Properties?.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string] };
      Format: string;
    };
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      connectionId: '$context.connectionId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      requestTime: '$context.requestTime',
    });
    for (const variable of Object.values(format)) {
      expect(variable).toMatch(/^\$context\.[\w.]+$/);
      expect(variable.toLowerCase()).not.toMatch(/querystring|query|token|header|authorization|body/);
    }
    // The REST API's choice: the caller's IP is connection data, kept one month at most.
    expect(format.sourceIp).toBe('$context.identity.sourceIp');
    const logGroup = backendTemplate().json.Resources[settings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties?.RetentionInDays).toBeLessThanOrEqual(CONNECTION_LOG_DAYS);
    expect(logGroup.Properties?.KmsKeyId).toBeDefined();
  });

  it('outputs the wss:// URL of the stage, and tells the functions the https:// management endpoint', () => {
    const output = backendTemplate().json.Outputs?.WebSocketUrl as { Value: unknown } | undefined;
    expect(output).toBeDefined();
    expect(render(backendTemplate(), output!.Value)).toBe(
      `wss://<${apiId()}>.execute-api.eu-west-3.<AWS::URLSuffix>/${stageName()}`,
    );
  });
});

describe('the management API (execute-api:ManageConnections)', () => {
  const managing = functionEntries.filter(([, definition]) => definition.managesConnections).map(([name]) => name);

  it('is declared by pushMessage and forgetDeletedParty only', () => {
    expect(managing.sort()).toEqual(['forgetDeletedParty', 'pushMessage']);
  });

  it.each(functionEntries.map(([name]) => name))(
    '%s: holds it on the stage’s connections only if its entry manages connections',
    (name) => {
      const statements = statementsOf(name).filter(({ statement }) =>
        asList(statement.Action).some((action) => String(action).startsWith('execute-api:')),
      );
      if (!functions[name].managesConnections) {
        expect(statements).toEqual([]);
        return;
      }
      expect(statements).toHaveLength(1);
      const [{ stack, statement }] = statements as [(typeof statements)[number]];
      expect(statement).toMatchObject({
        Sid: 'ManageConnectionsOfTheWebSocketStageOnly',
        Effect: 'Allow',
        Action: 'execute-api:ManageConnections',
      });
      expect(statement.Condition).toBeUndefined();
      expect(asList(statement.Resource).map((resource) => render(stack, resource))).toEqual([connectionsArn()]);
    },
  );

  it('is the only permission on the execute-api service of any role (nothing invokes the APIs through IAM)', () => {
    const holders = resourcesOf('AWS::IAM::Policy').filter(({ resource }) =>
      JSON.stringify(resource.Properties?.PolicyDocument).includes('execute-api:'),
    );
    expect(holders).toHaveLength(managing.length);
  });

  it.each(managing)('%s: WEBSOCKET_ENDPOINT is the stage’s https:// management endpoint', (name) => {
    expect(environmentOf(name).WEBSOCKET_ENDPOINT).toBe(
      `https://<${apiId()}>.execute-api.eu-west-3.<AWS::URLSuffix>/${stageName()}`,
    );
  });

  it('WEBSOCKET_ENDPOINT, COGNITO_ISSUER and COGNITO_APP_CLIENT_ID are set for the entries declaring them only', () => {
    for (const [name, definition] of functionEntries) {
      const variables = Object.keys(environmentOf(name));
      expect(variables.includes('WEBSOCKET_ENDPOINT'), name).toBe(definition.managesConnections === true);
      expect(variables.includes('COGNITO_ISSUER'), name).toBe(definition.verifiesTokens === true);
      expect(variables.includes('COGNITO_APP_CLIENT_ID'), name).toBe(definition.verifiesTokens === true);
    }
  });

  it('connectSocket verifies tokens of the platform pool, issued to its app client', () => {
    expect(functions.connectSocket.verifiesTokens).toBe(true);
    const environment = environmentOf('connectSocket');
    const data = templateOfStack(synth.data);
    const poolId = logicalId(synth.data.identity.userPool);
    const clientId = logicalId(synth.data.identity.client);
    expect(data.json.Resources[poolId]?.Type).toBe('AWS::Cognito::UserPool');
    expect(data.json.Resources[clientId]?.Type).toBe('AWS::Cognito::UserPoolClient');
    expect(environment.COGNITO_ISSUER).toBe(`https://cognito-idp.eu-west-3.amazonaws.com/<${poolId}>`);
    expect(environment.COGNITO_APP_CLIENT_ID).toBe(`<${clientId}>`);
  });
});

describe('cdk-nag', () => {
  function acknowledged(construct: { node: { metadata: { type: string; data: unknown }[] } }): Record<string, string> {
    return Object.assign(
      {},
      ...construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((entry) => entry.data as Record<string, string>),
    );
  }

  it('acknowledges the routes without authorizer, each with its reason', () => {
    for (const [routeKey, route] of Object.entries(synth.backend.webSocketApi.routes)) {
      const ids = Object.keys(acknowledged(route)).map((id) => id.replace(/^annotation::/i, ''));
      expect(ids, routeKey).toEqual(['AwsSolutions-APIG4']);
    }
  });

  it('acknowledges the wildcard of the connections ARN on the roles that manage connections only', () => {
    for (const [name, definition] of functionEntries) {
      const ids = Object.keys(acknowledged(functionNamed(synth, name).role)).map((id) =>
        id.replace(/^annotation::/i, ''),
      );
      const connections = ids.filter((id) => id.includes(':execute-api:'));
      expect(connections, name).toEqual(
        definition.managesConnections
          ? [
              expect.stringMatching(
                /^AwsSolutions-IAM5\[Resource::arn:(aws|<AWS::Partition>):execute-api:.*\/@connections\/\*\]$/,
              ),
            ]
          : [],
      );
    }
  });
});

describe('the resource budget', () => {
  it('keeps every stack within 400 resources', () => {
    const counts = synth.stacks.map(
      ({ stack, json }) => [stack.node.path, Object.keys(json.Resources).length] as const,
    );
    console.info(`resources per stack:\n${counts.map(([path, count]) => `${path}: ${count}`).join('\n')}`);
    for (const [path, count] of counts) expect(count, path).toBeLessThanOrEqual(RESOURCE_BUDGET);
  });
});
