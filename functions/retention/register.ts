/** The register of processing (GDPR art. 30), from the sources of truth: served to the DPO, written by `npm run register`. */
import { entities } from '#functions/entities.ts';
import { BACKUP_RECOVERY_DAYS } from '#shared/retention/backups.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';
import { buildRegister, type Register, registerMarkdown } from './domain/register.ts';

export function registerOfProcessing(): Register {
  return buildRegister({ catalogue: retentionCatalogue, entities, backupRecoveryDays: BACKUP_RECOVERY_DAYS });
}

export function registerOfProcessingMarkdown(): string {
  return registerMarkdown(registerOfProcessing());
}
