/**
 * Practitioner profiles in the practitioners table. Published profiles carry the listing index
 * keys; the listing is a Query on that index (never a scan), paginated with an opaque cursor.
 * A save replaces the whole profile item, so an unpublished profile loses its listing keys.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { withoutDue } from '#shared/dynamo/reads.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { listingSortKey, type Place, type Practitioner, type Service } from '../domain/practitioner.ts';
import type { Specialty } from '../domain/specialties.ts';
import { practitionerProfileEntity } from '../entities.ts';

export interface PractitionerPage {
  readonly items: Practitioner[];
  readonly nextCursor?: string;
}

export interface PractitionerStore {
  save(practitioner: Practitioner): Promise<void>;
  listPublished(options: { limit: number; cursor?: string; now: Date }): Promise<PractitionerPage>;
  /** The profile with this id, published or not; undefined when there is none or it is due. */
  find(id: string, now: Date): Promise<Practitioner | undefined>;
}

interface PractitionerItem {
  pk: string;
  sk: 'PROFILE';
  id: string;
  displayName: string;
  headline: string;
  /** Absent from profiles saved before profiles were editable (the demo seed of older versions). */
  presentation?: string;
  specialties: Specialty[];
  city?: string;
  postcode?: string;
  places?: Place[];
  offersVideo: boolean;
  services?: Service[];
  published: boolean;
  lastActivityAt: string;
  listingPk?: 'PUBLISHED';
  listingSk?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

const LISTING_INDEX = 'byListing';

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, string> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const fields = ['pk', 'sk', 'listingPk', 'listingSk'];
    if (
      typeof key === 'object' &&
      key !== null &&
      Object.keys(key).length === fields.length &&
      fields.every((f) => typeof (key as Record<string, unknown>)[f] === 'string')
    ) {
      return key as Record<string, string>;
    }
  } catch {
    // falls through to the problem below
  }
  throw new HttpProblem(400, 'Invalid request', 'Invalid field: query.cursor', {
    errors: [{ field: 'query.cursor', message: 'not a cursor returned by this API' }],
  });
}

function toPractitioner(item: PractitionerItem): Practitioner {
  return {
    id: item.id,
    displayName: item.displayName,
    headline: item.headline,
    presentation: item.presentation ?? '',
    specialties: item.specialties,
    ...(item.city ? { city: item.city } : {}),
    ...(item.postcode ? { postcode: item.postcode } : {}),
    places: item.places ?? [],
    offersVideo: item.offersVideo,
    services: item.services ?? [],
    published: item.published,
    lastActivityAt: new Date(item.lastActivityAt),
  };
}

export function dynamoPractitionerStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): PractitionerStore {
  return {
    async save(p) {
      const item: PractitionerItem = {
        pk: `PRACTITIONER#${p.id}`,
        sk: 'PROFILE',
        id: p.id,
        displayName: p.displayName,
        headline: p.headline,
        presentation: p.presentation,
        specialties: [...p.specialties],
        city: p.city,
        postcode: p.postcode,
        places: p.places.map((place) => ({ address: place.address, city: place.city, postcode: place.postcode })),
        offersVideo: p.offersVideo,
        services: p.services.map((s) => ({
          id: s.id,
          name: s.name,
          durationMinutes: s.durationMinutes,
          priceCents: s.priceCents,
        })),
        published: p.published,
        lastActivityAt: p.lastActivityAt.toISOString(),
        ...(p.published ? { listingPk: 'PUBLISHED' as const, listingSk: listingSortKey(p) } : {}),
      };
      await deps.client.send(
        new PutCommand({
          TableName: deps.tableName,
          // A practitioner's profile id is their account id (demo profiles: a fixed id of their own).
          Item: retainedItem(practitionerProfileEntity, item, {
            clockStartedAt: p.lastActivityAt,
            subjectKey: subjectKeyForAccount(p.id),
            now: p.lastActivityAt,
          }),
        }),
      );
    },

    async find(id, now) {
      const { Item } = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: { pk: `PRACTITIONER#${id}`, sk: 'PROFILE' } }),
      );
      const item = Item as PractitionerItem | undefined;
      if (!item || isDue(item, now)) return undefined;
      return toPractitioner(item);
    },

    async listPublished({ limit, cursor, now }) {
      const result = await deps.client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: deps.tableName,
              IndexName: LISTING_INDEX,
              KeyConditionExpression: 'listingPk = :published',
              ExpressionAttributeValues: { ':published': 'PUBLISHED' },
              Limit: limit,
              ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
            },
            now,
          ),
        ),
      );
      return {
        items: (result.Items as PractitionerItem[] | undefined)?.map(toPractitioner) ?? [],
        ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(result.LastEvaluatedKey) } : {}),
      };
    },
  };
}
