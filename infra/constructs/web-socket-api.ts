/**
 * The WebSocket API: an API Gateway v2 WebSocket API built from the WebSocket route table
 * (functions/web-socket-routes.ts), each route a Lambda proxy integration of its function. Clients
 * only listen: the server pushes through the management API (`@connections`), which the functions
 * whose catalogue entry `managesConnections` may call on this stage's connections only
 * (`connectionsArn`, granted by infra/constructs/functions.ts).
 *
 * `$connect` has no API Gateway authorizer: the browser's WebSocket API cannot set an
 * Authorization header, so the Cognito ID token travels as `?token=` and the `$connect` function
 * verifies it itself (signature, issuer, audience, expiry, revocation: shared/identity/id-tokens.ts).
 * Hence the access-log format never logs the query string, nor any header.
 *
 * Across stacks, like the REST API (./api.ts): the API, its stage and their log groups live in
 * the backend stack; each bounded context's nested stack adds the routes of its functions
 * (`addRoute`: integration, route and invoke permission). The stage deploys automatically (auto
 * deploy) and is created after the context stacks (`stageWaitsFor`), so that its first deployment
 * already holds every route.
 */
import { Stack } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, type IDependable } from 'constructs';
import type { WebSocketRoute } from '#functions/web-socket-routes.ts';
import { acknowledge } from '../nag.ts';
import { CONNECTION_LOG_DAYS } from '../retention.ts';
import type { OperationalLogs } from './logs.ts';

/** Steady-state messages per second and burst of the whole stage (every route, connections included). */
export const WEB_SOCKET_STAGE_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;

export interface WebSocketApiProps {
  readonly apiName: string;
  readonly stageName: string;
  readonly logs: OperationalLogs;
  /**
   * The account's API Gateway settings (its CloudWatch Logs role, created with the REST API):
   * a stage that logs cannot be created before them.
   */
  readonly accountSettings?: IDependable;
}

/**
 * Access-log entry: which connection did what and how it went, as the REST API's (the caller's
 * IP included, kept within the connection-data period). Never the query string (it carries the
 * ID token), no header, no message body.
 */
export const webSocketAccessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    eventType: AccessLogField.contextEventType(),
    routeKey: AccessLogField.contextRouteKey(),
    connectionId: AccessLogField.contextConnectionId(),
    status: AccessLogField.contextStatus(),
    integrationStatus: '$context.integration.status',
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    errorType: AccessLogField.contextErrorResponseType(),
    errorMessage: AccessLogField.contextErrorMessage(),
  }),
);

/** The construct id of a route's constructs in a context stack: `$connect` → `WebSocketConnect`. */
export function webSocketRouteId(routeKey: string): string {
  const words = routeKey.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return `WebSocket${words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')}`;
}

export class WebSocketApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly stageName: string;
  /** The management (callback) URL: `https://<api>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly endpoint: string;
  /** What clients open: `wss://<api>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly url: string;
  /** Every connection of this stage: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/*\/@connections/*`. */
  readonly connectionsArn: string;
  /** The routes added by the context stacks, by route key. */
  readonly routes: Record<string, apigwv2.CfnRoute> = {};

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    this.stageName = props.stageName;
    const accessLogs = props.logs.logGroup(this, 'AccessLogs', { maxDays: CONNECTION_LOG_DAYS });

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Mon Pro du Bien-Être live push (clients listen, the server pushes)',
      // No route matches a client's frame: clients only listen.
      routeSelectionExpression: '$request.body.action',
    });
    // API Gateway writes execution logs into a group of this name, created without retention
    // unless it exists: create it first, encrypted and expiring (as the REST API's).
    const executionLogs = props.logs.logGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.apiId}/${props.stageName}`,
    });

    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: WEB_SOCKET_STAGE_THROTTLING,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: webSocketAccessLogFormat,
      },
    });
    (this.stage.node.defaultChild as apigwv2.CfnStage).defaultRouteSettings = {
      throttlingRateLimit: WEB_SOCKET_STAGE_THROTTLING.rateLimit,
      throttlingBurstLimit: WEB_SOCKET_STAGE_THROTTLING.burstLimit,
      // Errors only, never the messages' data (a token, a message's text).
      loggingLevel: 'ERROR',
      dataTraceEnabled: false,
      detailedMetricsEnabled: false,
    };
    this.stage.node.addDependency(executionLogs);
    if (props.accountSettings) this.stage.node.addDependency(props.accountSettings);

    // By the API id and the configured stage name, not by a reference to the stage resource: the
    // stage waits for the context stacks, whose functions and permissions name these.
    const stack = Stack.of(this);
    const host = `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.endpoint = `https://${host}/${props.stageName}`;
    this.url = `wss://${host}/${props.stageName}`;
    this.connectionsArn = `arn:${stack.partition}:execute-api:${stack.region}:${stack.account}:${this.api.apiId}/${props.stageName}/*/@connections/*`;
  }

  /**
   * Adds a route in `scope` (the nested stack of its function's context): a Lambda proxy
   * integration of `fn`, the route without authorizer (`$connect`'s function verifies the token
   * itself), and the invoke permission naming this API's stage and route only.
   */
  addRoute(scope: Construct, route: WebSocketRoute, fn: lambda.IFunction): apigwv2.CfnRoute {
    if (this.routes[route.routeKey]) throw new Error(`Duplicate WebSocket route ${route.routeKey}`);
    const stack = Stack.of(scope);
    const group = new Construct(scope, webSocketRouteId(route.routeKey));
    const integration = new apigwv2.CfnIntegration(group, 'Integration', {
      apiId: this.api.apiId,
      integrationType: 'AWS_PROXY',
      integrationUri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`,
      description: `${route.routeKey} → ${route.function}`,
    });
    const cfnRoute = new apigwv2.CfnRoute(group, 'Route', {
      apiId: this.api.apiId,
      routeKey: route.routeKey,
      authorizationType: 'NONE',
      target: `integrations/${integration.ref}`,
    });
    new lambda.CfnPermission(group, 'Permission', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'apigateway.amazonaws.com',
      sourceArn: stack.formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${this.stageName}/${route.routeKey}`,
      }),
    });
    acknowledge(
      cfnRoute,
      'AwsSolutions-APIG4',
      route.routeKey === '$connect'
        ? `$connect has no API Gateway authorizer: browsers cannot set headers on a WebSocket, so the Cognito ID token comes as ?token= and ${route.function} verifies it itself (signature against the pool's JWKS, issuer, audience, token use, expiry, then the account's revocation) before accepting the connection; without a valid token the connection is refused. The stage throttling bounds the attempts, and the access logs never record the query string.`
        : `${route.routeKey} takes no authorizer (API Gateway authorizes $connect only): it concerns a connection that $connect already accepted, and clients send nothing else (no route matches their frames).`,
    );
    this.routes[route.routeKey] = cfnRoute;
    return cfnRoute;
  }

  /** Makes the stage (and so its first automatic deployment) wait for the stacks that add routes. */
  stageWaitsFor(...stacks: IDependable[]): void {
    for (const stack of stacks) this.stage.node.addDependency(stack);
  }
}
