/**
 * The outbox: stream consumer of the reviews table (INSERT and MODIFY of review items, and every
 * REMOVE: functions/streams.ts). Every committed change of a review item becomes its Review* event
 * (domain/review-events.ts), with the review's ids and version only; the deletion of a review item
 * (withdrawal, account deletion, erasure, purge, TTL) becomes ReviewWithdrawn. Published at least
 * once (a failed record is delivered again, with those after it): consumers are idempotent by version.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ReviewPublished, ReviewRefused, ReviewRemoved, ReviewSubmitted, ReviewWithdrawn } from '#events/catalogue.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { outboxDeps } from '../composition-reviews.ts';
import type { ReviewState } from '../domain/review.ts';
import { type ReviewSnapshot, reviewEventsOf } from '../domain/review-events.ts';

const deps = outboxDeps();

const contracts = { ReviewSubmitted, ReviewPublished, ReviewRefused, ReviewRemoved, ReviewWithdrawn };

interface Image extends ReviewSnapshot {
  readonly id: string;
  readonly practitionerId: string;
  readonly version: number;
}

/** The few attributes of a review image the events need (stream images are DynamoDB JSON). */
function reviewImage(image: Record<string, AttributeValue> | undefined): Image | undefined {
  if (image?.entity?.S !== 'review') return undefined;
  const text = (name: string) => image[name]?.S ?? '';
  const published = image.published?.M;
  return {
    id: text('id'),
    practitionerId: text('practitionerId'),
    version: Number(image.version?.N ?? 1),
    state: text('state') as ReviewState,
    submittedAt: text('submittedAt'),
    publishedAt: published?.publishedAt?.S,
    publishedUpdatedAt: published?.updatedAt?.S,
    refusedAt: image.refusal?.M?.at?.S,
    restricted: image.restricted?.BOOL === true,
  };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const records = event.Records ?? [];
    for (const [index, record] of records.entries()) {
      const before = reviewImage(record.dynamodb?.OldImage);
      const after = record.eventName === 'REMOVE' ? undefined : reviewImage(record.dynamodb?.NewImage);
      const subject = after ?? before;
      if (!subject) continue;
      try {
        for (const type of reviewEventsOf(before, after)) {
          // A deleted review's version: one past the last it had, so it is the newest any consumer saw.
          const version = after ? after.version : subject.version + 1;
          await deps.events.publish(
            contracts[type],
            { reviewId: subject.id, practitionerId: subject.practitionerId, version },
            { correlationId: `${subject.id}-v${version}` },
          );
        }
      } catch (error) {
        logger.warn('Review events not published; delivered again', { error: errorFacts(error) });
        return {
          batchItemFailures: records
            .slice(index)
            .flatMap((r) => (r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [])),
        };
      }
    }
    return { batchItemFailures: [] };
  });
