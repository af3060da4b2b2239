/**
 * Reads a practitioner's bookable offer from the practitioners table (ADR 0009): the bookings
 * functions are granted read access to that table and read the profile item through this one
 * function, never through the practitioners context's code. The item's `availability` and
 * `cancellationPolicy` attributes are written by the practitioners store from the same types.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { isDue } from '../retention/expiry.ts';
import { type BookableOffer, defaultAvailability, defaultCancellationPolicy, type OfferedService } from './offer.ts';
import type { CancellationPolicy, Schedule } from './schedule.ts';

/** The key of a practitioner's profile item. */
export const profileKey = (practitionerId: string) => ({ pk: `PRACTITIONER#${practitionerId}`, sk: 'PROFILE' });

/** The attributes of the profile item the offer is read from. */
export interface OfferAttributes {
  readonly id: string;
  readonly displayName: string;
  readonly published: boolean;
  readonly services?: readonly OfferedService[];
  readonly availability?: Schedule;
  readonly cancellationPolicy?: CancellationPolicy;
  readonly expiresAt?: number;
  readonly heldExpiresAt?: number;
}

export interface OfferReader {
  /** The published, live offer of this practitioner; undefined when unknown, unpublished or due. */
  find(practitionerId: string, now: Date): Promise<BookableOffer | undefined>;
}

export function dynamoOfferReader(deps: { client: DynamoDBDocumentClient; tableName: string }): OfferReader {
  return {
    async find(practitionerId, now) {
      const { Item } = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: profileKey(practitionerId), ConsistentRead: true }),
      );
      const item = Item as OfferAttributes | undefined;
      if (!item?.published || isDue(item, now)) return undefined;
      return {
        practitionerId: item.id,
        displayName: item.displayName,
        services: item.services ?? [],
        schedule: item.availability ?? defaultAvailability,
        cancellationPolicy: item.cancellationPolicy ?? defaultCancellationPolicy,
      };
    },
  };
}
