/**
 * The privacy context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0017-rights-requests.md.
 */
import type { RetainedEntity } from '#shared/retention/entity.ts';

/**
 * A rights request received by post or email (`REQUEST#<rrq>` / `REQUEST`): type, channel, dates,
 * the subject's email or account, the identity check's outcome (never the proof), the extension
 * and its reason, the answer. Kept while open (no expiry), then 5 years from the answer.
 */
export const rightsRequestEntity = {
  name: 'rights-request',
  table: 'privacy',
  description:
    "A data subject's request received by post or email: type, channel, dates, the subject's email or account id, identity check outcome, extension and reason, answer.",
  personalData: true,
  retention: {
    purpose: 'rights-request',
    clockStartsAt: 'the answer to the request',
    sliding: false,
    startsLater: true,
  },
  keptOnErasure: 'The proof that the request was handled, an erasure included (GDPR art. 5(2)).',
  export: {
    part: 'rights-requests',
    fields: {
      request:
        'Votre demande et son suivi : type, canal, date de réception, votre email ou compte, personne qui l’a enregistrée, vérification d’identité, prolongation du délai et son motif, réponse, alertes d’échéance.',
      deadline: 'Date limite de réponse à la demande (AAAA-MM-JJ), prolongation comprise.',
    },
  },
} as const satisfies RetainedEntity;

/**
 * A person's consents and objections (`CONSENTS#<account id>` / `STATE`): the latest choice per
 * choice id (functions/privacy/domain/consents.ts). Kept with the proof it rests on: purpose
 * `consent-proof`, 5 years from the latest change, a sliding clock (each change moves it), so the
 * state never outlives its newest change-log entry. It is not the owner of the change log: each
 * entry keeps its own 5 years from its own change, older ones go first while the state lives on.
 * Once due, the defaults apply again (consent not given, no objection).
 */
export const consentStateEntity = {
  name: 'consent-state',
  table: 'privacy',
  description:
    "A person's latest choice per consent or objection (newsletter, message mail alerts): granted or not, the wording's version, when.",
  personalData: true,
  retention: {
    purpose: 'consent-proof',
    clockStartsAt: 'the latest change of a choice or the account’s last activity',
    sliding: true,
  },
  export: {
    part: 'consents',
    fields: {
      state:
        'Votre dernier choix pour chaque consentement ou opposition : accordé ou non (pour une opposition : « non » signifie que vous vous opposez), version du texte qui vous était présenté, date et heure (UTC, ISO 8601) et identifiant du changement.',
    },
  },
} as const satisfies RetainedEntity;

/**
 * One change of a consent or objection (`CONSENTS#<account id>` / `CHANGE#<change id>`): the
 * proof GDPR art. 7(1) requires (choice, granted, the version of the wording shown, time, source).
 * Kept 5 years from the change (purpose `consent-proof`).
 */
export const consentChangeEntity = {
  name: 'consent-change',
  table: 'privacy',
  description:
    'One change of a consent or objection: choice, granted or not, version of the wording shown, time, source (the app).',
  personalData: true,
  retention: { purpose: 'consent-proof', clockStartsAt: 'the change', sliding: false },
  export: {
    part: 'consents',
    fields: {
      changeId: 'Identifiant du changement.',
      choice: 'Le choix concerné : newsletter, ou emails « Nouveau message » de la messagerie.',
      granted:
        'Votre choix : consentement donné (vrai) ou retiré (faux) ; pour les emails « Nouveau message », vrai si vous les acceptez, faux si vous vous y opposez.',
      wordingVersion: 'Version (date) du texte qui vous était présenté quand vous avez fait ce choix.',
      changedAt: 'Date et heure du changement (UTC, ISO 8601).',
      source: 'D’où vient le changement : « app », fait par vous dans l’application.',
    },
  },
} as const satisfies RetainedEntity;

/**
 * A person's post-mortem directive (`DIRECTIVE#<account>` / `DIRECTIVE`): erase, keep or
 * communicate to a designee (name, email), general or for some parts, with the person's note. It
 * lives as long as the account: 5 years from its last activity (slid by AccountActivityObserved),
 * deleted when the person deletes their account or revokes it, erased with the account.
 */
export const postMortemDirectiveEntity = {
  name: 'post-mortem-directive',
  table: 'privacy',
  description:
    "A person's directive for their data after their death: erase, keep or communicate to a designated person, general or specific.",
  personalData: true,
  retention: { purpose: 'account', clockStartsAt: 'the last activity of the account', sliding: true },
  export: {
    part: 'consents',
    fields: {
      accountId: 'Identifiant de votre compte.',
      action:
        'Ce que vous demandez pour vos données après votre décès : erase (les effacer), keep (les conserver selon les durées habituelles), communicate (les transmettre à la personne désignée).',
      scope: 'general : toutes vos données ; specific : seulement les parties listées.',
      parts: 'Les parties de vos données concernées par une directive particulière.',
      designee: 'La personne que vous avez désignée pour recevoir vos données : nom et adresse email.',
      note: 'Vos précisions, pour le délégué à la protection des données.',
      updatedAt: 'Date de la dernière modification de votre directive (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * A death recorded by the DPO (`DEATH#<account>` / `DEATH`, one per account): who reported it
 * (an heir or the designated person), that the proof was checked (never the proof), the plan the
 * directives gave and when it was executed. Kept 5 years from the recording, through an erasure
 * of the account (it is the proof the directives were honoured).
 */
export const deathRecordEntity = {
  name: 'death-record',
  table: 'privacy',
  description:
    'A death the DPO recorded for an account: reporter, proof checked (not kept), the plan the directives gave and its execution.',
  personalData: true,
  retention: { purpose: 'post-mortem', clockStartsAt: 'the recording of the death', sliding: false },
  keptOnErasure: 'The proof that the post-mortem directives, the erasure included, were executed.',
  export: {
    withheld:
      'Le constat du décès et l’exécution des directives : tenu par le délégué à la protection des données pour prouver leur respect.',
  },
} as const satisfies RetainedEntity;

export const privacyEntities = [
  rightsRequestEntity,
  consentStateEntity,
  consentChangeEntity,
  postMortemDirectiveEntity,
  deathRecordEntity,
] as const;
