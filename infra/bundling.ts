/**
 * How every function is bundled, in one place: the CDK construct (infra/constructs/functions.ts)
 * and `npm run bench` (bench/run.ts) both build from it, so the bench measures what is deployed.
 * esbuild, ESM for Node 24, minified, the AWS SDK included (the exact version the tests ran
 * against, tree-shaken).
 */
import type { BuildOptions } from 'esbuild';

/**
 * Modules replaced in every bundle: the SDK's default credential chain by the environment
 * credentials Lambda gives a function (shared/lambda-credentials.ts says why). Paths are relative
 * to the repository's root, esbuild's working directory.
 */
export const bundleAliases = {
  '@aws-sdk/credential-provider-node': './shared/lambda-credentials.ts',
} as const;

export const bundleTarget = 'node24';

export const bundleMainFields = ['module', 'main'];

/** Bundled CommonJS dependencies may call require(): ESM has none, so give them one. */
export const bundleBanner =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The same build for esbuild's own API (`npm run bench`, test/unit/bundles.test.ts). The caller
 * sets the entry, the output and `absWorkingDir`: the repository's root, the aliases' base.
 */
export const esbuildBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: bundleTarget,
  mainFields: bundleMainFields,
  minify: true,
  banner: { js: bundleBanner },
  alias: bundleAliases,
} as const satisfies BuildOptions;
