/** The OpenAPI 3.1 document of the API, generated from the route table (functions/routes.ts). */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { Route } from './contract.ts';
import { problemSchema } from './problem.ts';

const commonProblems: Record<number, string> = {
  400: 'Invalid request: the problem names each invalid field.',
  429: 'Too many requests: retry after the Retry-After header.',
  500: 'Internal error.',
};

export function openApiDocument(routes: readonly Route[], serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'cognito', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Cognito user pool ID token.',
  });
  for (const route of routes) {
    const { operation } = route;
    const responses: Record<string, { description: string; content?: Record<string, { schema: never }> }> = {};
    for (const [status, response] of Object.entries(operation.responses)) {
      const content = {
        ...(response.schema ? { 'application/json': { schema: response.schema as never } } : {}),
        ...Object.fromEntries(
          Object.entries(response.otherContent ?? {}).map(([type, schema]) => [type, { schema: schema as never }]),
        ),
      };
      responses[status] = {
        description: response.description,
        ...(Object.keys(content).length > 0 ? { content } : {}),
      };
    }
    const problems = {
      ...commonProblems,
      ...(operation.access.kind === 'public' ? {} : { 401: 'Not signed in.', 403: 'Not allowed.' }),
    };
    for (const [status, description] of Object.entries(problems)) {
      responses[status] ??= {
        description,
        content: { 'application/problem+json': { schema: problemSchema as never } },
      };
    }
    registry.registerPath({
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [...operation.tags],
      ...(operation.access.kind === 'public' ? {} : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(operation.body
          ? { body: { required: true, content: { 'application/json': { schema: operation.body as never } } } }
          : {}),
        ...(operation.query ? { query: operation.query as never } : {}),
        ...(operation.pathParameters ? { params: operation.pathParameters as never } : {}),
        ...(operation.headers ? { headers: operation.headers as never } : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Mon Pro du Bien-Être API',
      version: '0.1.0',
      description: 'Find wellness practitioners, book and pay appointments. Errors are RFC 9457 problems.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
