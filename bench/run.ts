/**
 * `npm run bench`: bundle size and cold-start cost of every function, as ratios against a floor
 * measured in the same run (DESIGN.md §10): each function is bundled as CDK bundles it (esbuild,
 * ESM, minified, AWS SDK included, the same options: infra/bundling.ts), then a fresh Node
 * process imports the bundle (the init phase of a cold start), RUNS times, interleaved with an
 * empty handler bundled the same way. Whole-process medians; the ratio is what to compare.
 *
 *   BENCH_RUNS=15 npm run bench
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type FunctionDefinition, functions } from '#functions/catalogue.ts';
import { type FunctionResources, functionEnvironment } from '#functions/environment.ts';
import { esbuildBundleOptions } from '#infra/bundling.ts';

const root = join(import.meta.dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 12);
const out = mkdtempSync(join(tmpdir(), 'mpbe-bench-'));

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = join(out, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    ...esbuildBundleOptions,
    absWorkingDir: root,
    // The references' entries are written outside the repository: they find its packages here.
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'error',
  });
  return outfile;
}

/** Bench values for the deployed resources a function is told about (never called). */
const benchResources: FunctionResources = {
  tableName: (table) => `bench-${table}`,
  eventBusName: 'bench',
  mail: { from: 'bench@example.test', platformInbox: 'bench@example.test' },
  stripe: { secretKeyParameter: '/bench/key', webhookSecretParameter: '/bench/webhook', feeBasisPoints: 1000 },
  identity: {
    userPoolId: 'eu-west-3_bench',
    cguVersion: 'bench',
    issuer: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_bench',
    appClientId: 'bench',
  },
  webSocket: () => ({
    endpoint: 'https://bench.execute-api.eu-west-3.amazonaws.com/v1',
    connectionsArn: 'arn:aws:execute-api:eu-west-3:000000000000:bench/v1/*/@connections/*',
  }),
  corsAllowedOrigins: ['https://bench.example.test'],
  mediator: { name: 'Bench mediator', address: 'Bench address' },
  newsletter: () => ({
    linkBase: 'https://bench.execute-api.eu-west-3.amazonaws.com/v1',
    linkTargets: ['https://bench.example.test/'],
    pepperParameter: '/bench/newsletter-pepper',
    configurationSet: 'bench-newsletter',
  }),
  oneTimeSchedules: () => ({
    groupName: 'bench',
    targetArn: 'arn:aws:lambda:eu-west-3:000000000000:function:bench',
    roleArn: 'arn:aws:iam::000000000000:role/bench',
    deadLetterArn: 'arn:aws:sqs:eu-west-3:000000000000:bench',
    maximumRetryAttempts: 0,
    maximumEventAgeSeconds: 60,
  }),
};

/**
 * The environment a deployed function has, so init code (composition roots) runs as in Lambda:
 * its own catalogue-derived variables and what Lambda's runtime sets, nothing else.
 */
const envOf = (definition?: FunctionDefinition): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-3',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  ...(definition ? functionEnvironment(definition, benchResources) : {}),
});

function coldStartMs(file: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `await import(${JSON.stringify(`file://${file}`)})`],
    {
      env,
      stdio: 'pipe',
    },
  );
  if (result.status !== 0) throw new Error(`${file} failed to load: ${result.stderr.toString().slice(-500)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const emptyEntry = join(out, 'empty.ts');
writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
// A second reference: a handler that only builds the SDK's DynamoDB document client, as almost
// every function does at init. What a function costs beyond it is ours (zod, the logger, our code).
const dynamoEntry = join(out, 'dynamo.ts');
writeFileSync(
  dynamoEntry,
  [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
    'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    "export const handler = async () => client.send(new GetCommand({ TableName: 't', Key: { pk: 'k' } }));",
    '',
  ].join('\n'),
);
const bundles: Array<{ name: string; file: string; env: NodeJS.ProcessEnv }> = [
  { name: '(empty handler)', file: await bundle('empty', emptyEntry), env: envOf() },
  { name: '(DynamoDB client only)', file: await bundle('dynamo', dynamoEntry), env: envOf() },
];
for (const [name, fn] of Object.entries(functions))
  bundles.push({ name, file: await bundle(name, join(root, fn.entry)), env: envOf(fn) });

const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
for (const b of bundles) coldStartMs(b.file, b.env); // warm the file cache
for (let i = 0; i < runs; i++) for (const b of bundles) samples.get(b.name)!.push(coldStartMs(b.file, b.env));

const floor = median(samples.get('(empty handler)')!);
console.log(
  `\nCold init, ${runs} runs each (median whole-process ms; ratio to the empty handler's ${floor.toFixed(1)} ms)\n`,
);
console.log(`${'function'.padEnd(24)} ${'bundle KB'.padStart(10)} ${'init ms'.padStart(9)} ${'ratio'.padStart(7)}`);
const measured = bundles.map((b) => ({
  name: b.name,
  kb: statSync(b.file).size / 1024,
  ratio: median(samples.get(b.name)!) / floor,
}));
for (const m of measured) {
  console.log(
    `${m.name.padEnd(24)} ${m.kb.toFixed(1).padStart(10)} ${(m.ratio * floor).toFixed(1).padStart(9)} ${m.ratio.toFixed(2).padStart(7)}`,
  );
}
// The targets (issue 17): every bundle within 400 KB, every init within 2.5× the empty handler's.
const fns = measured.filter((m) => !m.name.startsWith('('));
const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
console.log(
  `
${fns.length} functions: bundles ${range(
    fns.map((m) => m.kb),
    0,
  )} KB, ${fns.filter((m) => m.kb <= 400).length} within 400 KB; init ${range(
    fns.map((m) => m.ratio),
    2,
  )}×, ${fns.filter((m) => m.ratio <= 2.5).length} within 2.5×`,
);
rmSync(out, { recursive: true, force: true });
