/**
 * The API as the end-to-end tests call it: the generated client (clients/typescript), and a check
 * of every answer against the OpenAPI document. An answer whose status the document does not
 * declare for that operation, whose content type or body it does not describe (objects are
 * closed: a field it does not name fails), or that carries a header it does not document fails
 * the call, naming the operation, the status and the field or header, never a value (answers hold
 * personal data). `callApi` is the escape hatch for what the typed client will not send (a wrong
 * type, a malformed body): its answers go through the same check.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';
import { routes } from '#functions/routes.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { type ApiClient, createApiClient } from '../../clients/typescript/src/index.ts';
import { callFrom, fetchFrom, type Reply } from './http.ts';
import type { Person } from './identity.ts';
import type { CloudInfo } from './local-cloud.ts';

type Schema = Record<string, unknown>;

interface DocumentedResponse {
  readonly headers?: Record<string, { readonly required?: boolean; readonly schema?: Schema }>;
  readonly content?: Record<string, { readonly schema?: Schema }>;
}

interface DocumentedOperation {
  readonly operationId: string;
  readonly responses: Record<string, DocumentedResponse>;
}

const document = openApiDocument(routes) as unknown as {
  paths: Record<string, Record<string, DocumentedOperation>>;
  components: { schemas: Record<string, Schema> };
};

/**
 * Headers of the transport and of the shared layers that are no part of an operation's answer:
 * HTTP framing, the date, caching and security policy, CORS, the gateway's request id.
 */
const transportHeaders = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'cache-control',
  'x-content-type-options',
  'strict-transport-security',
  'x-amzn-requestid',
  'vary',
]);
const isTransportHeader = (name: string) => transportHeaders.has(name) || name.startsWith('access-control-');

const schemaMaps = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
const schemaLists = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const schemaValues = [
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
];

/**
 * A copy of a schema whose objects are closed (an object schema that says nothing of other
 * properties gets `additionalProperties: false`), its component references pointing into the
 * `api` schema the validator holds.
 */
function closed(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (typeof copy.$ref === 'string') copy.$ref = copy.$ref.replace(/^#\//, 'api#/');
  for (const key of schemaMaps) {
    if (copy[key] && typeof copy[key] === 'object')
      copy[key] = Object.fromEntries(Object.entries(copy[key] as Schema).map(([k, v]) => [k, closed(v as Schema)]));
  }
  for (const key of schemaLists)
    if (Array.isArray(copy[key])) copy[key] = (copy[key] as Schema[]).map((s) => closed(s));
  for (const key of schemaValues)
    if (copy[key] && typeof copy[key] === 'object' && !Array.isArray(copy[key]))
      copy[key] = closed(copy[key] as Schema);
  const isObject = copy.type === 'object' || (Array.isArray(copy.type) && copy.type.includes('object'));
  if ((isObject || copy.properties) && !('additionalProperties' in copy) && !('unevaluatedProperties' in copy))
    copy.additionalProperties = false;
  return copy;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(
  {
    $id: 'api',
    components: {
      schemas: Object.fromEntries(Object.entries(document.components.schemas).map(([k, v]) => [k, closed(v)])),
    },
  },
  'api',
);

const compiled = new Map<string, ValidateFunction>();
function validatorOf(key: string, schema: Schema): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(closed(schema));
    compiled.set(key, validate);
  }
  return validate;
}

