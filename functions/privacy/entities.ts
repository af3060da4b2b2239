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
} as const satisfies RetainedEntity;

export const privacyEntities = [rightsRequestEntity] as const;
