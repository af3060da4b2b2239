/** The bookings context's entity types (registered in functions/entities.ts). */
import type { OwnedEntity, PlainEntity, RetainedEntity } from '#shared/retention/entity.ts';

/**
 * An appointment: the root of its partition. The practitioner is the controller of this data
 * (the platform their processor); the subject key is the client's account.
 */
export const appointmentEntity = {
  name: 'appointment',
  table: 'bookings',
  description:
    'An appointment: practitioner, client (account ids), service, date, state, cancellation; the practitioner is its controller.',
  personalData: true,
  retention: { purpose: 'appointment', clockStartsAt: "the appointment's date", sliding: false },
  export: {
    part: 'bookings',
    fields: {
      id: 'Identifiant du rendez-vous.',
      practitionerId: 'Identifiant du compte du praticien du rendez-vous.',
      clientId: 'Identifiant du compte du client du rendez-vous.',
      service:
        'Prestation réservée, telle qu’elle était proposée lors de la réservation : nom, durée, prix et mode de paiement.',
      start: 'Date et heure de début du rendez-vous (UTC, ISO 8601).',
      end: 'Date et heure de fin du rendez-vous (UTC, ISO 8601).',
      state: 'État du rendez-vous : demandé, confirmé, terminé, annulé ou client absent.',
      createdAt: 'Date et heure de la réservation (UTC, ISO 8601).',
      updatedAt: 'Date et heure de la dernière modification du rendez-vous (UTC, ISO 8601).',
      cancellationPolicy:
        'Conditions d’annulation en vigueur lors de la réservation : délai d’annulation gratuite et part du prix due en cas d’annulation tardive.',
      cancellation:
        'Annulation du rendez-vous, le cas échéant : par qui, quand, si elle était tardive et la part du prix retenue.',
      confirmedAt: 'Date et heure de confirmation du rendez-vous (UTC, ISO 8601).',
      requestFingerprint:
        'Empreinte technique de la demande de réservation, qui permet de reconnaître une même demande envoyée deux fois.',
      holdUntil:
        'Date et heure jusqu’à laquelle le créneau est réservé en attendant le paiement en ligne (UTC, ISO 8601).',
    },
  },
  owns: 'partition',
} as const satisfies RetainedEntity;

/**
 * A 5-minute block of a practitioner's time held by an appointment: written in the booking's
 * transaction with a not-exists condition, so one slot never holds two appointments. It names the
 * practitioner and the appointment, and lives as long as the appointment (same clock).
 */
export const slotLockEntity = {
  name: 'slot-lock',
  table: 'bookings',
  description: "A 5-minute block of a practitioner's agenda held by one appointment (ids only).",
  personalData: true,
  retention: { purpose: 'appointment', clockStartsAt: "the appointment's date", sliding: false },
  export: {
    withheld:
      'Verrou technique d’un bloc de 5 minutes de l’agenda, dérivé d’un rendez-vous : hors de ses clés, il ne contient que les identifiants du praticien et du rendez-vous, rien que le rendez-vous lui-même ne contienne déjà.',
  },
} as const satisfies RetainedEntity;

/**
 * What one client holds of one practitioner's agenda now (pk `HOLDINGS#<client>#<practitioner>`):
 * the ids and starts of their appointments with them that have not started, and which are unpaid
 * holds. The booking's transaction writes it on condition of the version it read, so concurrent
 * bookings cannot pass the limits together (domain/holdings.ts). Nothing the appointments do not
 * already hold; kept no longer than they are (5 years from the latest date it lists), deleted once
 * it lists nothing, and with an erasure of the client or of their appointments with that practitioner.
 */