/** What an error says of the answer: where and which rule, never the value found there. */
function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath || '(root)';
      if (e.keyword === 'additionalProperties')
        return `${at}: undocumented field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
      if (e.keyword === 'required')
        return `${at}: missing field "${String((e.params as { missingProperty: string }).missingProperty)}"`;
      return `${at}: ${e.message ?? e.keyword}`;
    })
    .join('; ');
}

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  parameters: (template.match(/\{/g) ?? []).length,
}));

/** The path template of the route a concrete path and method reach (a literal segment wins over a parameter). */
export function templateOf(method: string, pathname: string): string | undefined {
  return templates
    .filter((t) => t.pattern.test(pathname) && document.paths[t.template]?.[method.toLowerCase()])
    .sort((a, b) => a.parameters - b.parameters)[0]?.template;
}

export class UndocumentedAnswer extends Error {
  override readonly name = 'UndocumentedAnswer';
}

export interface Answer {
  readonly method: string;
  /** The route's path template (`/bookings/{appointmentId}`), or a concrete path (`/bookings/apt_1`). */
  readonly path: string;
  readonly status: number;
  readonly headers: Headers | Record<string, string | string[] | undefined>;
  readonly body: string;
}

const headerEntries = (headers: Answer['headers']): [string, string][] =>
  headers instanceof Headers
    ? [...headers.entries()]
    : Object.entries(headers).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v): [string, string] => [
          name.toLowerCase(),
          v,
        ]),
      );

const problemValidator = () => validatorOf('Problem', { $ref: '#/components/schemas/Problem' });

/**
 * Throws UndocumentedAnswer unless the document declares this answer: the status for this
 * operation, the content type, a body its schema accepts (objects closed), every header.
 */
export function validateAnswer(answer: Answer): void {
  const method = answer.method.toUpperCase();
  const pathname = answer.path.split('?')[0]!;
  const template = document.paths[pathname]?.[method.toLowerCase()] ? pathname : templateOf(method, pathname);
  const headers = headerEntries(answer.headers);
  const contentType = headers
    .find(([name]) => name === 'content-type')?.[1]
    ?.split(';')[0]
    ?.trim();
  if (!template) {
    // No route: the gateway's 404 (no such path) or 405 (another method), answers of no operation.
    const where = `${method} (a path of no route)`;
    const allowed = templates.some((t) => t.pattern.test(pathname)) ? 405 : 404;
    if (answer.status !== allowed) throw new UndocumentedAnswer(`${where}: status ${answer.status}, not ${allowed}`);
    if (contentType !== 'application/problem+json')
      throw new UndocumentedAnswer(`${where} ${answer.status}: content type ${contentType ?? '(none)'}`);
    const validate = problemValidator();
    if (!validate(JSON.parse(answer.body)))
      throw new UndocumentedAnswer(`${where} ${answer.status}: ${describeErrors(validate.errors)}`);
    return;
  }
  const operation = document.paths[template]![method.toLowerCase()]!;
  const where = `${operation.operationId} (${method} ${template})`;
  const response = operation.responses[String(answer.status)];
  if (!response) throw new UndocumentedAnswer(`${where}: status ${answer.status} is not documented`);
  const at = `${where} ${answer.status}`;

  const documented = new Map(Object.entries(response.headers ?? {}).map(([name, h]) => [name.toLowerCase(), h]));
  for (const [name, value] of headers) {
    if (isTransportHeader(name)) continue;
    const header = documented.get(name);
    if (!header) throw new UndocumentedAnswer(`${at}: undocumented header ${name}`);
    if (header.schema) {
      const validate = validatorOf(`${at} header ${name}`, header.schema);
      if (!validate(value))
        throw new UndocumentedAnswer(
          `${at}: header ${name} ${describeErrors(validate.errors).replace(/^\(root\): /, '')}`,
        );
    }
  }
  for (const [name, header] of documented)
    if (header.required && !headers.some(([n]) => n === name))
      throw new UndocumentedAnswer(`${at}: missing required header ${name}`);

  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    if (answer.body !== '') throw new UndocumentedAnswer(`${at}: a body, where none is documented`);
    return;
  }
  const media = contentType ? content[contentType] : undefined;
  if (!media?.schema)
    throw new UndocumentedAnswer(
      `${at}: content type ${contentType ?? '(none)'} is not documented (${Object.keys(content).join(', ')})`,
    );
  let body: unknown = answer.body;
  if (/^application\/(.+\+)?json$/.test(contentType!)) {
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw new UndocumentedAnswer(`${at}: the body is not JSON`);
    }
  }
  const validate = validatorOf(`${at} ${contentType}`, media.schema);
  if (!validate(body)) throw new UndocumentedAnswer(`${at}: ${describeErrors(validate.errors)}`);
}

/** openapi-fetch middleware: every answer is validated before the test sees it. */
export const validatingMiddleware: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    validateAnswer({
      method: request.method,
      path: schemaPath,
      status: response.status,
      headers: response.headers,
      body: await response.clone().text(),
    });
    return undefined;
  },
};

/**
 * The typed client of the local cloud's API, from a loopback address of the test's own (rate
 * limits are per IP), signed in as `person` when given; every answer is validated.
 */
export function apiClient(cloud: CloudInfo, ip: string, person?: Pick<Person, 'idToken'>): ApiClient {
  const client = createApiClient({
    baseUrl: cloud.urls.api,
    fetch: fetchFrom(ip),
    ...(person ? { idToken: person.idToken } : {}),
  });
  client.use(validatingMiddleware);
  return client;
}

/**
 * A raw call for what the typed client will not send (wrong types, malformed JSON, a forged
 * token): the answer is validated like the client's.
 */
export async function callApi(
  cloud: CloudInfo,
  ip: string,
  method: string,
  path: string,
  options: { person?: Person | undefined; token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const token = options.token ?? options.person?.idToken;
  const reply = await callFrom(ip, `${cloud.urls.api}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  validateAnswer({ method, path, status: reply.status, headers: reply.headers, body: reply.body });
  return reply;
}

/** `callApi`'s answer as a fetch Response, for tests written against fetch: validated alike. */
export async function fetchApi(
  cloud: CloudInfo,
  ip: string,
  method: string,
  path: string,
  options: { person?: Person | undefined; token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const reply = await callApi(cloud, ip, method, path, options);
  const headers = new Headers();
  for (const [name, value] of Object.entries(reply.headers))
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  const noBody = [204, 205, 304].includes(reply.status);
  return new Response(noBody ? null : reply.body, { status: reply.status, headers });
}
