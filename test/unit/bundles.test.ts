/**
 * What a function's bundle carries, built as the functions are (infra/bundling.ts): the events it
 * uses and not the whole catalogue (events/catalogue.ts, each definition marked pure, its schema
 * built on first use), and the environment's credentials in place of the SDK's default chain.
 * A public route's function that publishes nothing carries no EventBridge client
 * (shared/http/public-handler.ts). Sizes and times are the bench's (`npm run bench`); these are
 * the properties that make them.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { eventCatalogue } from '#events/catalogue.ts';
import { functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { esbuildBundleOptions } from '#infra/bundling.ts';
import { credentialChainMarkers } from '../support/bundles.ts';

const root = join(import.meta.dirname, '..', '..');

async function bundleOf(source: string): Promise<string> {
  const result = await build({
    ...esbuildBundleOptions,
    stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    write: false,
    absWorkingDir: root,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('a function bundle', () => {
  it('carries the events it uses, not the rest of the catalogue', async () => {
    const text = await bundleOf(
      "import { AccountActivityObserved } from '#events/catalogue.ts'; export const used = AccountActivityObserved;",
    );
    const carried = eventCatalogue.map((e) => e.detailType).filter((type) => text.includes(`"${type}"`));
    expect(carried).toEqual(['AccountActivityObserved']);
  });

  it('of a public route that publishes nothing carries no EventBridge client', async () => {
    const silent = routes
      .filter((r) => r.operation.access.kind === 'public' && !functions[r.function].publishesEvents)
      .map((r) => r.function);
    expect(silent).toContain('getPractitioner');
    const carrying: string[] = [];
    for (const name of silent) {
      const text = await bundleOf(`export { handler } from './${functions[name].entry}';`);
      if (text.includes('PutEvents')) carrying.push(name);
    }
    expect(carrying).toEqual([]);
  }, 60_000);

  it('builds an event schema on first use, the same schema each time', () => {
    const [event] = eventCatalogue;
    expect(event.data).toBe(event.data);
    expect(event.detail).toBe(event.detail);
    expect(event.detail.shape.data).toBe(event.data);
  });

  it('takes the credentials from the environment, with none of the default chain', async () => {
    const text = await bundleOf(
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const client = new DynamoDBClient({});",
    );
    expect(text.includes('Unable to find environment variable credentials')).toBe(true);
    expect(credentialChainMarkers.filter((marker) => text.includes(marker))).toEqual([]);
  });
});
