/** The contact context's entity types (registered in functions/entities.ts). */
import type { RetainedEntity } from '#shared/retention/entity.ts';

export const contactRequestEntity = {
  name: 'contact-request',
  table: 'contact',
  description: 'A request sent through the public contact form.',
  personalData: true,
  retention: { purpose: 'contact-request', clockStartsAt: 'the reception of the request', sliding: false },
} as const satisfies RetainedEntity;
