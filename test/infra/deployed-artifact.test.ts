/**
 * The operator's artifact: `cdk synth --quiet` with the real CLI (bundling every function with
 * esbuild), then each AWS::Lambda::Function of every template (nested ones included) started as
 * Lambda would: its asset alone in an empty folder, Node 24, and nothing but its template's
 * environment (each CloudFormation reference replaced by a placeholder) and what Lambda's runtime
 * sets. Importing the handler module must not throw, and it must export `handler`: a variable the
 * code reads at init but the catalogue entry does not declare fails here, before any deployment.
 * The same artifact is checked against the resource budget.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/backend-app.ts';
import { RESOURCE_BUDGET, TEMPLATE_SIZE_BUDGET_BYTES } from '#infra/resource-budget.ts';

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

/** Starts the handler module of one function as Lambda would; resolves to the error it died of, if any. */
function start(fn: DeployedFunction): Promise<string | undefined> {
  const root = mkdtempSync(join(tmpdir(), 'mpbe-lambda-'));
  cpSync(fn.assetDir, root, { recursive: true });
  const [module, exported] = fn.handler.split('.') as [string, string];
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(root, `${module}${extension}`)).find(existsSync);
  if (!file) return Promise.resolve(`no ${module}.mjs/.js in the asset`);
  const probe = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
if (typeof m[${JSON.stringify(exported)}] !== 'function') { console.error('no exported ${exported} function'); process.exit(2); }`;
  const env = {
    ...fn.environment,
    // What Lambda's Node.js runtime sets for every function.
    AWS_REGION: 'eu-west-3',
    AWS_DEFAULT_REGION: 'eu-west-3',
    AWS_LAMBDA_FUNCTION_NAME: fn.path.split('/').pop() ?? 'function',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'dummy-session-token',
    LAMBDA_TASK_ROOT: root,
    TZ: ':UTC',
  };
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