export const clientHoldingsEntity = {
  name: 'client-holdings',
  table: 'bookings',
  description:
    "What one client holds of one practitioner's agenda now: their upcoming appointments' ids, starts, unpaid or not (the booking limits).",
  personalData: true,
  retention: { purpose: 'appointment', clockStartsAt: 'the latest appointment date it lists', sliding: true },
  export: {
    part: 'bookings',
    fields: {
      clientId: 'Identifiant du compte du client.',
      practitionerId: 'Identifiant du compte du praticien.',
      holdings:
        'Rendez-vous à venir du client avec ce praticien, par identifiant : leur date de début et s’ils attendent encore leur paiement (pour les limites de réservation).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * What a practitioner did as controller of their clients' appointment data (export, erasure):
 * who, what, how many, when; identifiers only.
 */
export const controllerActionEntity = {
  name: 'controller-action',
  table: 'bookings',
  description: "A practitioner's export or erasure of their clients' appointment data: ids, action, count, time.",
  personalData: true,
  retention: { purpose: 'retention-audit', clockStartsAt: 'the action', sliding: false },
  export: {
    part: 'bookings',
    fields: {
      actionId: 'Identifiant de cette opération.',
      action: 'Opération effectuée sur les données de rendez-vous de vos clients : export ou effacement.',
      practitionerId: 'Identifiant de votre compte de praticien.',
      count: 'Nombre de rendez-vous exportés ou effacés.',
      clientId: 'Identifiant du compte du client dont les rendez-vous ont été effacés (effacement seulement).',
      format: 'Format de l’export : JSON ou CSV (export seulement).',
      at: 'Date et heure de l’opération (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * That a notice of an appointment (confirmation, reschedule, cancellation, reminder) was sent to
 * one party for one version: the idempotency marker of the notification functions, in the
 * appointment's partition (`NOTICE#<kind>#v<version>#<party>`); ids, kind, state and times only,
 * never an address. Its subject is the party it was sent to; it lives as long as the appointment
 * (same clock, the appointment's date), and goes with the partition when the appointment does.
 */
export const notificationReceiptEntity = {
  name: 'notification-receipt',
  table: 'bookings',
  description: 'That a notice or reminder of an appointment was sent to one of its parties: ids, kind, version, time.',
  personalData: true,
  retention: { purpose: 'appointment', clockStartsAt: "the appointment's date", sliding: false },
  export: {
    part: 'bookings',
    fields: {
      appointmentId: 'Identifiant du rendez-vous concerné par la notification.',
      kind: 'Type de notification : confirmation, report, annulation ou rappel (la veille ou le jour même) du rendez-vous.',
      party: 'Destinataire de la notification : le client ou le praticien.',
      state: 'État de l’envoi : en cours, envoyé ou échoué.',
      claimedAt: 'Date et heure du début de l’envoi (UTC, ISO 8601).',
      updatedAt: 'Date et heure du dernier changement d’état de l’envoi (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * The payment of an appointment (sk `PAYMENT` in its partition): Stripe ids, amounts, statuses,
 * refunds (with their cause, idempotency key and, for staff, who) and disputes. Owned by the
 * appointment: kept as long, deleted with it. Card data never reaches our code (Stripe holds it).
 */
export const paymentRecordEntity = {
  name: 'payment-record',
  table: 'bookings',
  description: 'The payment of an appointment: Stripe ids, amounts, statuses, refunds, disputes; no card data.',
  personalData: true,
  ownedBy: 'appointment',
  export: {
    part: 'bookings',
    fields: {
      appointmentId: 'Identifiant du rendez-vous payé.',
      clientId: 'Identifiant du compte du client qui paie.',
      paymentIntentId: 'Identifiant du paiement chez Stripe, notre prestataire de paiement.',
      amountCents: 'Montant du paiement, en centimes d’euro.',
      applicationFeeCents: 'Commission de la plateforme sur ce paiement, en centimes d’euro.',
      status: 'État du paiement : en attente, réussi ou échoué.',
      refunds: 'Remboursements de ce paiement : montant, état, cause, motif, auteur et date de chacun.',
      claims:
        'Remboursements demandés par la plateforme, par clé de demande : montant, cause, motif, auteur, date et remboursement Stripe correspondant.',
      committedCents: 'Total remboursé ou en cours de remboursement, en centimes d’euro.',
      disputes: 'Contestations de ce paiement auprès de la banque : montant, état, motif et date de chacune.',
      createdAt: 'Date et heure d’ouverture du paiement (UTC, ISO 8601).',
      updatedAt: 'Date et heure de la dernière modification du paiement (UTC, ISO 8601).',
      lastDisputeAt: 'Date et heure de la dernière contestation enregistrée (UTC, ISO 8601).',
    },
  },
} as const satisfies OwnedEntity;

/**
 * A Stripe webhook event we received: its id, type and object id (deduplication, and the hand-off
 * to the processing function). Kept 30 days, well past Stripe's 3-day retry window.
 */
export const stripeEventReceiptEntity = {
  name: 'stripe-event-receipt',
  table: 'bookings',
  description: 'A Stripe webhook event received: event id, type, object id, time (deduplication).',
  personalData: false,
  retention: { purpose: 'technical-operation', clockStartsAt: 'the reception', sliding: false },
} as const satisfies PlainEntity;

/** A practitioner's connected Stripe account and whether it can receive payments. */
export const payeeEntity = {
  name: 'payee',
  table: 'bookings',
  description: "A practitioner's connected Stripe account id and its capabilities (charges, payouts).",
  personalData: true,
  retention: { purpose: 'practitioner-profile', clockStartsAt: 'the last update of the account', sliding: true },
  export: {
    part: 'bookings',
    fields: {
      practitionerId: 'Identifiant de votre compte de praticien.',
      accountId: 'Identifiant de votre compte de paiement chez Stripe, qui reçoit le paiement de vos rendez-vous.',
      chargesEnabled: 'Indique si votre compte de paiement peut recevoir des paiements.',
      payoutsEnabled: 'Indique si votre compte de paiement peut verser des fonds sur votre compte bancaire.',
      detailsSubmitted:
        'Indique si vous avez fourni à Stripe les informations demandées pour ouvrir votre compte de paiement.',
      updatedAt: 'Date et heure de la dernière mise à jour de ces informations (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

export const bookingEntities = [
  appointmentEntity,
  slotLockEntity,
  clientHoldingsEntity,
  controllerActionEntity,
  notificationReceiptEntity,
  paymentRecordEntity,
  stripeEventReceiptEntity,
  payeeEntity,
] as const;
