/** The retention context's entity types: what it keeps to run purges, holds and erasures. */
import type { EntityDefinition, PlainEntity, RetainedEntity } from '#shared/retention/entity.ts';

export const purgeCheckpointEntity = {
  name: 'purge-checkpoint',
  table: 'retention',
  description: 'Where the purge of one table stands: every expiry day before it is cleared.',
  personalData: false,
} as const satisfies PlainEntity;

export const purgeAuditEntity = {
  name: 'purge-audit',
  table: 'retention',
  description: 'Deletions per day, purpose and cause (our purge, DynamoDB TTL, erasure): counts only.',
  personalData: false,
  retention: { purpose: 'retention-audit', clockStartsAt: 'the day counted', sliding: false },
} as const satisfies PlainEntity;

export const legalHoldEntity = {
  name: 'legal-hold',
  table: 'retention',
  description: 'A legal hold on a data subject: who asked, why, when placed and lifted.',
  personalData: true,
  retention: { purpose: 'legal-hold', clockStartsAt: 'the lift of the hold', sliding: false, startsLater: true },
} as const satisfies RetainedEntity;

export const holdAuditEntity = {
  name: 'retention-audit-entry',
  table: 'retention',
  description: 'One staff action on retention (hold placed or lifted, erasure): identifiers only.',
  personalData: true,
  retention: { purpose: 'retention-audit', clockStartsAt: 'the action', sliding: false },
} as const satisfies RetainedEntity;

export const erasureLogEntity = {
  name: 'erasure-log-entry',
  table: 'retention',
  description: 'The key of an item deleted for an erasure request, replayed after a restore.',
  personalData: true,
  retention: { purpose: 'erasure-log', clockStartsAt: 'the erasure', sliding: false },
} as const satisfies RetainedEntity;

export const retentionEntities: readonly EntityDefinition[] = [
  purgeCheckpointEntity,
  purgeAuditEntity,
  legalHoldEntity,
  holdAuditEntity,
  erasureLogEntity,
];
