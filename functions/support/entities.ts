/**
 * The support context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0019-support-tickets.md.
 *
 * A ticket and its messages are kept until the ticket's closure, which deletes them at once
 * (purpose `support`: "les données sont supprimées après la fermeture du ticket"): they carry no
 * expiry meanwhile (`startsLater`), and a ticket waiting for its opener closes by itself after 30
 * days, so the clock always comes. What remains is the closure's audit entry (no text; purpose
 * `support-audit`, 5 years from the closure) and a count per category, outcome and month.
 */
import type { OwnedEntity, PlainEntity, RetainedEntity } from '#shared/retention/entity.ts';

/**
 * A ticket a person opened (`TICKET#<tkt>` / `TICKET`), the root of its partition: its messages go
 * with it. The subject key of every item of the ticket is its opener's.
 */
export const supportTicketEntity = {
  name: 'support-ticket',
  table: 'support',
  description:
    'A support ticket or complaint opened by a client or a practitioner: category, subject line, opener (account id and role), state, dates, the support member in charge.',
  personalData: true,
  retention: {
    purpose: 'support',
    clockStartsAt: 'the closure of the ticket (by support, or after 30 days waiting for its opener): deleted then',
    sliding: false,
    startsLater: true,
  },
  owns: 'partition',
  export: {
    part: 'support',
    fields: {
      id: 'Identifiant (référence) de votre demande au support.',
      category:
        'Catégorie de la demande : question, rendez-vous (booking), paiement (payment), compte (account), données personnelles (privacy) ou réclamation concernant un praticien (complaint).',
      subject: 'Objet de la demande, tel que vous l’avez écrit.',
      openerId: 'Identifiant de votre compte, qui a ouvert la demande.',
      openerRole: 'Votre rôle quand vous avez ouvert la demande : client ou praticien.',
      status:
        'État de la demande : en attente du support (waiting-for-support) ou en attente de votre réponse (waiting-for-user).',
      openedAt: 'Date et heure d’ouverture de la demande (UTC, ISO 8601).',
      lastActivityAt: 'Date et heure du dernier message de la demande (UTC, ISO 8601).',
      waitingSince:
        'Depuis quand le support attend votre réponse (UTC, ISO 8601) : sans réponse 30 jours après, la demande est close et supprimée.',
      noticeSentAt:
        'Date et heure de l’email vous annonçant la fermeture prochaine de la demande faute de réponse (UTC, ISO 8601).',
      assigneeId: 'Identifiant du membre du support chargé de la demande.',
      assignedAt: 'Date et heure de l’attribution de la demande à ce membre du support (UTC, ISO 8601).',
      messageCount: 'Nombre de messages de la demande.',
    },
  },
} as const satisfies RetainedEntity;

/** A message of a ticket (`TICKET#<tkt>` / `MSG#<smg>`): the opener's or support's, with its text. */
export const supportMessageEntity = {
  name: 'support-message',
  table: 'support',
  description: 'A message of a support ticket, by its opener or by support: author, time, text.',
  personalData: true,
  ownedBy: supportTicketEntity.name,
  export: {
    part: 'support',
    fields: {
      id: 'Identifiant du message.',
      ticketId: 'Identifiant de la demande à laquelle appartient le message.',
      from: 'Auteur du message : vous (user) ou le support (support).',
      authorId: 'Identifiant du compte de l’auteur du message (le vôtre, ou celui du membre du support).',
      sentAt: 'Date et heure d’envoi du message (UTC, ISO 8601).',
      text: 'Texte du message.',
    },
  },
} as const satisfies OwnedEntity;

/**
 * A message report passed on by the messaging context (`TICKET#<tkt>` / `TICKET`): the report,
 * conversation and message ids and the reason code, the state and the support member in charge.
 * No account, no text: it names nobody; deleted at its closure like any ticket.
 */
export const messageReportTicketEntity = {
  name: 'message-report-ticket',
  table: 'support',
  description:
    'A message report to handle (from MessageReported): report, conversation and message ids, reason code, state, support member in charge; no account, no text.',
  personalData: false,
} as const satisfies PlainEntity;

/**
 * The audit entry of a closed ticket (`CLOSURE#<tkt>` / `CLOSURE`): ids, times and outcome, never
 * the subject or a message. Kept 5 years from the closure (`support-audit`).
 */
export const supportClosureEntity = {
  name: 'support-ticket-closure',
  table: 'support',
  description:
    'The audit entry of a closed support ticket: ticket and opener ids, category, opening and closing times, outcome, the support members in charge and who closed it, the number of messages; no text.',
  personalData: true,
  retention: { purpose: 'support-audit', clockStartsAt: 'the closure of the ticket', sliding: false },
  export: {
    part: 'support',
    fields: {
      ticketId: 'Identifiant (référence) de votre demande au support, aujourd’hui close.',
      category: 'Catégorie de la demande.',
      openerId: 'Identifiant de votre compte, qui avait ouvert la demande.',
      openedAt: 'Date et heure d’ouverture de la demande (UTC, ISO 8601).',
      closedAt:
        'Date et heure de fermeture de la demande (UTC, ISO 8601) ; son objet et ses messages ont été supprimés.',
      outcome:
        'Issue : résolue (resolved), non résolue (unresolved) ou close faute de réponse de votre part pendant 30 jours (no-reply).',
      closedBy: 'Identifiant du membre du support qui a clos la demande (absent pour une fermeture automatique).',
      assigneeId: 'Identifiant du membre du support qui était chargé de la demande.',
      messageCount: 'Nombre de messages qu’avait la demande à sa fermeture.',
    },
  },
} as const satisfies RetainedEntity;

/** The audit entry of a closed message-report ticket: the same without a person (ids of the report). */
export const messageReportClosureEntity = {
  name: 'message-report-closure',
  table: 'support',
  description:
    'The audit entry of a closed message report: ticket, report, conversation and message ids, reason code, times, outcome, the support members in charge; no account, no text.',
  personalData: false,
  retention: { purpose: 'support-audit', clockStartsAt: 'the closure of the ticket', sliding: false },
} as const satisfies PlainEntity;

/**
 * Closed tickets per month, category and outcome (`COUNT#<YYYY-MM>` / `<category>#<outcome>`):
 * a number, nothing about anyone. Kept as statistics.
 */
export const supportClosureCountEntity = {
  name: 'support-closure-count',
  table: 'support',
  description: 'The number of tickets closed in a month, per category and outcome; no personal data.',
  personalData: false,
} as const satisfies PlainEntity;

export const supportEntities = [
  supportTicketEntity,
  supportMessageEntity,
  messageReportTicketEntity,
  supportClosureEntity,
  messageReportClosureEntity,
  supportClosureCountEntity,
] as const;
