/**
 * The messaging context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0016-messaging.md.
 */
import type { OwnedEntity, RetainedEntity } from '#shared/retention/entity.ts';

/**
 * A conversation between a client and a practitioner (`CONV#<cnv>` / `CONV`), the root of its
 * partition: its messages go with it. Kept 5 years from the end of the exchange, its last message
 * (or its opening, before any): the clock slides at each message. The subject key is the client's.
 */
export const conversationEntity = {
  name: 'conversation',
  table: 'messaging',
  description:
    "A client–practitioner conversation: the two account ids, the parties' display names (until an account is deleted), unread counts, blocks, closure, last activity.",
  personalData: true,
  retention: { purpose: 'exchange', clockStartsAt: 'the last message (the end of the exchange)', sliding: true },
  export: {
    part: 'messaging',
    fields: {
      id: 'Identifiant de la conversation.',
      clientId: 'Identifiant du compte du client de la conversation.',
      practitionerId: 'Identifiant du compte du praticien de la conversation.',
      clientName: 'Nom affiché du client dans la conversation (effacé à la suppression de son compte).',
      practitionerName: 'Nom affiché du praticien dans la conversation (effacé à la suppression de son compte).',
      clientDeleted: 'Indique que le compte du client a été supprimé.',
      practitionerDeleted: 'Indique que le compte du praticien a été supprimé.',
      openedAt: 'Date et heure d’ouverture de la conversation (UTC, ISO 8601).',
      lastMessageAt: 'Date et heure du dernier message de la conversation (UTC, ISO 8601).',
      unreadClient: 'Nombre de messages non lus par le client.',
      unreadPractitioner: 'Nombre de messages non lus par le praticien.',
      readAtClient: 'Date et heure de la dernière lecture de la conversation par le client (UTC, ISO 8601).',
      readAtPractitioner: 'Date et heure de la dernière lecture de la conversation par le praticien (UTC, ISO 8601).',
      notifiedClient: 'Date et heure du dernier email signalant au client des messages non lus (UTC, ISO 8601).',
      notifiedPractitioner:
        'Date et heure du dernier email signalant au praticien des messages non lus (UTC, ISO 8601).',
      blockedByClient: 'Indique que le client a bloqué la conversation.',
      blockedByPractitioner: 'Indique que le praticien a bloqué la conversation.',
      closedAt: 'Date et heure de fermeture de la conversation (UTC, ISO 8601).',
    },
  },
  owns: 'partition',
} as const satisfies RetainedEntity;

/** One message of a conversation: sender, time, text. The subject key is the sender's. */
export const messageEntity = {
  name: 'message',
  table: 'messaging',
  description: 'A text message of a conversation: sender (account id and side), time, text.',
  personalData: true,
  ownedBy: conversationEntity.name,
  export: {
    part: 'messaging',
    fields: {
      id: 'Identifiant du message.',
      conversationId: 'Identifiant de la conversation à laquelle appartient le message.',
      senderId: 'Identifiant du compte qui a envoyé le message.',
      from: 'Côté de l’expéditeur dans la conversation : client ou praticien.',
      recipientId: 'Identifiant du compte destinataire du message.',
      sentAt: 'Date et heure d’envoi du message (UTC, ISO 8601).',
      text: 'Texte du message.',
    },
  },
} as const satisfies OwnedEntity;

/** A party's report of a message to support: one per message and reporter (ids and a reason code). */
export const messageReportEntity = {
  name: 'message-report',
  table: 'messaging',
  description: 'A report of a message to support: reporter, message, reason code, time (never the text).',
  personalData: true,
  ownedBy: conversationEntity.name,
  export: {
    part: 'messaging',
    fields: {
      id: 'Identifiant du signalement.',
      messageId: 'Identifiant du message signalé.',
      reporterId: 'Identifiant du compte qui a signalé le message.',
      reason: 'Motif du signalement (code).',
      reportedAt: 'Date et heure du signalement (UTC, ISO 8601).',
    },
  },
} as const satisfies OwnedEntity;

/**
 * An open connection of the WebSocket API (`SOCKET#<connection id>` / `SOCKET`): the account it
 * belongs to, for the live push. API Gateway closes a connection after 2 hours at most; the item
 * expires 2 hours 5 minutes after the connection, whatever happened to `$disconnect`.
 */
export const webSocketConnectionEntity = {
  name: 'web-socket-connection',
  table: 'messaging',
  description: 'An open WebSocket connection: its id, the account, the time of connection.',
  personalData: true,
  retention: { purpose: 'technical-operation', clockStartsAt: 'the connection', sliding: false },
  export: {
    part: 'messaging',
    fields: {
      connectedAt: 'Date et heure d’ouverture de votre connexion en temps réel à la messagerie (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * A person's choice about the "nouveau message" mail (`MAILALERTS#<account id>` / `MAILALERTS`):
 * wanted or objected, from the privacy context's ConsentChanged (the latest change wins). The
 * mail is part of managing the exchanges (purpose `exchange`); kept 5 years from the latest
 * change (a sliding clock), as the privacy context keeps the state it copies.
 */
export const mailAlertChoiceEntity = {
  name: 'mail-alert-choice',
  table: 'messaging',
  description:
    'Whether a person wants the "nouveau message" mail or objected to it, with the change (id, time) it comes from.',
  personalData: true,
  retention: {
    purpose: 'exchange',
    clockStartsAt: 'the latest change of the choice or the account’s last activity',
    sliding: true,
  },
  export: {
    part: 'messaging',
    fields: {
      mailAlerts:
        'Vrai si vous recevez l’email « Nouveau message » quand quelqu’un vous écrit, faux si vous vous y êtes opposé.',
      changeId: 'Identifiant du changement de votre choix (voir vos consentements).',
      changedAt: 'Date et heure du changement de votre choix (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

export const messagingEntities = [
  conversationEntity,
  messageEntity,
  messageReportEntity,
  webSocketConnectionEntity,
  mailAlertChoiceEntity,
] as const;
