/**
 * Retention by construction, checked on what is really stored: after the slice has written
 * through the API, every item of every table of the local cloud names a registered entity type,
 * and every item holding personal data carries its data subject and the expiry of its purpose
 * (or is held, owned by a root, or waits for a clock that starts later).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { isRetained } from '#shared/retention/entity.ts';
import { tables } from '#shared/tables.ts';
import { apiClient } from '../support/api.ts';
import { localDocumentClient, scanAll } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
afterAll(() => db.destroy());

describe('every stored item', () => {
  it('has a registered entity type and, with personal data, its subject and expiry', async () => {
    const { response } = await apiClient(cloud, '127.0.0.1').POST('/contact', {
      body: { name: 'Check', email: 'check@example.test', subject: 'Stored items', message: 'Checking stored items' },
    });
    expect(response.status).toBe(202);

    let checked = 0;
    for (const table of Object.values(tables)) {
      for (const item of await scanAll(db, cloud.env[table.envVar]!)) {
        checked += 1;
        const where = `${table.name}: ${String(item.pk)} / ${String(item.sk)}`;
        const entity = entities.find((e) => e.name === item.entity);
        expect(entity, `${where} has no registered entity`).toBeDefined();
        expect(entity!.table, where).toBe(table.name);
        if (!entity!.personalData) {
          expect(item.subjectKey, where).toBeUndefined();
          continue;
        }
        expect(item.subjectKey, `${where} has no data subject`).toMatch(/^(email|account|ip)#/);
        if (!isRetained(entity!)) {
          expect(item.expiresAt, `${where} is owned: no expiry of its own`).toBeUndefined();
          continue;
        }
        if (item.heldExpiresAt !== undefined) continue; // under a legal hold
        if (item.expiresAt === undefined && entity!.retention.startsLater) continue;
        expect(item.retentionPurpose, where).toBe(entity!.retention.purpose);
        expect(typeof item.expiresAt, `${where} has no expiry`).toBe('number');
        const expiryDay = new Date((item.expiresAt as number) * 1000).toISOString().slice(0, 10);
        expect(item.expiryDay! >= expiryDay, `${where}: expiryDay before its expiry`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5); // the seeded practitioners and the request above
  });
});
