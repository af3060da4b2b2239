/** The bookings context's entity types (registered in functions/entities.ts). */
import type { RetainedEntity } from '#shared/retention/entity.ts';

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

export const bookingEntities = [appointmentEntity, slotLockEntity, controllerActionEntity] as const;
