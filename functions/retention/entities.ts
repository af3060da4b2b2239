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

/**
 * A stream record the deletion audit has counted (its event id only), so that a redelivered
 * record is not counted twice. Kept 30 days: far beyond the stream's 24-hour retention.
 */
export const deletionAuditReceiptEntity = {
  name: 'deletion-audit-receipt',
  table: 'retention',
  description: 'The event id of a deletion the audit has counted: a redelivered stream record counts once.',
  personalData: false,
  retention: { purpose: 'technical-operation', clockStartsAt: 'the count', sliding: false },
} as const satisfies PlainEntity;

export const legalHoldEntity = {
  name: 'legal-hold',
  table: 'retention',
  description: 'A legal hold on a data subject: who asked, why, when placed and lifted.',
  personalData: true,
  retention: { purpose: 'legal-hold', clockStartsAt: 'the lift of the hold', sliding: false, startsLater: true },
  export: {
    withheld:
      'Révéler une mesure de conservation placée à la demande d’une autorité pourrait compromettre l’enquête en cours (RGPD art. 23, loi Informatique et Libertés art. 49).',
  },
} as const satisfies RetainedEntity;

/**
 * One item per active hold in the partition `ACTIVE-HOLDS` (sk: the hold id, with its
 * `subjectKey`): the purge loads this partition and skips every item of a held subject, and the
 * daily sweep re-applies each hold from it. Deleted when the hold is lifted.
 */
export const activeHoldEntity = {
  name: 'active-hold',
  table: 'retention',
  description: 'Marks a legal hold as active (partition ACTIVE-HOLDS, with its subject key); deleted at the lift.',
  personalData: true,
  retention: { purpose: 'legal-hold', clockStartsAt: 'never: deleted at the lift', sliding: false, startsLater: true },
  export: {
    withheld:
      'Révéler une mesure de conservation placée à la demande d’une autorité pourrait compromettre l’enquête en cours (RGPD art. 23, loi Informatique et Libertés art. 49).',
  },
} as const satisfies RetainedEntity;

/** One line per hold (its id only) in the partition `LEGAL-HOLDS`, so the DPO lists holds by a Query. */
export const legalHoldListingEntity = {
  name: 'legal-hold-listing',
  table: 'retention',
  description: 'The id of a legal hold in the partition LEGAL-HOLDS, to list holds without a scan.',
  personalData: false,
  retention: { purpose: 'legal-hold', clockStartsAt: 'the lift of the hold', sliding: false, startsLater: true },
} as const satisfies PlainEntity;

export const holdAuditEntity = {
  name: 'retention-audit-entry',
  table: 'retention',
  description: 'One staff action on retention (hold placed or lifted, erasure): identifiers only.',
  personalData: true,
  retention: { purpose: 'retention-audit', clockStartsAt: 'the action', sliding: false },
  export: {
    withheld:
      'Registre de responsabilité ne contenant que des identifiants, conservé pour prouver que vos droits et les durées de conservation ont été respectés.',
  },
} as const satisfies RetainedEntity;

export const erasureLogEntity = {
  name: 'erasure-log-entry',
  table: 'retention',
  description: 'The key of an item deleted for an erasure request, replayed after a restore.',
  personalData: true,
  retention: { purpose: 'erasure-log', clockStartsAt: 'the erasure', sliding: false },
  export: {
    withheld:
      'Registre de responsabilité ne contenant que des identifiants, conservé pour prouver que vos droits et les durées de conservation ont été respectés.',
  },
} as const satisfies RetainedEntity;

export const retentionEntities: readonly EntityDefinition[] = [
  purgeCheckpointEntity,
  purgeAuditEntity,
  deletionAuditReceiptEntity,
  legalHoldEntity,
  activeHoldEntity,
  legalHoldListingEntity,
  holdAuditEntity,
  erasureLogEntity,
];
