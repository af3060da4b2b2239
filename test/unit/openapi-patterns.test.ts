/**
 * The OpenAPI document's patterns are what a generated client validates with: each must be a
 * valid ECMA-262 `u`-mode regex that accepts what the API accepts (a name like « Zoé-Anne »).
 */
import { describe, expect, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import { openApiDocument } from '#shared/http/openapi.ts';

function patternsOf(node: unknown, at: string, found: { at: string; pattern: string }[] = []) {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) patternsOf(item, `${at}[${i}]`, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') found.push({ at, pattern: value });
      else patternsOf(value, `${at}.${key}`, found);
    }
  }
  return found;
}

describe('the OpenAPI document’s patterns', () => {
  const patterns = patternsOf(openApiDocument(routes, 'http://127.0.0.1:3000'), '$');

  it('are valid u-mode regexes with no flag leaked into them', () => {
    expect(patterns.length).toBeGreaterThan(5);
    for (const { at, pattern } of patterns) {
      expect(() => new RegExp(pattern, 'u'), at).not.toThrow();
      expect(pattern, at).not.toMatch(/\/[dgimsuvy]+$/);
    }
  });

  it('let a client accept the names the API accepts, and refuse the ones it refuses', () => {
    const names = patterns.filter(({ at }) => /\.(firstName|lastName)$/.test(at));
    expect(names.length).toBeGreaterThan(0);
    for (const { at, pattern } of names) {
      const regex = new RegExp(pattern, 'u');
      for (const good of ['Zoé-Anne', "N'Diaye", 'Åsa Müller', '李 小龍'])
        expect(regex.test(good), `${at} ${good}`).toBe(true);
      for (const bad of ['<b>Zoé</b>', 'Zoé\u0007', 'Zoé\u0085', 'a\nb'])
        expect(regex.test(bad), `${at} ${JSON.stringify(bad)}`).toBe(false);
    }
  });
});
