/**
 * What the templates give browsers: a CORS preflight (OPTIONS, MOCK integration) on every route
 * path, whose mapping template echoes an allowed origin only, with the methods of that path; the
 * security headers and the static CORS headers on every GatewayResponse; the allowed origins in
 * the environment of every function serving a route (and of no other); a new deployment when the
 * allowed origins change.
 */
import { App, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { DEFAULT_CORS_ORIGINS, readConfig } from '#infra/config.ts';
import { methodsOnPath, PREFLIGHT_CORS_HEADERS, preflightTemplate } from '#infra/constructs/api.ts';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  CORS_ORIGINS_ENV,
  corsPolicy,
} from '#shared/http/cors.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';
import {
  functionNamed,
  logicalId,
  resourceOf,
  resourcesOfType,
  resourcesOfTypeBeside,
  type Synthesized,
  synthesize,
  withoutBundling,
} from './synth.ts';

const ORIGINS = 'https://www.monprodubienetre.fr,http://localhost:*';
const PRIMARY = 'https://www.monprodubienetre.fr';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({ context: { ...withoutBundling(), corsAllowedOrigins: ORIGINS }, nag: false });
});

const routePaths = [...new Set(routes.map((route) => route.path))];

interface MethodProps {
  HttpMethod: string;
  AuthorizationType: string;
  Integration: {
    Type: string;
    RequestTemplates: Record<string, string>;
    IntegrationResponses: {
      StatusCode: string;
      ResponseParameters: Record<string, string>;
      ResponseTemplates: Record<string, string>;
    }[];
  };
  MethodResponses: { StatusCode: string; ResponseParameters: Record<string, boolean> }[];
}

const preflightOf = (path: string) => {
  const method = synth.backend.api.preflights[path];
  if (!method) throw new Error(`No preflight on ${path}`);
  return { method, props: resourceOf(synth, method).Properties as unknown as MethodProps };
};

