import { build } from 'esbuild';

const [entry, out, ...extra] = process.argv.slice(2);
const alias = {};
for (const e of extra) {
  const [k, v] = e.split('=');
  alias[k] = v;
}
const r = await build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  metafile: true,
  logLevel: 'error',
  alias,
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
const by = {};
for (const [path, info] of Object.entries(Object.values(r.metafile.outputs).find((o) => o.entryPoint).inputs)) {
  const m = path.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  const key = m ? m[1] : path.split('/').slice(0, 2).join('/');
  by[key] = (by[key] ?? 0) + info.bytesInOutput;
}
const total = Object.values(by).reduce((a, b) => a + b, 0);
console.log('total KB', (total / 1024).toFixed(1));
for (const [k, v] of Object.entries(by)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 30))
  console.log((v / 1024).toFixed(1).padStart(8), k);
