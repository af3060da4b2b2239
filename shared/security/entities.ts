/** The entity types of the security table (fraud prevention: "1 mois maximum"). */
import type { RetainedEntity } from '../retention/entity.ts';

export const rateLimitCounterEntity = {
  name: 'rate-limit-counter',
  table: 'security',
  description: 'Requests of one source IP or account to one operation in one time window (pseudonymous key).',
  personalData: true,
  retention: { purpose: 'fraud-prevention', clockStartsAt: 'the start of the window', sliding: false },
  export: {
    part: 'connections',
    fields: {
      requests:
        'Nombre de requêtes reçues de votre adresse IP ou de votre compte pour une opération pendant une fenêtre de temps (protection contre les abus).',
    },
  },
} as const satisfies RetainedEntity;

export const connectionRecordEntity = {
  name: 'connection-record',
  table: 'security',
  description: 'One accepted call to a sensitive route: IP, user agent, account, operation, time.',
  personalData: true,
  retention: { purpose: 'fraud-prevention', clockStartsAt: 'the connection', sliding: false },
  export: {
    part: 'connections',
    fields: {
      ip: 'Adresse IP d’où provenait l’appel.',
      userAgent: 'Navigateur ou application à l’origine de l’appel, tel qu’il s’est déclaré (256 caractères au plus).',
      accountId: 'Identifiant du compte connecté lors de l’appel.',
      operationId: 'Opération appelée (identifiant technique).',
      status: 'Code de réponse HTTP renvoyé à l’appel.',
      at: 'Date et heure de l’appel (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

export const accountRevocationEntity = {
  name: 'account-revocation',
  table: 'security',
  description:
    'A suspended or deleted account whose tokens every signed-in route refuses: account id, reason, time (shared/security/revocations.ts).',
  personalData: true,
  retention: { purpose: 'fraud-prevention', clockStartsAt: 'the suspension or the deletion', sliding: false },
  keptOnErasure: 'It refuses the erased account’s tokens that are still valid, until it expires (30 days).',
  export: {
    part: 'connections',
    fields: {
      accountId: 'Identifiant du compte dont les sessions ouvertes sont révoquées.',
      reason: 'Motif de la révocation : compte suspendu ou supprimé.',
      at: 'Date et heure de la révocation (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

export const securityEntities = [rateLimitCounterEntity, connectionRecordEntity, accountRevocationEntity] as const;
