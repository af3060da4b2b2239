import { build } from 'esbuild';

const [entry, filter] = process.argv.slice(2);
const r = await build({
  entryPoints: [entry],
  outfile: '/tmp/meta/x.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  metafile: true,
  logLevel: 'error',
  alias: { '@aws-sdk/credential-provider-node': './shared/lambda-credentials.ts' },
});
const o = Object.values(r.metafile.outputs).find((o) => o.entryPoint).inputs;
for (const [k, v] of Object.entries(o)
  .filter(([k]) => k.includes(filter))
  .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  .slice(0, 15))
  console.log((v.bytesInOutput / 1024).toFixed(1).padStart(8), k);
