/** Health, the public practitioner listing, the OpenAPI document and the docs page over HTTP. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import { apiClient, callApi } from '../support/api.ts';

const cloud = inject('cloud');
const api = cloud.urls.api;
const IP = '127.0.0.1';
const root = join(import.meta.dirname, '..', '..');
const visitor = apiClient(cloud, IP);

describe('GET /health', () => {
  it('answers ok', async () => {
    const { data, response } = await visitor.GET('/health');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ status: 'ok' });
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('GET /practitioners', () => {
  it('lists the seeded demo practitioners by name', async () => {
    // Every page: other test files publish practitioners too, and may push a seeded one off the first.
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const { data, response } = await visitor.GET('/practitioners', {
        params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } },
      });
      expect(response.status).toBe(200);
      names.push(...(data?.items ?? []).map((p) => p.displayName));
      cursor = data?.nextCursor ?? undefined;
    } while (cursor);
    expect(names).toEqual(expect.arrayContaining(['Camille Martin', 'Élodie Bernard', 'Julien Petit', 'Nadia Haddad']));
    // Among names of (accented) Latin letters, digits and spaces (the fuzz tests publish names of any characters, where a
    // locale's collation and the listing's code-point order of the folded name may differ).
    const plain = names.filter((name) => /^[A-Za-z0-9 ]+$/.test(name.normalize('NFD').replace(/\p{M}/gu, '')));
    expect(plain.length).toBeGreaterThanOrEqual(4);
    expect(plain).toEqual([...plain].sort((a, b) => a.localeCompare(b, 'fr', { sensitivity: 'base' })));
  });

  it('paginates with an opaque cursor and refuses a forged one', async () => {
    const first = (await visitor.GET('/practitioners', { params: { query: { limit: 2 } } })).data!;
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = (await visitor.GET('/practitioners', { params: { query: { limit: 2, cursor: first.nextCursor! } } }))
      .data!;
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.map((p) => p.id)).not.toContain(first.items[0]!.id);

    const forged = await visitor.GET('/practitioners', {
      params: { query: { cursor: Buffer.from('{"pk":1}').toString('base64url') } },
    });
    expect(forged.response.status).toBe(400);
    expect(forged.error?.errors?.map((e) => e.field)).toEqual(['query.cursor']);
    expect((await visitor.GET('/practitioners', { params: { query: { limit: 500 } } })).response.status).toBe(400);
  });
});

describe('the API surface', () => {
  it('serves the OpenAPI 3.1 document generated from the route table, and a docs page', async () => {
    const doc = (await (await fetch(cloud.urls.openApi)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(routes.map((r) => r.path))].sort());
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/contact', '/health', '/practitioners']));
    // The document served is the one the committed client was generated from (but its server).
    const { servers, ...served } = doc as typeof doc & { servers?: unknown };
    expect(servers).toEqual([{ url: api }]);
    expect(served).toEqual(JSON.parse(readFileSync(join(root, 'clients/typescript/openapi.json'), 'utf8')));
    const docs = await fetch(cloud.urls.docs);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    expect((await fetch(`${api}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('answers unknown routes and methods with problems', async () => {
    // Answers of no operation: the validator holds them to the gateway's 404 and 405 problems.
    const missing = await callApi(cloud, IP, 'GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    const wrongMethod = await callApi(cloud, IP, 'DELETE', '/health');
    expect(wrongMethod.status).toBe(405);
    expect(String(wrongMethod.headers.allow).split(', ')).toContain('GET');
    expect(String(wrongMethod.headers.allow)).not.toContain('DELETE');
  });
});
