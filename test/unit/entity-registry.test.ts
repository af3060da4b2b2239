/**
 * Retention by construction, over every registered entity type: personal data always has a
 * timed retention purpose (or a root that owns it), and names and tables are consistent.
 */
import { describe, expect, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { type RetentionRule, retentionCatalogue } from '#shared/retention/catalogue.ts';
import type { EntityDefinition, OwnedEntity } from '#shared/retention/entity.ts';
import { tables } from '#shared/tables.ts';

const catalogue = retentionCatalogue as Record<string, RetentionRule>;

describe('entity registry', () => {
  it('names every entity once, in a table that exists', () => {
    const names = entities.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const e of entities) expect(Object.keys(tables), e.name).toContain(e.table);
  });

  it('gives every entity holding personal data a timed purpose, or a root that owns it', () => {
    for (const e of entities.filter((x) => x.personalData)) {
      if ('ownedBy' in e) {
        const root = entities.find((r) => r.name === (e as OwnedEntity).ownedBy);
        expect(root, `${e.name} is owned by an unknown root`).toBeDefined();
        expect(root && 'owns' in root ? root.owns : undefined, `${e.name}'s root owns its partition`).toBe('partition');
        expect(root?.table).toBe(e.table);
      } else {
        expect('retention' in e, `${e.name} has no retention`).toBe(true);
        const retention = (e as Extract<EntityDefinition, { retention: unknown }>).retention!;
        const purpose = retention.purpose;
        // Or a purpose whose data is deleted at its clock's event (a support ticket at its closure):
        // kept without expiry until then.
        if (catalogue[purpose]?.keep === null) {
          expect(retention.startsLater, `${e.name}: ${purpose} is deleted at its clock's event`).toBe(true);
          continue;
        }
        expect(catalogue[purpose]?.keep, `${e.name}: ${purpose} must be a timed purpose`).toBeTruthy();
      }
    }
  });

  it('refuses, at compile time, personal data without retention', () => {
    // @ts-expect-error personalData: true needs a retention (or an owner)
    const missing: EntityDefinition = { name: 'x', table: 'contact', description: 'x', personalData: true };
    // @ts-expect-error the purpose must be a timed purpose of the catalogue
    const untimed: EntityDefinition = {
      name: 'y',
      table: 'contact',
      description: 'y',
      personalData: true,
      retention: { purpose: 'payment', clockStartsAt: 'x', sliding: false },
    };
    expect([missing, untimed]).toHaveLength(2);
  });
});
