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
  export: {
    part: 'account',
    fields: {
      accountId: 'Identifiant de votre compte.',
      type: 'Type de votre compte : client ou praticien.',
      status: 'État de votre compte : actif ou suspendu.',
      cgu: 'Version des conditions générales d’utilisation (CGU) que vous avez acceptée, et date et heure de cette acceptation.',
      createdAt: 'Date et heure de création de votre compte (UTC, ISO 8601).',
      inactivityNoticeFor:
        'Date de suppression du compte pour inactivité annoncée par l’avis qui vous a été envoyé (secondes depuis le 1er janvier 1970, UTC).',
      inactivityNoticeAt: 'Date et heure d’envoi de l’avis de suppression pour inactivité (UTC, ISO 8601).',
    },
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
  export: {
    part: 'account',
    fields: {
      accountId: 'Identifiant de votre compte.',
      type: 'Type de votre compte : client ou praticien.',
      status: 'État de votre compte : suppression demandée.',
      cgu: 'Version des conditions générales d’utilisation (CGU) que vous aviez acceptée, et date et heure de cette acceptation.',
      createdAt: 'Date et heure de création de votre compte (UTC, ISO 8601).',
      deletionRequestedAt: 'Date et heure de votre demande de suppression du compte (UTC, ISO 8601).',
    },
  },
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
  export: {
    part: 'account',
    fields: {
      actionId: 'Identifiant de cette intervention de notre équipe sur votre compte.',
      action: 'Intervention effectuée : suspension ou réactivation de votre compte.',
      accountId: 'Identifiant de votre compte.',
      actor: 'Identifiant interne du membre de notre équipe qui a effectué l’intervention.',
      reason: 'Motif de l’intervention, tel que saisi par notre équipe.',
      reference: 'Référence du dossier à l’origine de l’intervention (ticket, signalement…), le cas échéant.',
      at: 'Date et heure de l’intervention (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

export const accountEntities = [accountEntity, deletedAccountEntity, accountStaffActionEntity] as const;
