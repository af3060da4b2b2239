/**
 * The accounts context's entity types (registered in functions/entities.ts). One item per account,
 * pk `ACCOUNT#<sub>`, sk `ACCOUNT`. The identity itself (names, email, phone, password) stays in
 * Cognito; when this item goes (purge, TTL or erasure), the `deleteCognitoUser` stream consumer
 * deletes the Cognito user, so nothing of the account outlives its item.
 */
import type { RetainedEntity } from '#shared/retention/entity.ts';

export const accountEntity = {
  name: 'account',
  table: 'accounts',
  description:
    'An account of a client or practitioner: its type, status and acceptance of the terms (CGU); its identity lives in Cognito and goes with this item.',
  personalData: true,
  retention: {
    purpose: 'account',
    clockStartsAt: 'the last activity of the account (any signed-in call)',
    sliding: true,
  },
  owns: 'partition',
} as const satisfies RetainedEntity;

export const deletedAccountEntity = {
  name: 'deleted-account',
  table: 'accounts',
  description:
    'An account whose owner asked for its deletion: disabled in Cognito, kept 6 months from the request, then purged with its Cognito user.',
  personalData: true,
  retention: { purpose: 'account-deletion', clockStartsAt: 'the deletion request', sliding: false },
  owns: 'partition',
} as const satisfies RetainedEntity;

export const accountEntities = [accountEntity, deletedAccountEntity] as const;
