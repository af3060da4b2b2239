/**
 * The architecture rules, checked on every import of the code base:
 * - a bounded context (functions/<context>/) imports only itself, shared/ and events/;
 * - the top-level tables of functions/ (routes, catalogue, schedules, entities) reach into a
 *   context only through its published files: contract.ts (operations) and entities.ts (entity types);
 * - the retention and privacy contexts alone may read the entity registry (functions/entities.ts):
 *   retention purges, holds and erases by the retention metadata of every table; privacy knows from
 *   it which parts an export expects and explains each field;
 * - domain code (functions/<context>/domain/) imports no AWS SDK, Lambda, middy, Stripe or adapter;
 * - shared/ and events/ import no context, infra or local code (events may name functions by type);
 * - infra/ never imports local/, and the handlers never import local/ or infra/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const subpaths: Record<string, string> = {
  '#shared/': 'shared/',
  '#events/': 'events/',
  '#functions/': 'functions/',
  '#infra/': 'infra/',
  '#local/': 'local/',
};

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  readonly from: string;
  /** Project-relative path for our own modules, the package name otherwise. */
  readonly target: string;
  readonly typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(join(root, file), 'utf8');
  const found: Import[] = [];
  const pattern =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(pattern)) {
    const spec = (m[3] ?? m[4])!;
    const typeOnly = Boolean(m[2]);
    let target = spec;
    const alias = Object.keys(subpaths).find((p) => spec.startsWith(p));
    if (alias) target = subpaths[alias] + spec.slice(alias.length);
    else if (spec.startsWith('.')) target = normalize(join(dirname(file), spec));
    found.push({ from: file, target, typeOnly });
  }
  return found;
}

const all = ['functions', 'shared', 'events', 'infra', 'local']
  .flatMap((d) => {
    try {
      return files(d);
    } catch {
      return [];
    }
  })
  .flatMap(importsOf);

/** Who reads the whole entity registry: retention (purge, holds, erasure) and privacy (the parts of an export and their README). */
const registryReaders = new Set(['retention', 'privacy']);
const contextOf = (path: string) => path.match(/^functions\/([^/]+)\//)?.[1];
const forbiddenInDomain = [
  /^@aws-sdk\//,
  /^@middy\//,
  /^aws-lambda$/,
  /^@aws-lambda-powertools\//,
  /^stripe$/,
  /^shared\/aws-clients/,
  /^shared\/dynamo\//,
  /^shared\/events\/publisher/,
  /^shared\/mail\/ses-/,
  /\/adapters\//,
];

describe('architecture', () => {
  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((i) => i.from.startsWith('functions/contact/') && i.target.startsWith('shared/'))).toBe(true);
  });

  it('keeps each bounded context to itself, shared/ and events/', () => {
    const violations = all
      .filter((i) => contextOf(i.from))
      .filter((i) => {
        if (/^(infra|local)\//.test(i.target)) return true;
        if (i.target === 'functions/entities.ts') return !registryReaders.has(contextOf(i.from) ?? '');
        const target = contextOf(i.target);
        return target !== undefined && target !== contextOf(i.from);
      })
      .map((i) => `${i.from} -> ${i.target}`);
    expect(violations).toEqual([]);
  });

  it('lets the tables of functions/ reach a context only through its published files', () => {
    const violations = all
      .filter((i) => /^functions\/[^/]+\.ts$/.test(i.from) && contextOf(i.target))
      .filter((i) => !/^functions\/[^/]+\/(contract|entities)\.ts$/.test(i.target))
      .map((i) => `${i.from} -> ${i.target}`);
    expect(violations).toEqual([]);
  });

  it('keeps domain code free of AWS, Lambda, middy, Stripe and adapters', () => {
    const violations = all
      .filter((i) => /^functions\/[^/]+\/domain\//.test(i.from))
      .filter((i) => forbiddenInDomain.some((rule) => rule.test(i.target)))
      .map((i) => `${i.from} -> ${i.target}`);
    expect(violations).toEqual([]);
  });

  it('keeps shared/ and events/ below the contexts, infra and the local cloud', () => {
    const violations = all
      .filter((i) => /^(shared|events)\//.test(i.from))
      .filter((i) => /^(functions|infra|local)\//.test(i.target))
      .filter((i) => !(i.from.startsWith('events/') && i.typeOnly && i.target === 'functions/catalogue.ts'))
      .map((i) => `${i.from} -> ${i.target}`);
    expect(violations).toEqual([]);
  });

  it('keeps the CDK app and the local cloud apart', () => {
    const violations = all
      .filter(
        (i) =>
          (i.from.startsWith('infra/') && i.target.startsWith('local/')) ||
          (i.from.startsWith('local/') && i.target.startsWith('infra/')),
      )
      .map((i) => `${i.from} -> ${i.target}`);
    expect(violations).toEqual([]);
  });

  it('catches a violation when there is one', () => {
    const fake: Import = { from: 'functions/contact/domain/x.ts', target: '@aws-sdk/client-dynamodb', typeOnly: false };
    expect(forbiddenInDomain.some((rule) => rule.test(fake.target))).toBe(true);
    expect(contextOf(relative(root, join(root, 'functions/practitioners/adapters/x.ts')))).toBe('practitioners');
  });
});
