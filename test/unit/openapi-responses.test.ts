/**
 * Every answer the API can give is in the OpenAPI document, with its content and its headers:
 * each response has a body schema (but 204 and 304), every error is a problem, and every header
 * the code sets on an answer (a handler's result headers, a problem's headers) is documented
 * where that answer is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { openApiDocument } from '#shared/http/openapi.ts';

const root = join(import.meta.dirname, '..', '..');

interface ResponseObject {
  description: string;
  headers?: Record<string, { required?: boolean; schema?: unknown }>;
  content?: Record<string, { schema?: { $ref?: string } }>;
}

const document = openApiDocument(routes) as unknown as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, ResponseObject> }>>;
};

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), ...operation })),
);

const documentedHeaders = (response: ResponseObject | undefined) =>
  new Set(Object.keys(response?.headers ?? {}).map((name) => name.toLowerCase()));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Names of the keys of the object literal after `headers:` (or `headers =`) in `text`. */
function headerNamesIn(text: string): string[] {
  const names: string[] = [];
  // Template literals' placeholders hold braces of their own: `/bookings/${id}`.
  const plain = text.replace(/\$\{[^{}]*\}/g, '');
  for (const match of plain.matchAll(/\bheaders\s*[:=]\s*\{([^{}]*)\}/g)) {
    for (const key of match[1]!.matchAll(/(?:^|,)\s*(?:'([^']+)'|"([^"]+)"|([A-Za-z][\w-]*))\s*:/g)) {
      names.push((key[1] ?? key[2] ?? key[3])!);
    }
  }
  return names;
}

/** Headers of problems: `new HttpProblem(<status>, …, { headers: { … } })`, wherever the code builds one. */
function problemHeaders(): { file: string; status: number; header: string }[] {
  const found: { file: string; status: number; header: string }[] = [];
  for (const file of [...sourceFiles('functions'), ...sourceFiles('shared'), 'local/gateway.ts']) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/new HttpProblem\(\s*(\d{3})\s*,/g)) {
      // The arguments of this call: up to the parenthesis that closes it.
      let depth = 0;
      let end = match.index + 'new HttpProblem'.length;
      for (; end < text.length; end++) {
        if (text[end] === '(') depth++;
        if (text[end] === ')' && --depth === 0) break;
      }
      for (const header of headerNamesIn(text.slice(match.index, end)))
        found.push({ file, status: Number(match[1]), header });
    }
  }
  return found;
}

describe('the OpenAPI document’s answers', () => {
  it('documents every operation of the route table', () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(routes.map((r) => r.operation.operationId).sort());
  });

  it('gives every answer its content (but 204 and 304), and every error the Problem schema', () => {
    const missing: string[] = [];
    for (const operation of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const where = `${operation.operationId} ${status}`;
        if (status === '204' || status === '304') {
          if (response.content) missing.push(`${where}: has content, but answers none`);
          continue;
        }
        if (!response.content || Object.keys(response.content).length === 0) missing.push(`${where}: no content`);
        if (Number(status) >= 400) {
          expect(response.content?.['application/problem+json']?.schema?.$ref, where).toBe(
            '#/components/schemas/Problem',
          );
        }
        for (const [type, media] of Object.entries(response.content ?? {}))
          if (!media.schema) missing.push(`${where} ${type}: no schema`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents the answers of the shared layers on every operation they apply to', () => {
    for (const operation of operations) {
      const route = routes.find((r) => r.operation.operationId === operation.operationId)!;
      const statuses = Object.keys(operation.responses).map(Number);
      expect(statuses, operation.operationId).toEqual(expect.arrayContaining([413, 429, 500, 503]));
      if (route.operation.access.kind !== 'public')
        expect(statuses, operation.operationId).toEqual(expect.arrayContaining([401, 403]));
      if (route.operation.body) expect(statuses, operation.operationId).toEqual(expect.arrayContaining([400, 415]));
      for (const status of ['429', '503'])
        expect(documentedHeaders(operation.responses[status]), `${operation.operationId} ${status}`).toContain(
          'retry-after',
        );
    }
  });

  it('documents every header a handler sets on its answers, on each of its operation’s successes', () => {
    const found: string[] = [];
    const undocumented: string[] = [];
    for (const route of routes) {
      const entry = functions[route.function].entry;
      const names = headerNamesIn(readFileSync(join(root, entry), 'utf8'));
      const operation = operations.find((o) => o.operationId === route.operation.operationId)!;
      const successes = Object.entries(operation.responses).filter(([status]) => Number(status) < 300);
      for (const name of names) {
        found.push(`${route.operation.operationId} ${name}`);
        for (const [status, response] of successes)
          if (!documentedHeaders(response).has(name.toLowerCase()))
            undocumented.push(`${route.operation.operationId} ${status} ${name} (set in ${entry})`);
      }
    }
    // The scan sees what the handlers set: it is not vacuous.
    expect(found).toEqual(
      expect.arrayContaining(['bookAppointment Location', 'exportMyAppointments Content-Disposition']),
    );
    expect(undocumented).toEqual([]);
  });

  it('documents every header a problem carries, on every operation that documents that status', () => {
    const found = problemHeaders();
    expect(found.map((f) => `${f.status} ${f.header}`)).toEqual(
      expect.arrayContaining(['429 Retry-After', '503 Retry-After', '401 WWW-Authenticate']),
    );
    const undocumented: string[] = [];
    for (const { file, status, header } of found) {
      for (const operation of operations) {
        const response = operation.responses[String(status)];
        if (response && !documentedHeaders(response).has(header.toLowerCase()))
          undocumented.push(`${operation.operationId} ${status} ${header} (set in ${file})`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('marks as required the headers every such answer carries', () => {
    const book = operations.find((o) => o.operationId === 'bookAppointment')!;
    expect(book.responses['201']?.headers?.Location?.required).toBe(true);
    const exported = operations.find((o) => o.operationId === 'exportMyAppointments')!;
    expect(exported.responses['200']?.headers?.['Content-Disposition']?.required).toBe(true);
    expect(exported.responses['200']?.content).toHaveProperty('text/csv');
  });
});
