/** Health, the public practitioner listing, the OpenAPI document and the docs page over HTTP. */
import { describe, expect, inject, it } from 'vitest';
import { routes } from '#functions/routes.ts';

const cloud = inject('cloud');
const api = cloud.urls.api;

describe('GET /health', () => {
  it('answers ok', async () => {
    const res = await fetch(`${api}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('GET /practitioners', () => {
  it('lists the seeded demo practitioners by name', async () => {
    const res = await fetch(`${api}/practitioners`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { displayName: string; specialties: string[] }[] };
    const names = page.items.map((p) => p.displayName);
    expect(names).toEqual(expect.arrayContaining(['Camille Martin', 'Élodie Bernard', 'Julien Petit', 'Nadia Haddad']));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'fr', { sensitivity: 'base' })));
  });

  it('paginates with an opaque cursor and refuses a forged one', async () => {
    const first = (await (await fetch(`${api}/practitioners?limit=2`)).json()) as {
      items: { id: string }[];
      nextCursor?: string;
    };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = (await (await fetch(`${api}/practitioners?limit=2&cursor=${first.nextCursor}`)).json()) as {
      items: { id: string }[];
    };
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.map((p) => p.id)).not.toContain(first.items[0]!.id);

    const forged = await fetch(`${api}/practitioners?cursor=${Buffer.from('{"pk":1}').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query.cursor');
    expect((await fetch(`${api}/practitioners?limit=500`)).status).toBe(400);
  });
});

describe('the API surface', () => {
  it('serves the OpenAPI 3.1 document generated from the route table, and a docs page', async () => {
    const doc = (await (await fetch(cloud.urls.openApi)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(routes.map((r) => r.path))].sort());
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/contact', '/health', '/practitioners']));
    const docs = await fetch(cloud.urls.docs);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    expect((await fetch(`${api}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('answers unknown routes and methods with problems', async () => {
    const missing = await fetch(`${api}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrongMethod = await fetch(`${api}/health`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });
});
