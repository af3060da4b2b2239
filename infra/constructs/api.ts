/**
 * The HTTP API: a regional REST API built from the route table (functions/routes.ts), one resource
 * and method per route, each a Lambda proxy integration of the route's function. Routes whose
 * access is not public go through the Cognito user-pool authorizer; roles and ownership are then
 * checked by the use case itself. Errors raised by API Gateway itself are RFC 9457 problems, like
 * the handlers' own.
 *
 * Across stacks: the RestApi, every path resource (created once from the whole route table, so
 * two contexts serving paths under /practitioners share its resources), the validator, the model,
 * the authorizer, the deployment and the stage live in the backend stack; each bounded context's
 * nested stack adds the methods of its functions' routes (`addRoute`) onto those resources
 * (CDK passes their ids to the nested stack as parameters). The deployment waits for every
 * context stack, and its logical id is a hash of the route table: a new or changed route makes a
 * new deployment, which the stage then serves.
 *
 * Browsers (CORS, shared/http/cors.ts): every route path has an OPTIONS method, a MOCK
 * integration whose mapping template echoes the request's Origin when it matches an allowed
 * origin (with the path's methods, the request headers the API reads, Max-Age) and adds no CORS
 * header otherwise; the Lambda proxy answers get theirs from the shared handler. API Gateway's own
 * answers (GatewayResponses: the authorizer's 401, 403, 404, 413, 429, 5xx…) cannot choose among
 * origins (their headers are static values or request values, their templates are not VTL): they
 * name the first allowed origin when it is exact, never the request's. Every answer carries the
 * security headers (shared/http/security-headers.ts).
 */
import { createHash } from 'node:crypto';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, type IDependable } from 'constructs';
import * as z from 'zod';
import type { Route } from '#functions/routes.ts';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  type CorsPolicy,
  corsPolicy,
  originPattern,
} from '#shared/http/cors.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';
import { acknowledge } from '../nag.ts';
import { CONNECTION_LOG_DAYS } from '../retention.ts';
import type { OperationalLogs } from './logs.ts';

/** Steady-state requests per second and burst of the whole stage (every method). */
export const STAGE_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * TLS 1.3 and 1.2 with forward secrecy only (and post-quantum key exchange), in strict mode: the
 * API refuses any other protocol or cipher. Plain HTTP is never served by API Gateway.
 */
export const API_SECURITY_POLICY = 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09';

export interface ApiProps {
  /** The whole route table: every path resource is created here, once. */
  readonly routes: readonly Route[];
  readonly userPool: cognito.IUserPool;
  readonly logs: OperationalLogs;
  readonly restApiName: string;
  readonly stageName: string;
  /** The web origins browsers may call the API from (checked by shared/http/cors.ts). */
  readonly corsAllowedOrigins: readonly string[];
}

/**
 * Access-log entry: who called what and how it went. No request or response body, no header but
 * the caller's IP (connection data kept for fraud prevention within its one-month limit) and the
 * caller's opaque Cognito subject.
 */
const accessLogFormat = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigateway.AccessLogField.contextRequestId(),
    requestTime: apigateway.AccessLogField.contextRequestTime(),
    httpMethod: apigateway.AccessLogField.contextHttpMethod(),
    resourcePath: apigateway.AccessLogField.contextResourcePath(),
    status: apigateway.AccessLogField.contextStatus(),
    protocol: apigateway.AccessLogField.contextProtocol(),
    responseLength: apigateway.AccessLogField.contextResponseLength(),
    responseLatency: apigateway.AccessLogField.contextResponseLatency(),
    integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
    integrationStatus: apigateway.AccessLogField.contextIntegrationStatus(),
    sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
    subject: apigateway.AccessLogField.contextAuthorizerClaims('sub'),
    errorType: apigateway.AccessLogField.contextErrorResponseType(),
    errorMessage: apigateway.AccessLogField.contextErrorMessage(),
    wafStatus: apigateway.AccessLogField.contextWafStatus(),
    xrayTraceId: apigateway.AccessLogField.contextXrayTraceId(),
  }),
);

