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