describe('the CORS preflight of every route path', () => {
  it('is one OPTIONS method per route path, on the path’s resource, and no other', () => {
    const options = resourcesOfType(synth, 'AWS::ApiGateway::Method').filter(
      ([, props]) => props.HttpMethod === 'OPTIONS',
    );
    expect(options).toHaveLength(routePaths.length);
    expect(Object.keys(synth.backend.api.preflights).sort()).toEqual([...routePaths].sort());
    for (const path of routePaths) expect(preflightOf(path).method.resource.path).toBe(path);
  });

  it.each(routePaths)('%s: a MOCK integration without authorizer answering 204', (path) => {
    const { props } = preflightOf(path);
    expect(props.AuthorizationType).toBe('NONE');
    expect(props.Integration.Type).toBe('MOCK');
    expect(JSON.parse(props.Integration.RequestTemplates['application/json']!)).toEqual({ statusCode: 204 });
    const [response] = props.Integration.IntegrationResponses;
    expect(response!.StatusCode).toBe('204');
    // Static: Allow, Vary and the security headers. The CORS headers come from the template only.
    const methods = methodsOnPath(routes, path);
    const expected = Object.fromEntries(
      Object.entries({ ...SECURITY_HEADERS, Allow: [...methods, 'OPTIONS'].join(', '), Vary: 'Origin' }).map(
        ([name, value]) => [`method.response.header.${name}`, `'${value}'`],
      ),
    );
    expect(response!.ResponseParameters).toEqual(expected);
    expect(response!.ResponseTemplates['application/json']).toBe(preflightTemplate(corsPolicy(ORIGINS), methods));
    const declared = Object.keys(props.MethodResponses[0]!.ResponseParameters);
    for (const name of PREFLIGHT_CORS_HEADERS) expect(declared).toContain(`method.response.header.${name}`);
  });

  it('echoes only an allowed origin, setting each CORS header once, with the path’s methods', () => {
    const path = '/bookings';
    const template =
      preflightOf(path).props.Integration.IntegrationResponses[0]!.ResponseTemplates['application/json']!;
    const lines = template.split('\n');
    const condition = lines.findIndex((line) => line.startsWith('#if($origin.matches('));
    expect(condition).toBeGreaterThan(0);
    // Every override sits inside the origin test, and each header is overridden exactly once.
    const overrides = lines.filter((line) => line.includes('$context.responseOverride.header.'));
    expect(overrides).toEqual([
      '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
      "#set($context.responseOverride.header.Access-Control-Allow-Credentials = 'true')",
      `#set($context.responseOverride.header.Access-Control-Allow-Methods = '${methodsOnPath(routes, path).join(', ')}')`,
      `#set($context.responseOverride.header.Access-Control-Allow-Headers = '${CORS_ALLOWED_HEADERS.join(', ')}')`,
      `#set($context.responseOverride.header.Access-Control-Max-Age = '${CORS_MAX_AGE_SECONDS}')`,
    ]);
    expect(lines.indexOf(overrides[0]!)).toBe(condition + 1);
    expect(lines.at(-1)).toBe('#end');
    expect(methodsOnPath(routes, path)).toEqual(['POST', 'GET']);
    // The Origin header is looked up whatever the case of its name.
    expect(template).toContain('#if($name.equalsIgnoreCase("origin"))#set($origin = $headers.get($name))#end');

    // The template's patterns (Java's String.matches, anchored) decide as the handlers' policy does.
    const patterns = [...lines[condition]!.matchAll(/\$origin\.matches\('([^']+)'\)/g)].map((m) => new RegExp(m[1]!));
    expect(patterns).toHaveLength(2);
    const policy = corsPolicy(ORIGINS);
    for (const origin of [
      PRIMARY,
      'http://localhost:5173',
      'http://localhost',
      'https://monprodubienetre.fr',
      'https://wwwamonprodubienetre.fr',
      'https://www.monprodubienetre.fr.evil.example',
      'http://localhost.evil.example',
      'https://localhost:5173',
      '',
    ]) {
      expect(
        patterns.some((pattern) => pattern.test(origin)),
        origin,
      ).toBe(policy.allows(origin));
    }
  });

  it('sets no CORS header at all when no origin is allowed', () => {
    expect(preflightTemplate(corsPolicy(''), ['GET'])).toBe('');
  });
});

describe('API Gateway’s own answers', () => {
  it('every GatewayResponse carries the security headers and names the first allowed origin, statically', () => {
    const responses = resourcesOfType(synth, 'AWS::ApiGateway::GatewayResponse');
    expect(responses.length).toBeGreaterThanOrEqual(13);
    const types = responses.map(([, props]) => props.ResponseType);
    expect(types).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED', 'WAF_FILTERED']));
    for (const [, props] of responses) {
      expect(props.ResponseParameters, String(props.ResponseType)).toEqual({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.Strict-Transport-Security': `'${SECURITY_HEADERS['Strict-Transport-Security']}'`,
        'gatewayresponse.header.Vary': "'Origin'",
        'gatewayresponse.header.Access-Control-Allow-Origin': `'${PRIMARY}'`,
        'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        'gatewayresponse.header.Access-Control-Expose-Headers': `'${CORS_EXPOSED_HEADERS.join(', ')}'`,
      });
      // Never the request's own Origin (method.request.header.Origin): any site would be allowed.
      expect(JSON.stringify(props)).not.toMatch(/method\.request\.header/i);
      // A problem with its status, as the document's Problem schema requires; only the two
      // fallbacks, whose status varies, leave it to the HTTP status line.
      const template = (props.ResponseTemplates as Record<string, string>)['application/json']!;
      if (props.StatusCode) expect(template, String(props.ResponseType)).toContain(`"status":${props.StatusCode},`);
      else expect(['DEFAULT_4XX', 'DEFAULT_5XX']).toContain(props.ResponseType);
    }
    expect(types).toEqual(expect.arrayContaining(['INTEGRATION_FAILURE', 'INTEGRATION_TIMEOUT', 'BAD_REQUEST_BODY']));
  });
});

describe('the allowed origins in the functions’ environments', () => {
  const served = new Set(routes.map((route) => route.function));
  it.each(Object.keys(functions) as FunctionName[])('%s', (name) => {
    const variables = (
      resourceOf(synth, functionNamed(synth, name).function).Properties!.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    if (served.has(name)) {
      expect(functions[name].http).toBe(true);
      expect(variables[CORS_ORIGINS_ENV]).toBe(ORIGINS);
    } else {
      expect(functions[name].http).toBeUndefined();
      expect(variables[CORS_ORIGINS_ENV]).toBeUndefined();
    }
  });
});

describe('the configuration', () => {
  const config = (context: Record<string, unknown>) => readConfig(new App({ context }), {});

  it('defaults to the platform’s site, with and without www', () => {
    expect(config({}).corsAllowedOrigins).toEqual([...DEFAULT_CORS_ORIGINS]);
  });

  it('takes a comma-separated context value or a list, and refuses what is not an origin', () => {
    expect(config({ corsAllowedOrigins: 'https://a.example.test, http://localhost:*' }).corsAllowedOrigins).toEqual([
      'https://a.example.test',
      'http://localhost:*',
    ]);
    expect(config({ corsAllowedOrigins: ['https://a.example.test'] }).corsAllowedOrigins).toEqual([
      'https://a.example.test',
    ]);
    expect(() => config({ corsAllowedOrigins: '*' })).toThrow('CORS origin "*"');
    expect(() => config({ corsAllowedOrigins: 'http://www.monprodubienetre.fr' })).toThrow('plain http');
    expect(() => config({ corsAllowedOrigins: 42 })).toThrow('corsAllowedOrigins');
  });

  it('makes a new deployment when the allowed origins change (the preflights and GatewayResponses are in it)', () => {
    const deploymentId = (of: Synthesized) =>
      resourcesOfTypeBeside(of, of.backend.api.restApi, 'AWS::ApiGateway::Deployment')[0]![0];
    const other = synthesize({
      context: { ...withoutBundling(), corsAllowedOrigins: PRIMARY },
      nag: false,
    });
    expect(deploymentId(other)).not.toBe(deploymentId(synth));
    expect(Stack.of(synth.backend.api.restApi)).toBe(synth.backend);
    expect(logicalId(synth.backend.api.restApi)).toBe(logicalId(other.backend.api.restApi));
  });
});
