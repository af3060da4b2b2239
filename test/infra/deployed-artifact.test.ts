/**
 * The operator's artifact: `cdk synth --quiet` with the real CLI (bundling every function with
 * esbuild), then each AWS::Lambda::Function of every template (nested ones included) started as
 * Lambda would: its asset alone in an empty folder, Node 24, and nothing but its template's
 * environment (each CloudFormation reference replaced by a placeholder) and what Lambda's runtime
 * sets. Importing the handler module must not throw, and it must export `handler`: a variable the
 * code reads at init but the catalogue entry does not declare fails here, before any deployment.
 * One bundled function is run through a request against a stand-in DynamoDB: it signs with the
 * credentials Lambda puts in the environment, the SDK's default chain being aliased out of every
 * bundle (infra/bundling.ts). The same artifact is checked against the resource budget.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/backend-app.ts';
import { RESOURCE_BUDGET, TEMPLATE_SIZE_BUDGET_BYTES } from '#infra/resource-budget.ts';
import { credentialChainMarkers } from '../support/bundles.ts';

interface TemplateFile {
  readonly file: string;
  readonly bytes: number;
  readonly resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

interface DeployedFunction {
  /** Its construct path (stack, context, catalogue name). */
  readonly path: string;
  readonly assetDir: string;
  readonly handler: string;
  readonly environment: Record<string, string>;
}

const NODE = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
const PLACEHOLDER = 'cloudformation-value-placeholder';

/**
 * A template value as the function would see it: strings as they are, a join with its literal
 * parts (a URL stays a URL: `https://cognito-idp.<region>.amazonaws.com/<pool>`), any other
 * CloudFormation intrinsic as a placeholder.
 */
function deployedValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (join) return join[1].map(deployedValue).join(join[0]);
  return PLACEHOLDER;
}

let outdir: string;
let cliOutput: string;
let templates: TemplateFile[];
let deployed: DeployedFunction[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'mpbe-cdk-out-'));
  const started = performance.now();
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(PROJECT_ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` },
    timeout: 280_000,
  });
  cliOutput = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`cdk synth failed (${result.status}):\n${cliOutput}`);
  console.info(`cdk synth (bundling included) in ${Math.round(performance.now() - started)} ms`);

  templates = readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => {
      const text = readFileSync(join(outdir, file), 'utf8');
      return { file, bytes: Buffer.byteLength(text), resources: JSON.parse(text).Resources ?? {} };
    });
  deployed = templates.flatMap(({ resources }) =>
    Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => {
        const properties = resource.Properties ?? {};
        const variables =
          (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        return {
          path: String(resource.Metadata?.['aws:cdk:path'] ?? '?').replace(/\/Function\/Resource$/, ''),
          assetDir: join(outdir, String(resource.Metadata?.['aws:asset:path'])),
          handler: String(properties.Handler),
          environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, deployedValue(value)])),
        };
      }),
  );
}, 300_000);

/** What Lambda's Node.js runtime sets for every function, its role's credentials included. */
const lambdaRuntimeEnvironment = (fn: DeployedFunction, root: string) => ({
  AWS_REGION: 'eu-west-3',
  AWS_DEFAULT_REGION: 'eu-west-3',
  AWS_LAMBDA_FUNCTION_NAME: fn.path.split('/').pop() ?? 'function',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'dummy-session-token',
  LAMBDA_TASK_ROOT: root,
  TZ: ':UTC',
});

/** A function's asset alone in an empty folder, as Lambda unpacks it: the folder and its handler module's file. */
function unpack(fn: DeployedFunction): { root: string; file: string | undefined; exported: string } {
  const root = mkdtempSync(join(tmpdir(), 'mpbe-lambda-'));
  cpSync(fn.assetDir, root, { recursive: true });
  const [module, exported] = fn.handler.split('.') as [string, string];
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(root, `${module}${extension}`)).find(existsSync);
  return { root, file, exported };
}

/** Starts the handler module of one function as Lambda would; resolves to the error it died of, if any. */
function start(fn: DeployedFunction): Promise<string | undefined> {
  const { root, file, exported } = unpack(fn);
  if (!file) return Promise.resolve(`no ${fn.handler.split('.')[0]}.mjs/.js in the asset`);
  const probe = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
if (typeof m[${JSON.stringify(exported)}] !== 'function') { console.error('no exported ${exported} function'); process.exit(2); }`;
  const env = { ...fn.environment, ...lambdaRuntimeEnvironment(fn, root) };
  return new Promise((resolve) => {
    execFile(NODE, ['--input-type=module', '-e', probe], { cwd: root, env, timeout: 30_000 }, (error, _out, stderr) => {
      if (!error) return resolve(undefined);
      // The thrown error's own line (Node prints the source excerpt above it).
      const lines = stderr.split('\n');
      const reason = lines.find((line) => /^\s*(\w*Error\b.*:|no exported)/.test(line)) ?? error.message;
      resolve(reason.trim());
    });
  });
}

