/**
 * The committed client (clients/typescript/) is what `npm run client:generate` writes from the
 * contracts now: a contract changed without regenerating fails here, naming the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles, packageDir } from '../../clients/typescript/scripts/generate.ts';

// Generated once for both tests: openapi-typescript takes a second or two.
const generated = generatedFiles();

describe('the generated TypeScript client', () => {
  it('is up to date with the contracts (else run `npm run client:generate`)', async () => {
    const files = await generated;
    expect(Object.keys(files).sort()).toEqual(['openapi.json', 'src/schema.d.ts']);
    for (const [path, expected] of Object.entries(files)) {
      const committed = readFileSync(join(packageDir, path), 'utf8');
      // A plain comparison: a diff of 200 KB would drown the message.
      expect(committed === expected, `clients/typescript/${path} is out of date: run npm run client:generate`).toBe(
        true,
      );
    }
  });

  it('types every operation of the document, with its documented answers', async () => {
    const { 'src/schema.d.ts': types, 'openapi.json': json } = await generated;
    const document = JSON.parse(json) as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const item of Object.values(document.paths))
      for (const operation of Object.values(item)) expect(types).toContain(`    ${operation.operationId}: {`);
    // e.g. the booking's Location header and its problems
    expect(types).toMatch(/Location: string;/);
    expect(types).toContain('"application/problem+json": components["schemas"]["Problem"];');
  });
});
