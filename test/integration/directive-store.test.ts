/**
 * Post-mortem directives, consent choices and death records against DynamoDB Local, with time
 * travel (ADR 0018): a directive and the consent choices live as long as the active account (5
 * years from its last activity, slid forward by it), a death is recorded once per account and
 * its execution noted once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoConsentStore } from '#functions/privacy/adapters/consent-store.ts';
import { dynamoDirectiveStore } from '#functions/privacy/adapters/directive-store.ts';
import type { ConsentChange } from '#functions/privacy/domain/consents.ts';
import type { DeathRecord } from '#functions/privacy/domain/directives.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let tableName = '';
afterAll(() => db.destroy());
beforeAll(async () => {
  tableName = (await ensureTables(cloud.urls.dynamodb, `it-${randomUUID().slice(0, 8)}-`)).TABLE_PRIVACY!;
});

const at = (iso: string) => new Date(iso);

describe('directive store', () => {
  it('keeps a directive while the account is active, and 5 years after its last activity only', async () => {
    const store = dynamoDirectiveStore({ client: db, tableName });
    const accountId = randomUUID();
    await store.saveDirective(
      { accountId, action: 'erase', scope: 'general', updatedAt: '2026-01-10T10:00:00.000Z' },
      at('2026-01-10T10:00:00Z'),
    );
    // Without activity: there a day before its 5 years, gone a day after.
    expect(await store.directive(accountId, at('2031-01-09T10:00:00Z'))).toMatchObject({ action: 'erase' });
    expect(await store.directive(accountId, at('2031-01-11T10:00:00Z'))).toBeUndefined();
    // The account active in 2029: the directive lives on to 2034.
    await store.slideDirective(accountId, at('2029-06-01T12:00:00Z'), at('2029-06-01T12:00:00Z'));
    expect(await store.directive(accountId, at('2031-01-11T10:00:00Z'))).toMatchObject({ action: 'erase' });
    expect(await store.directive(accountId, at('2034-06-02T12:00:00Z'))).toBeUndefined();
    expect(await store.revokeDirective(accountId)).toBe(true);
    expect(await store.revokeDirective(accountId)).toBe(false);
  });

  it('slides the consent choices with the account’s activity too', async () => {
    const consents = dynamoConsentStore({ client: db, tableName });
    const accountId = randomUUID();
    const change: ConsentChange = {
      changeId: `cch_${'0'.repeat(12)}${'a'.repeat(20)}`,
      choice: 'message-mail-alerts',
      granted: false,
      wordingVersion: '2026-12-01',
      changedAt: '2026-01-10T10:00:00.000Z',
      source: 'app',
    };
    const { choice: _choice, source: _source, ...recorded } = change;
    expect(await consents.record(accountId, change, { 'message-mail-alerts': recorded }, 0)).toBe(true);
    // Without activity the objection lapses 5 years after it (the default applies again)…
    expect((await consents.read(accountId, at('2031-01-11T10:00:00Z'))).state).toEqual({});
    // …with the account active in 2029, it lasts to 2034.
    await consents.slide(accountId, at('2029-06-01T12:00:00Z'), at('2029-06-01T12:00:00Z'));
    expect((await consents.read(accountId, at('2031-01-11T10:00:00Z'))).state).toMatchObject({
      'message-mail-alerts': { granted: false },
    });
    expect((await consents.read(accountId, at('2034-06-02T12:00:00Z'))).state).toEqual({});
  });

  it('records a death once per account and notes its execution once', async () => {
    const store = dynamoDirectiveStore({ client: db, tableName });
    const accountId = randomUUID();
    const record: DeathRecord = {
      deathId: `dth_${randomUUID().replaceAll('-', '')}`,
      accountId,
      reportedBy: 'heir',
      proofChecked: true,
      dateOfDeath: '2026-12-01',
      recordedBy: 'dpo-1',
      recordedAt: '2026-12-02T10:00:00.000Z',
      plan: 'heirs-erase',
    };
    const now = at('2026-12-02T10:00:00Z');
    expect(await store.recordDeath(record, now)).toBe(true);
    expect(await store.recordDeath({ ...record, deathId: `dth_${'1'.repeat(32)}` }, now)).toBe(false);
    expect(await store.markExecuted(accountId, 'erased', now)).toBe(true);
    expect(await store.markExecuted(accountId, 'erased', now)).toBe(false);
    expect(await store.death(accountId, now)).toMatchObject({ deathId: record.deathId, outcome: 'erased' });
    // Kept 5 years from the recording.
    expect(await store.death(accountId, at('2031-12-01T10:00:00Z'))).toBeDefined();
    expect(await store.death(accountId, at('2031-12-03T10:00:00Z'))).toBeUndefined();
  });
});