describe('the artifact of cdk synth', () => {
  it('bundles every function of every stack, nested ones included', () => {
    expect(templates.some((t) => t.file.endsWith('.nested.template.json'))).toBe(true);
    expect(deployed.length).toBeGreaterThan(40);
    for (const fn of deployed) expect(statSync(fn.assetDir).isDirectory(), fn.path).toBe(true);
  });

  it('starts every function with only its template environment: module init does not throw, handler is exported', async () => {
    const failures: string[] = [];
    const queue = [...deployed];
    // Two at a time: this machine has two cores.
    await Promise.all(
      [0, 1].map(async () => {
        for (let fn = queue.shift(); fn; fn = queue.shift()) {
          const error = await start(fn);
          if (error) failures.push(`${fn.path}: ${error}`);
        }
      }),
    );
    expect(failures.sort()).toEqual([]);
  }, 600_000);

  it('signs AWS calls with the credentials Lambda puts in the environment, the SDK default chain left out of the bundle', async () => {
    const fn = deployed.find((f) => f.path.endsWith('/getPractitioner'));
    if (!fn) throw new Error('no getPractitioner function in the templates');
    const { root, file, exported } = unpack(fn);
    if (!file) throw new Error('getPractitioner has no handler module');
    // The bundle holds the environment's provider alone (infra/bundling.ts): no SSO, ini or
    // instance-metadata provider, none of the default chain's steps.
    // Matches only, never the bundle, in a failure.
    const bundle = readFileSync(file, 'utf8');
    expect(bundle.includes('Unable to find environment variable credentials')).toBe(true);
    expect(credentialChainMarkers.filter((marker) => bundle.includes(marker))).toEqual([]);

    // DynamoDB stands here as a server that notes who signed each call and finds no item.
    const calls: Array<{ target: string | undefined; authorization: string; token: string | undefined }> = [];
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        calls.push({
          target: request.headers['x-amz-target'] as string | undefined,
          authorization: request.headers.authorization ?? '',
          token: request.headers['x-amz-security-token'] as string | undefined,
        });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const event = {
      httpMethod: 'GET',
      path: '/practitioners/pro_1',
      resource: '/practitioners/{practitionerId}',
      pathParameters: { practitionerId: 'pro_1' },
      queryStringParameters: null,
      headers: {},
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'request-1', identity: { sourceIp: '192.0.2.1' } },
    };
    const probe = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
const context = { awsRequestId: 'request-1', functionName: 'getPractitioner', getRemainingTimeInMillis: () => 10000 };
const answer = await m[${JSON.stringify(exported)}](${JSON.stringify(event)}, context);
process.stdout.write(JSON.stringify({ statusCode: answer.statusCode }));`;
    const env = {
      ...fn.environment,
      ...lambdaRuntimeEnvironment(fn, root),
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
    };
    try {
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(NODE, ['--input-type=module', '-e', probe], { cwd: root, env, timeout: 30_000 }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
        ),
      );
      expect(JSON.parse(stdout.trim().split('\n').pop() ?? '{}')).toEqual({ statusCode: 404 });
    } finally {
      server.close();
    }
    expect(calls.map((c) => c.target)).toContain('DynamoDB_20120810.GetItem');
    for (const call of calls) {
      expect(call.authorization).toContain('Credential=AKIAIOSFODNN7EXAMPLE/');
      expect(call.token).toBe('dummy-session-token');
    }
  }, 60_000);

  it('keeps every stack within 400 resources and 800 KB', () => {
    for (const { file, bytes, resources } of templates) {
      expect(Object.keys(resources).length, file).toBeLessThanOrEqual(RESOURCE_BUDGET);
      expect(bytes, file).toBeLessThanOrEqual(TEMPLATE_SIZE_BUDGET_BYTES);
    }
  });

  it('prints no resource-limit annotation', () => {
    expect(cliOutput).not.toMatch(/number of resources|resource limit|maximum of 500/i);
  });
});
