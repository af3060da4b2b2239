/**
 * The register of processing (GDPR art. 30): generated from the retention catalogue and the
 * entity registry, it holds every row of the privacy policy's retention table with its period,
 * the controller as the policy names it, every art. 30 heading, the backup window; and the
 * committed Markdown (docs/register-of-processing.md) is exactly what `npm run register` writes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entities } from '#functions/entities.ts';
import { RegisterOfProcessing } from '#functions/retention/contract.ts';
import { buildRegister, registerMarkdown } from '#functions/retention/domain/register.ts';
import { registerOfProcessing, registerOfProcessingMarkdown } from '#functions/retention/register.ts';
import { BACKUP_RECOVERY_DAYS } from '#shared/retention/backups.ts';
import { type RetentionRule, retentionCatalogue } from '#shared/retention/catalogue.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import { policy, policyRetentionBullets } from '../support/policy.ts';

const root = join(import.meta.dirname, '..', '..');
const register = registerOfProcessing();

/** The periods a policy bullet states, as the register words them ("1 mois maximum" is kept as 30 days at most). */
function periodsIn(bullet: string): { years?: number; months?: number; days?: number }[] {
  return [...bullet.matchAll(/(\d+) (ans?|mois)( maximum)?/g)].map((m) =>
    m[2]!.startsWith('an') ? { years: Number(m[1]) } : { months: Number(m[1]) },
  );
}

