/**
 * Every entity type stored in any table, once. The retention engine (purge, legal holds,
 * erasure), the register of processing and the stored-items test read it; a context adds its
 * entity types here through its `entities.ts`.
 */

import { dataExportEntities } from '#shared/privacy/entities.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import { securityEntities } from '#shared/security/entities.ts';
import { accountEntities } from './accounts/entities.ts';
import { bookingEntities } from './bookings/entities.ts';
import { contactRequestEntity } from './contact/entities.ts';
import { messagingEntities } from './messaging/entities.ts';
import { newsletterEntities } from './newsletter/entities.ts';
import { practitionerEntities } from './practitioners/entities.ts';
import { privacyEntities } from './privacy/entities.ts';
import { retentionEntities } from './retention/entities.ts';
import { reviewsEntities } from './reviews/entities.ts';
import { supportEntities } from './support/entities.ts';

export const entities: readonly EntityDefinition[] = [
  ...accountEntities,
  ...bookingEntities,
  contactRequestEntity,
  ...messagingEntities,
  ...newsletterEntities,
  ...practitionerEntities,
  ...privacyEntities,
  ...dataExportEntities,
  ...retentionEntities,
  ...reviewsEntities,
  ...securityEntities,
  ...supportEntities,
];
