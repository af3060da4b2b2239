/** The practitioners context's composition root: the only place its adapters are built. */
import { randomUUID } from 'node:crypto';
import { documentClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { dynamoReviewSummaryReader } from '#shared/reviews/review-summary-reader.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoPractitionerStore } from './adapters/practitioner-store.ts';

export const practitionerDeps = () => ({
  store: dynamoPractitionerStore({ client: documentClient(), tableName: tableNameFromEnv('practitioners') }),
  clock: systemClock,
  newServiceId: () => `svc_${randomUUID().replaceAll('-', '')}`,
});

/** The public profile also reads the reviews summary (the reviews table, read-only: ADR 0015). */
export const publicProfileDeps = () => ({
  ...practitionerDeps(),
  reviewSummaries: dynamoReviewSummaryReader({ client: documentClient(), tableName: tableNameFromEnv('reviews') }),
});
