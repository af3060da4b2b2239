/**
 * The parts of an export come from the entity registry (ADR 0018): every entity holding personal
 * data goes to a part, its fields explained, or says why it is withheld; every part is written by
 * exactly one exporter, subscribed to ExportRequested and reading the part's table; the document's
 * README explains what the parts hold.
 */
import { describe, expect, it } from 'vitest';
import { ExportRequested } from '#events/catalogue.ts';
import { rules } from '#events/rules.ts';
import { functions } from '#functions/catalogue.ts';
import { entities } from '#functions/entities.ts';
import { expectedParts, readmeOf } from '#functions/privacy/domain/export-document.ts';
import { exportParts, externalRecords } from '#shared/privacy/export-parts.ts';
import { chunksOf } from '#shared/privacy/export-store.ts';
import { partsOf, recordOf, technicalAttributes } from '#shared/privacy/subject-export.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';

const personal = entities.filter((e) => e.personalData);

describe('the export parts of the entity registry', () => {
  it('sends every entity holding personal data to a known part with its fields explained, or says why not', () => {
    expect(personal.length).toBeGreaterThan(30);
    for (const entity of personal) {
      if ('withheld' in entity.export) {
        expect(entity.export.withheld.length, entity.name).toBeGreaterThan(20);
        continue;
      }
      expect(Object.keys(exportParts), entity.name).toContain(entity.export.part);
      const fields = Object.entries(entity.export.fields);
      expect(fields.length, entity.name).toBeGreaterThan(0);
      for (const [field, text] of fields) {
        expect(text.length, `${entity.name}.${field}`).toBeGreaterThan(5);
        expect(technicalAttributes(entity.table).has(field), `${entity.name}.${field} is stripped`).toBe(false);
      }
    }
  });

  it('expects every part it declares, and each is written from one table by exactly one exporter', () => {
    expect(expectedParts(entities)).toEqual(Object.keys(exportParts).sort());
    const exporters = rules.filter((r) => r.events.includes(ExportRequested)).map((r) => r.target);
    for (const part of expectedParts(entities)) {
      const tablesOfPart = new Set(
        personal.filter((e) => 'part' in e.export && e.export.part === part).map((e) => e.table),
      );
      expect([...tablesOfPart], part).toHaveLength(1);
      const [table] = [...tablesOfPart];
      // Every exporter writes into the privacy table; only the privacy context's reads it as a source.
      const readers = exporters.filter((name) => {
        const fn = functions[name];
        const access = fn.tables?.[table!];
        if (!access || access === 'write') return false;
        return table !== 'privacy' || fn.entry.startsWith('functions/privacy/');
      });
      expect(readers, part).toHaveLength(1);
      expect(functions[readers[0]!].publishesEvents, readers[0]).toBe(true);
    }
  });

  it('explains in the README every part, every exported entity with its fields, and what is withheld', () => {
    const readme = readmeOf(entities);
    expect(Object.keys(readme.parts).sort()).toEqual(Object.keys(exportParts).sort());
    for (const entity of personal) {
      if ('withheld' in entity.export) expect(readme.withheld[entity.name]).toBe(entity.export.withheld);
      else expect(readme.parts[entity.export.part]?.records[entity.name]?.fields).toEqual(entity.export.fields);
    }
    expect(readme.parts.account?.records['cognito-identity']).toEqual(externalRecords.account?.['cognito-identity']);
  });
});

describe('records and chunks', () => {
  const entity = {
    name: 'test-thing',
    table: 'contact',
    description: 'x',
    personalData: true,
    retention: { purpose: 'contact-request', clockStartsAt: 'x', sliding: false },
    export: { part: 'contact', fields: { name: 'Le nom.', tags: 'Les étiquettes.' } },
  } as const satisfies EntityDefinition;
  const hidden = {
    ...entity,
    name: 'test-hidden',
    export: { withheld: 'Un verrou technique, rien de plus.' },
  } as const;

  it('leaves out keys, index keys and retention metadata, and says until when an item is kept', () => {
    const item = {
      pk: 'T#1',
      sk: 'T',
      entity: 'test-thing',
      subjectKey: 'account#x',
      expiresAt: 1_800_000_000,
      expiryDay: '2027-01-15',
      retentionPurpose: 'contact-request',
      version: 3,
      name: 'Alice',
      tags: new Set(['b', 'a']),
    };
    expect(recordOf(item, technicalAttributes('contact'))).toEqual({
      name: 'Alice',
      tags: ['a', 'b'],
      keptUntil: new Date(1_800_000_000_000).toISOString(),
    });
    const parts = partsOf(
      [item, { ...item, pk: 'H#1', entity: 'test-hidden' }, { ...item, pk: 'U#1', entity: 'unknown' }],
      { table: 'contact', tableName: 'x', entities: [entity, hidden] },
      ['contact'],
    );
    expect(Object.keys(parts.contact)).toEqual(['test-thing']);
    expect(parts.contact['test-thing']).toHaveLength(1);
  });

  it('cuts a part in chunks that join back whole, never inside a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀${'é'.repeat(15)}`;
    const chunks = chunksOf(text, 10);
    expect(chunks.join('')).toBe(text);
    expect(chunks[0]).toBe('a'.repeat(9));
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(10);
      expect(() => encodeURIComponent(chunk)).not.toThrow();
    }
    expect(chunksOf('')).toEqual(['']);
  });
});
