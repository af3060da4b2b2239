/** The practitioners context's entity types (registered in functions/entities.ts). */
import type { RetainedEntity } from '#shared/retention/entity.ts';

export const practitionerProfileEntity = {
  name: 'practitioner-profile',
  table: 'practitioners',
  description: "A practitioner's public profile.",
  personalData: true,
  retention: {
    purpose: 'practitioner-profile',
    clockStartsAt: "the practitioner's last activity",
    sliding: true,
  },
} as const satisfies RetainedEntity;