/** API Gateway's own errors, answered as RFC 9457 problems (shared/http/problem.ts). */
const gatewayProblems: readonly { type: apigateway.ResponseType; status?: number; title: string }[] = [
  { type: apigateway.ResponseType.BAD_REQUEST_BODY, status: 400, title: 'Invalid request' },
  { type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS, status: 400, title: 'Invalid request' },
  { type: apigateway.ResponseType.UNAUTHORIZED, status: 401, title: 'Unauthorized' },
  { type: apigateway.ResponseType.EXPIRED_TOKEN, status: 401, title: 'Unauthorized' },
  { type: apigateway.ResponseType.ACCESS_DENIED, status: 403, title: 'Forbidden' },
  { type: apigateway.ResponseType.WAF_FILTERED, status: 403, title: 'Forbidden' },
  // API Gateway answers an unknown path or method with this type.
  { type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, title: 'Not found' },
  { type: apigateway.ResponseType.REQUEST_TOO_LARGE, status: 413, title: 'Request too large' },
  { type: apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, status: 415, title: 'Unsupported media type' },
  { type: apigateway.ResponseType.THROTTLED, status: 429, title: 'Too many requests' },
  { type: apigateway.ResponseType.QUOTA_EXCEEDED, status: 429, title: 'Too many requests' },
  { type: apigateway.ResponseType.RESOURCE_NOT_FOUND, status: 404, title: 'Not found' },
  { type: apigateway.ResponseType.AUTHORIZER_FAILURE, status: 500, title: 'Internal error' },
  { type: apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, status: 500, title: 'Internal error' },
  // A function that crashed or ran out of time (the shared handler answers 503 itself before).
  { type: apigateway.ResponseType.INTEGRATION_FAILURE, status: 502, title: 'Bad gateway' },
  { type: apigateway.ResponseType.INTEGRATION_TIMEOUT, status: 504, title: 'Gateway timeout' },
  // The fallbacks: their status varies, so their problem carries none (the HTTP status says it).
  { type: apigateway.ResponseType.DEFAULT_4XX, title: 'Request refused' },
  { type: apigateway.ResponseType.DEFAULT_5XX, title: 'Service unavailable' },
];

function problemTemplate(status: number | undefined, title: string): string {
  const type = `https://api.monprodubienetre.fr/problems/${status ?? 'gateway'}`;
  const statusField = status === undefined ? '' : `"status":${status},`;
  return `{"type":"${type}","title":"${title}",${statusField}"detail":$context.error.messageString}`;
}

/** Header values as API Gateway's parameter mappings take static ones: between single quotes. */
function staticValues(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}

/**
 * The headers of every answer API Gateway makes itself: the security headers and the static CORS
 * headers (the first allowed origin, when exact), as the local gateway's own answers.
 */
export function gatewayResponseHeaders(cors: CorsPolicy): Record<string, string> {
  return { ...SECURITY_HEADERS, ...cors.gatewayHeaders() };
}

/** The methods of the route table on `path`, in its order. */
export function methodsOnPath(routes: readonly Route[], path: string): string[] {
  return [...new Set(routes.filter((route) => route.path === path).map((route) => route.method))];
}

/**
 * The mapping template of a preflight's MOCK integration response: finds the Origin header
 * (whatever the case of its name), and when an allowed origin's pattern (the same as the
 * handlers', shared/http/cors.ts `originPattern`) matches it, sets the CORS headers through
 * `$context.responseOverride` (each once: overrides are final). Otherwise it sets none.
 */
