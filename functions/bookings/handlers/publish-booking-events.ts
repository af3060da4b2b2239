/**
 * The outbox: stream consumer of the bookings table (INSERT and MODIFY records, functions/streams.ts).
 * Every committed change of an appointment becomes its Booking* events, published with the
 * appointment's ids and version only. A change is published at least once (a failed record is
 * delivered again, with those after it): consumers are idempotent by version.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  BookingCancelled,
  BookingCompleted,
  BookingConfirmed,
  BookingNoShow,
  BookingRequested,
  BookingRescheduled,
} from '#events/catalogue.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { outboxDeps } from '../composition.ts';
import type { Appointment } from '../domain/appointment.ts';
import { changesOf } from '../domain/changes.ts';

const deps = outboxDeps();

const contracts = { BookingRequested, BookingConfirmed, BookingRescheduled, BookingNoShow };

interface Image {
  id: string;
  practitionerId: string;
  clientId: string;
  state: Appointment['state'];
  start: string;
  version: number;
  cancellation?: { by: 'client' | 'practitioner' | 'platform'; at: string; late: boolean; feePercent: number };
}

/** The few attributes of an appointment image the events need (stream images are DynamoDB JSON). */
function appointmentImage(image: Record<string, AttributeValue> | undefined): Image | undefined {
  if (image?.entity?.S !== 'appointment') return undefined;
  const text = (name: string) => image[name]?.S ?? '';
  const cancellation = image.cancellation?.M;
  return {
    id: text('id'),
    practitionerId: text('practitionerId'),
    clientId: text('clientId'),
    state: text('state') as Image['state'],
    start: text('start'),
    version: Number(image.version?.N),
    ...(cancellation
      ? {
          cancellation: {
            by: (cancellation.by?.S ?? 'platform') as NonNullable<Image['cancellation']>['by'],
            at: cancellation.at?.S ?? '',
            late: cancellation.late?.BOOL ?? false,
            feePercent: Number(cancellation.feePercent?.N ?? 0),
          },
        }
      : {}),
  };
}

const snapshot = (i: Image) => ({
  state: i.state,
  start: new Date(i.start),
  version: i.version,
  ...(i.cancellation ? { cancellation: { ...i.cancellation, at: new Date(i.cancellation.at) } } : {}),
});

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const records = event.Records ?? [];
    for (const [index, record] of records.entries()) {
      const after = appointmentImage(record.dynamodb?.NewImage);
      if (!after) continue;
      const before = appointmentImage(record.dynamodb?.OldImage);
      const ids = {
        appointmentId: after.id,
        practitionerId: after.practitionerId,
        clientId: after.clientId,
        version: after.version,
      };
      try {
        for (const change of changesOf(before && snapshot(before), snapshot(after))) {
          const correlationId = `${after.id}-v${after.version}`;
          if (change.type === 'BookingCancelled') {
            const { type: _t, ...details } = change;
            await deps.events.publish(BookingCancelled, { ...ids, ...details }, { correlationId });
          } else if (change.type === 'BookingCompleted') {
            await deps.events.publish(BookingCompleted, { ...ids, startsAt: after.start }, { correlationId });
          } else {
            await deps.events.publish(contracts[change.type], ids, { correlationId });
          }
        }
      } catch (error) {
        logger.warn('Booking events not published; delivered again', { error: errorFacts(error) });
        // This record and every one after it are delivered again, in order.
        return {
          batchItemFailures: records
            .slice(index)
            .flatMap((r) => (r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [])),
        };
      }
    }
    return { batchItemFailures: [] };
  });
