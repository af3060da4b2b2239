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

/**
 * A staff member suspended or reinstated an account (pk `ACCOUNT-STAFF-ACTIONS#<accountId>`, sk
 * `<at>#<actionId>`): the action, the account id, the staff member's user id, their reason and
 * reference, when. Never a name or an email. A partition of its own, not the account's: the entry
 * keeps its own 5 years from the action, whatever happens to the account.
 */
export const accountStaffActionEntity = {
  name: 'account-staff-action',
  table: 'accounts',
  description:
    'A suspension or reinstatement of an account by a staff member: action, account id, staff member id, reason, reference, time; no name, no email.',
  personalData: true,
  retention: { purpose: 'retention-audit', clockStartsAt: 'the action', sliding: false },
} as const satisfies RetainedEntity;

export const accountEntities = [accountEntity, deletedAccountEntity, accountStaffActionEntity] as const;