export function preflightTemplate(cors: CorsPolicy, methods: readonly string[]): string {
  if (cors.origins.length === 0) return '';
  const matches = cors.origins.map((entry) => `$origin.matches('${originPattern(entry)}')`).join(' || ');
  const override = (name: string, value: string) => `#set($context.responseOverride.header.${name} = ${value})`;
  return [
    '#set($origin = "")',
    '#set($headers = $input.params().header)',
    '#foreach($name in $headers.keySet())',
    '#if($name.equalsIgnoreCase("origin"))#set($origin = $headers.get($name))#end',
    '#end',
    `#if(${matches})`,
    override('Access-Control-Allow-Origin', '$origin'),
    override('Access-Control-Allow-Credentials', "'true'"),
    override('Access-Control-Allow-Methods', `'${methods.join(', ')}'`),
    override('Access-Control-Allow-Headers', `'${CORS_ALLOWED_HEADERS.join(', ')}'`),
    override('Access-Control-Max-Age', `'${CORS_MAX_AGE_SECONDS}'`),
    '#end',
  ].join('\n');
}

/** The CORS headers a preflight may set (declared on its method response, set by its template only). */
export const PREFLIGHT_CORS_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Max-Age',
] as const;

/** Names of the query-string parameters a zod query schema requires (none when it has no schema). */
export function requiredQueryParameters(route: Route): string[] {
  if (!route.operation.query) return [];
  const schema = z.toJSONSchema(route.operation.query, { io: 'input', unrepresentable: 'any' }) as {
    required?: string[];
  };
  return schema.required ?? [];
}

export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1] as string);
}

/** The key of a route in `Api.methods`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * What of a route makes API Gateway's deployed snapshot differ: a change of any of these (a new
 * route included) needs a new deployment. Function code does not: the integration names the
 * function, whose code Lambda serves.
 */
