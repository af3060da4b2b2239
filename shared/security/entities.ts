/** The entity types of the security table (fraud prevention: "1 mois maximum"). */
import type { RetainedEntity } from '../retention/entity.ts';

export const rateLimitCounterEntity = {
  name: 'rate-limit-counter',
  table: 'security',
  description: 'Requests of one source IP or account to one operation in one time window (pseudonymous key).',
  personalData: true,
  retention: { purpose: 'fraud-prevention', clockStartsAt: 'the start of the window', sliding: false },
} as const satisfies RetainedEntity;

export const connectionRecordEntity = {
  name: 'connection-record',
  table: 'security',
  description: 'One accepted call to a sensitive route: IP, user agent, account, operation, time.',
  personalData: true,
  retention: { purpose: 'fraud-prevention', clockStartsAt: 'the connection', sliding: false },
} as const satisfies RetainedEntity;

export const accountRevocationEntity = {
  name: 'account-revocation',
  table: 'security',
  description:
    'A suspended or deleted account whose tokens every signed-in route refuses: account id, reason, time (shared/security/revocations.ts).',
  personalData: true,
  retention: { purpose: 'fraud-prevention', clockStartsAt: 'the suspension or the deletion', sliding: false },
} as const satisfies RetainedEntity;

export const securityEntities = [rateLimitCounterEntity, connectionRecordEntity, accountRevocationEntity] as const;
