/** The sources of truth agree with each other: every name they use exists, and names are unique. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventCatalogue } from '#events/catalogue.ts';
import { eventPattern, rules } from '#events/rules.ts';
import { functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { schedules } from '#functions/schedules.ts';
import { tables } from '#shared/tables.ts';

const root = join(import.meta.dirname, '..', '..');

describe('sources of truth', () => {
  it('gives every function an existing entry file', () => {
    for (const [name, fn] of Object.entries(functions)) {
      expect(existsSync(join(root, fn.entry)), `${name}: ${fn.entry}`).toBe(true);
    }
  });

  it('serves public routes with the public wrapper (no bus), the others with the signed-in one', () => {
    for (const route of routes) {
      const source = readFileSync(join(root, functions[route.function].entry), 'utf8');
      const wrapper = route.operation.access.kind === 'public' ? /\bpublicHttpHandler\(/ : /(?<!public)httpHandler\(/;
      expect(wrapper.test(source), `${route.function} (${route.operation.access.kind})`).toBe(true);
    }
  });

  it('routes to known functions, once per method and path', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of routes) expect(Object.keys(functions)).toContain(route.function);
    const ids = routes.map((r) => r.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps detail-types unique and past tense, rules named once, targets known', () => {
    const detailTypes = eventCatalogue.map((e) => e.detailType);
    expect(new Set(detailTypes).size).toBe(detailTypes.length);
    // Past tense, or a noun that names a fact that happened (BookingNoShow, RightsRequestDeadlineNear, ExportPartReady and ExportReady, as
    // their issues name them).
    for (const t of detailTypes)
      expect(t).toMatch(/^[A-Z][A-Za-z]+(ed|Received|Sent|Paid|Held|Lifted|NoShow|Withdrawn|DeadlineNear|Ready)$/);
    const names = rules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(Object.keys(functions)).toContain(rule.target);
      expect(rule.retry.maximumRetryAttempts).toBeGreaterThanOrEqual(0);
      expect(rule.retry.maximumRetryAttempts).toBeLessThanOrEqual(185);
      expect(eventPattern(rule).source.length).toBeGreaterThan(0);
      for (const e of rule.events) expect(eventCatalogue).toContain(e);
    }
  });

  it('schedules known functions with unique names', () => {
    const names = schedules.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of schedules) expect(Object.keys(functions)).toContain(s.target);
  });

  it('lets functions create one-time schedules of known functions only', () => {
    const targets = Object.values(functions).flatMap((fn) => (fn.oneTimeSchedules ? [fn.oneTimeSchedules.target] : []));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(Object.keys(functions)).toContain(target);
  });

  it('grants functions only tables that exist', () => {
    for (const fn of Object.values(functions) as Array<{ tables?: Record<string, string> }>) {
      for (const table of Object.keys(fn.tables ?? {})) expect(Object.keys(tables)).toContain(table);
    }
  });
});