export function routeTableFingerprint(routes: readonly Route[]): string {
  const described = routes
    .map((route) => ({
      key: routeKey(route),
      function: route.function,
      operationId: route.operation.operationId,
      access: route.operation.access.kind,
      body: Boolean(route.operation.body),
      query: requiredQueryParameters(route),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return createHash('sha256').update(JSON.stringify({ described, gatewayProblems })).digest('hex').slice(0, 16);
}

export class Api extends Construct {
  readonly restApi: apigateway.RestApi;
  /** Created with the first non-public route (an unused authorizer fails synthesis). */
  authorizer: apigateway.CognitoUserPoolsAuthorizer | undefined;
  readonly methods: Record<string, apigateway.Method> = {};
  /** The CORS preflight of each route path, by path (in the stack of the first route added on it). */
  readonly preflights: Record<string, apigateway.Method> = {};
  readonly cors: CorsPolicy;
  /** Set by `deploy`. */
  stage: apigateway.Stage | undefined;
  private readonly props: ApiProps;
  private readonly validator: apigateway.RequestValidator;
  private readonly jsonObject: apigateway.Model;
  private readonly accessLogs: ReturnType<OperationalLogs['logGroup']>;
  private readonly executionLogs: ReturnType<OperationalLogs['logGroup']>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.props = props;
    this.cors = corsPolicy(props.corsAllowedOrigins);
    this.accessLogs = props.logs.logGroup(this, 'AccessLogs', { maxDays: CONNECTION_LOG_DAYS });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.restApiName,
      description: 'Mon Pro du Bien-Être public API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      // The deployment and stage are ours (`deploy`): they must wait for the methods of every
      // context stack, and redeploy when the route table changes.
      deploy: false,
    });
    const cfnApi = this.restApi.node.defaultChild as apigateway.CfnRestApi;
    cfnApi.securityPolicy = API_SECURITY_POLICY;
    cfnApi.endpointAccessMode = 'STRICT';

    // API Gateway writes execution logs into a group of this name, created without retention unless
    // it exists: create it first, encrypted and expiring.
    this.executionLogs = props.logs.logGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${props.stageName}`,
    });

    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "The account-level role through which API Gateway writes execution logs, created by CDK (cloudWatchRole) with AWS's service-role policy made for exactly this (logs actions only); it is assumable by apigateway.amazonaws.com only.",
      );
    }

    for (const problem of gatewayProblems) {
      this.restApi.addGatewayResponse(`Problem${problem.type.responseType}`, {
        type: problem.type,
        ...(problem.status ? { statusCode: String(problem.status) } : {}),
        templates: { 'application/json': problemTemplate(problem.status, problem.title) },
        responseHeaders: staticValues({
          ...gatewayResponseHeaders(this.cors),
          'Content-Type': 'application/problem+json',
        }),
      });
    }

    this.validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // Bodies must be JSON objects; their fields are the zod contract's business, in the handler.
    this.jsonObject = this.restApi.addModel('JsonObject', {
      contentType: 'application/json',
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, type: apigateway.JsonSchemaType.OBJECT },
    });

    // Every path resource, once, from the whole route table.
    for (const route of props.routes) this.restApi.root.resourceForPath(route.path);
  }

  /**
   * The method of one route, created in `scope` (the nested stack of the function's context) on
   * the path resource of this stack: a Lambda proxy integration whose invoke permission names
   * this stage's method only.
   */
  addRoute(scope: Construct, route: Route, fn: lambda.IFunction): apigateway.Method {
    const key = routeKey(route);
    if (this.methods[key]) throw new Error(`Duplicate route ${key}`);
    if (!this.stage) throw new Error('Api: deploy() names the stage before routes are added');
    const resource = this.restApi.root.resourceForPath(route.path);
    const requestParameters: Record<string, boolean> = {};
    for (const name of pathParameters(route.path)) requestParameters[`method.request.path.${name}`] = true;
    for (const name of requiredQueryParameters(route)) {
      requestParameters[`method.request.querystring.${name}`] = true;
    }
    const isPublic = route.operation.access.kind === 'public';
    const method = new apigateway.Method(scope, `${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, '-')}`, {
      resource,
      httpMethod: route.method,
      integration: new apigateway.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }),
      options: {
        operationName: route.operation.operationId,
        requestValidator: this.validator,
        ...(Object.keys(requestParameters).length > 0 ? { requestParameters } : {}),
        ...(route.operation.body ? { requestModels: { 'application/json': this.jsonObject } } : {}),
        ...(isPublic
          ? { authorizationType: apigateway.AuthorizationType.NONE }
          : { authorizationType: apigateway.AuthorizationType.COGNITO, authorizer: this.userPoolAuthorizer() }),
      },
    });
    if (isPublic) {
      const reason = `${key} is public in the route table (functions/routes.ts, operation ${route.operation.operationId}): visitors call it without an account. It is bounded by the WAF (per-IP rate limits, managed rules) and the stage throttling.`;
      acknowledge(method, 'AwsSolutions-APIG4', reason);
      acknowledge(method, 'AwsSolutions-COG4', reason);
    }
    this.methods[key] = method;
    this.preflights[route.path] ??= this.addPreflight(scope, route.path, resource);
    return method;
  }

  /**
   * The CORS preflight of a route path: OPTIONS, no authorizer (browsers send no credentials on
   * a preflight), a MOCK integration answering 204 with `Allow`, `Vary: Origin` and the security
   * headers, and the CORS headers only when its template finds an allowed origin.
   */
  private addPreflight(scope: Construct, path: string, resource: apigateway.IResource): apigateway.Method {
    const methods = methodsOnPath(this.props.routes, path);
    const headers = staticValues({ ...SECURITY_HEADERS, Allow: [...methods, 'OPTIONS'].join(', '), Vary: 'Origin' });
    const preflight = new apigateway.Method(scope, `OPTIONS${path.replace(/[^A-Za-z0-9]+/g, '-')}`, {
      resource,
      httpMethod: 'OPTIONS',
      integration: new apigateway.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 204}' },
        integrationResponses: [
          {
            statusCode: '204',
            responseParameters: Object.fromEntries(
              Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, value]),
            ),
            responseTemplates: { 'application/json': preflightTemplate(this.cors, methods) },
          },
        ],
      }),
      options: {
        authorizationType: apigateway.AuthorizationType.NONE,
        methodResponses: [
          {
            statusCode: '204',
            responseParameters: Object.fromEntries(
              [...Object.keys(headers), ...PREFLIGHT_CORS_HEADERS].map((name) => [
                `method.response.header.${name}`,
                true,
              ]),
            ),
          },
        ],
      },
    });
    const reason = `OPTIONS ${path} is the CORS preflight browsers send before calling the API, without credentials by definition; a MOCK integration (no backend) answers it. It is bounded by the WAF and the stage throttling.`;
    acknowledge(preflight, 'AwsSolutions-APIG4', reason);
    acknowledge(preflight, 'AwsSolutions-COG4', reason);
    return preflight;
  }

  /**
   * The deployment and the stage. The deployment's logical id changes with the route table
   * (`routeTableFingerprint`), and it waits for `methodStacks` (every stack adding methods): a
   * deployment is a snapshot of the methods that exist when it is made.
   */
  deploy(fingerprint: string): apigateway.Stage {
    if (this.stage) return this.stage;
    const deployment = new apigateway.Deployment(this, 'Deployment', {
      api: this.restApi,
      description: `Route table ${fingerprint}`,
    });
    // What API Gateway answers itself for browsers (allowed origins, CORS and security headers)
    // is part of the deployed snapshot too.
    deployment.addToLogicalId({
      routeTable: fingerprint,
      browsers: {
        origins: this.cors.origins,
        security: SECURITY_HEADERS,
        allowed: CORS_ALLOWED_HEADERS,
        exposed: CORS_EXPOSED_HEADERS,
        maxAge: CORS_MAX_AGE_SECONDS,
      },
    });
    this.stage = new apigateway.Stage(this, 'Stage', {
      deployment,
      stageName: this.props.stageName,
      tracingEnabled: true,
      throttlingRateLimit: STAGE_THROTTLING.rateLimit,
      throttlingBurstLimit: STAGE_THROTTLING.burstLimit,
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: true,
      accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
      accessLogFormat,
    });
    this.stage.node.addDependency(this.executionLogs);
    // The invoke permissions of the methods (in the context stacks) and the URL name the stage by
    // its configured name, not by a reference to the stage resource: the stage follows the
    // deployment, which waits for the context stacks, so a reference back would be a cycle.
    this.restApi.deploymentStage = apigateway.Stage.fromStageAttributes(this, 'StageByName', {
      restApi: this.restApi,
      stageName: this.props.stageName,
    }) as apigateway.Stage;
    acknowledge(
      this.stage,
      'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'No stage cache: answers are personal (per caller) or must be fresh (slots, bookings); a cache keyed on the path would risk serving one user the data of another. Nothing is cached, so nothing is stored unencrypted.',
    );
    acknowledge(
      this.stage,
      'HIPAA.Security-APIGWSSLEnabled',
      'Client certificates authenticate API Gateway to an HTTP backend. Every integration here is a Lambda proxy invoked through the AWS API (SigV4 over TLS), so there is no backend to present one to. Clients reach the API over TLS only (TLS 1.2+ with forward secrecy, strict endpoint access mode).',
    );
    return this.stage;
  }

  /** Makes the deployment wait for the stacks that add methods. */
  deploymentWaitsFor(...stacks: IDependable[]): void {
    const deployment = this.node.tryFindChild('Deployment') as apigateway.Deployment | undefined;
    if (!deployment) throw new Error('Api: deploy() first');
    for (const stack of stacks) deployment.node.addDependency(stack);
  }

  private userPoolAuthorizer(): apigateway.CognitoUserPoolsAuthorizer {
    this.authorizer ??= new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.props.userPool],
      identitySource: apigateway.IdentitySource.header('Authorization'),
    });
    return this.authorizer;
  }
}