describe('register of processing', () => {
  it('is valid against the contract the API serves', () => {
    expect(() => RegisterOfProcessing.parse(register)).not.toThrow();
  });

  it('has one activity per purpose of the retention catalogue, with its bases, data and retention', () => {
    expect(register.purposes.map((p) => p.id)).toEqual(Object.keys(retentionCatalogue));
    for (const purpose of register.purposes) {
      const rule = (retentionCatalogue as Record<string, RetentionRule>)[purpose.id]!;
      expect(purpose.name).toBe(rule.purpose);
      expect(purpose.legalBases).toHaveLength(rule.legalBases.length);
      expect(purpose.dataCategories).toEqual(rule.dataCategories);
      expect(purpose.dataSubjects.length, purpose.id).toBeGreaterThan(0);
      expect(purpose.recipients.processors.length, purpose.id).toBeGreaterThan(0);
      expect(purpose.recipients.others.join(' '), purpose.id).toContain('autorités compétentes');
      expect(purpose.retention.policyText).toBe(rule.policyText);
      if (rule.policyText === null) expect(purpose.retention.rationale, purpose.id).toBeTruthy();
      expect(purpose.storage.length, purpose.id).toBeGreaterThan(0);
      expect(purpose.transfersOutsideEu).toMatch(/^Aucun/);
    }
  });

  it('holds each row of the privacy policy retention table with its period', () => {
    const bullets = policyRetentionBullets();
    expect(bullets).toHaveLength(10);
    const markdown = registerOfProcessingMarkdown();
    for (const bullet of bullets) {
      const rows = register.purposes.filter((p) => p.retention.policyText && bullet.includes(p.retention.policyText));
      expect(rows.length, bullet.slice(0, 70)).toBeGreaterThan(0);
      for (const row of rows) expect(markdown).toContain(`« ${row.retention.policyText} »`);
      const keeps = rows.map((row) => (retentionCatalogue as Record<string, RetentionRule>)[row.id]!.keep);
      for (const period of periodsIn(bullet)) {
        if (period.months === 1) {
          // "1 mois maximum": kept as a number of days, never more than a month.
          const days = keeps[0]?.days ?? Number.NaN;
          expect(days).toBeLessThanOrEqual(31);
          expect(rows[0]?.retention.statement).toMatch(new RegExp(`^${days} jours à compter`));
        } else {
          expect(keeps, bullet.slice(0, 70)).toContainEqual(period);
          const words = period.years ? `${period.years} ans` : `${period.months} mois`;
          expect(rows.some((row) => row.retention.statement.startsWith(words))).toBe(true);
        }
      }
      if (periodsIn(bullet).length === 0) {
        // "le temps de la transaction", "après la fermeture du ticket", "le temps nécessaire à l'opération"
        expect(rows.every((row) => /aucune conservation au-delà|jours à compter/.test(row.retention.statement))).toBe(
          true,
        );
      }
    }
  });

  it('names the controller, its address and its DPO as the policy does', () => {
    for (const fact of [
      "Jupi'Terre",
      register.controller.representative,
      register.controller.address,
      'DPO-114530',
      "Les dirigeants de Jupi'Terre, 196 Rue Nicéphore Niepce",
    ]) {
      expect(policy, fact).toContain(fact);
    }
    expect(register.controller.dataProtectionOfficer).toContain('DPO-114530');
    expect(policy).toContain(register.policyVersion.replace('Politique de confidentialité, dernière', 'Dernière'));
  });

  it('says where each purpose is stored, from the entity registry', () => {
    const contact = register.purposes.find((p) => p.id === 'contact-request')!;
    expect(contact.storage).toContainEqual(expect.objectContaining({ entity: 'contact-request' }));
    expect(contact.storage[0]?.where).toContain('« contact »');
    const hold = register.purposes.find((p) => p.id === 'legal-hold')!;
    expect(hold.storage.map((s) => s.entity)).toEqual(expect.arrayContaining(['legal-hold', 'active-hold']));
    // Every entity holding personal data appears under its purpose (owned entities under their root's).
    const listed = new Set(register.purposes.flatMap((p) => p.storage.map((s) => s.entity)));
    for (const entity of entities.filter((e) => e.personalData)) expect(listed, entity.name).toContain(entity.name);
    // A registry with a new entity shows it at once.
    const extra: EntityDefinition = {
      name: 'newsletter-subscription',
      table: 'contact',
      description: 'x',
      personalData: true,
      retention: { purpose: 'newsletter', clockStartsAt: 'x', sliding: true },
      export: { withheld: 'test-only' },
    };
    const built = buildRegister({
      catalogue: retentionCatalogue,
      entities: [...entities, extra],
      backupRecoveryDays: BACKUP_RECOVERY_DAYS,
    });
    expect(built.purposes.find((p) => p.id === 'newsletter')?.storage[0]?.entity).toBe('newsletter-subscription');
  });

  it('states the backup window, that erasures are replayed after a restore, and no transfer outside the EU', () => {
    expect(register.backups.pointInTimeRecoveryDays).toBe(BACKUP_RECOVERY_DAYS);
    expect(register.backups.statement).toContain(`${BACKUP_RECOVERY_DAYS} jours`);
    expect(register.backups.statement).toContain('rejoués');
    expect(register.transfersOutsideEu).toContain('Aucun transfert');
    expect(register.processors.map((p) => p.name).join(' ')).toMatch(/Amazon Web Services.*Stripe/);
    expect(register.processors[0]?.location).toContain('eu-west-3');
    expect(register.processors[0]?.guarantees).toContain('HDS');
    const measures = register.securityMeasures.join('\n');
    for (const word of ['KMS', 'HTTPS', 'Moindre privilège', 'WAF', 'Pseudonymisation'])
      expect(measures).toContain(word);
  });

  it('is written as the formatter writes Markdown, so the committed file passes `npm run lint`', () => {
    const markdown = registerOfProcessingMarkdown();
    const formatted = execFileSync(
      join(root, 'node_modules', '.bin', 'biome'),
      ['format', '--stdin-file-path=register.md'],
      {
        input: markdown,
        encoding: 'utf8',
      },
    );
    expect(formatted).toBe(markdown);
  });

  it('is committed up to date: docs/register-of-processing.md is what `npm run register` writes', () => {
    const committed = readFileSync(join(root, 'docs', 'register-of-processing.md'), 'utf8');
    expect(committed, 'run `npm run register` and commit docs/register-of-processing.md').toBe(
      registerMarkdown(register),
    );
  });
});
