/**
 * Practitioner profiles in the practitioners table, one partition per practitioner
 * (`PRACTITIONER#<id>`):
 * - the profile item (`PROFILE`, the root): published ones carry the listing index keys; the
 *   listing is a Query on that index (never a scan), paginated with an opaque cursor. It also
 *   carries the bookable offer the bookings context reads (#shared/offer/offer-reader.ts):
 *   `availability`, `cancellationPolicy`, `services`, `published`, `displayName`, `id`;
 * - one search entry per key a published profile is found by (`SEARCH#<key>`, index `bySearch`,
 *   sorted by name like the listing). A search reads a page of entries, then the profiles
 *   themselves, and shows only those that are published, not due, and still found by that key.
 * A save replaces the whole profile item and its entries: entries of keys the profile is no
 * longer found by are deleted (all of them when it is unpublished).
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ownedItem, retainedItem } from '#shared/dynamo/items.ts';
import { withoutDue } from '#shared/dynamo/reads.ts';
import { encodeCursor, invalidCursor } from '#shared/http/cursor.ts';
import { defaultAvailability, defaultCancellationPolicy, defaultServicePayment } from '#shared/offer/offer.ts';
import { type OfferAttributes, profileKey } from '#shared/offer/offer-reader.ts';
import type { CancellationPolicy, Schedule } from '#shared/offer/schedule.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { listingSortKey, type Place, type Practitioner, type Service } from '../domain/practitioner.ts';
import { searchKeysOf } from '../domain/search.ts';
import type { Specialty } from '../domain/specialties.ts';
import { practitionerProfileEntity, practitionerSearchEntryEntity } from '../entities.ts';

export interface PractitionerPage {
  readonly items: Practitioner[];
  readonly nextCursor?: string;
}

interface PageOptions {
  readonly limit: number;
  readonly cursor?: string;
  readonly now: Date;
}

export interface PractitionerStore {
  /** Writes the profile and its search entries (none when unpublished), replacing what was there. */
  save(practitioner: Practitioner): Promise<void>;
  listPublished(options: PageOptions): Promise<PractitionerPage>;
  /**
   * The published, live practitioners found by one search key (domain/search.ts), by name.
   * A page reads `limit` index entries and may show fewer profiles (unpublished or due ones are
   * left out): follow `nextCursor` until it is absent.
   */
  search(options: PageOptions & { readonly key: string }): Promise<PractitionerPage>;
  /** The profile with this id, published or not; undefined when there is none or it is due. */
  find(id: string, now: Date): Promise<Practitioner | undefined>;
}

interface PractitionerItem extends OfferAttributes {
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
  /** Absent from profiles saved before opening hours: `defaultAvailability` (nothing to book). */
  availability?: Schedule;
  /** Absent from profiles saved before cancellation policies: `defaultCancellationPolicy`. */
  cancellationPolicy?: CancellationPolicy;
  published: boolean;
  lastActivityAt: string;
  listingPk?: 'PUBLISHED';
  listingSk?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

/** A search entry: the key (`searchPk`) and the listing's sort key (`searchSk`); nothing else. */
interface SearchEntryItem {
  pk: string;
  sk: string;
  searchPk: string;
  searchSk: string;
}

const LISTING_INDEX = 'byListing';
const SEARCH_INDEX = 'bySearch';
const SEARCH_PREFIX = 'SEARCH#';
const PRACTITIONER_PREFIX = 'PRACTITIONER#';
/** TransactWriteItems' limit. */
const MAX_TRANSACTION_ITEMS = 100;

const searchEntrySk = (key: string) => `${SEARCH_PREFIX}${key}`;

/**
 * The index key a cursor encodes, checked field by field against what this query can have
 * returned (its own index, its own search key), so a forged or foreign cursor is a 400 and never
 * reaches DynamoDB.
 */
function decodeCursor(cursor: string, expected: Record<string, (value: string) => boolean>): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const fields = Object.keys(expected);
  if (
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).length === fields.length &&
    fields.every((f) => {
      const value = (key as Record<string, unknown>)[f];
      return typeof value === 'string' && expected[f]!(value);
    })
  ) {
    return key as Record<string, string>;
  }
  throw invalidCursor();
}

const isProfilePk = (pk: string) => pk.startsWith(PRACTITIONER_PREFIX) && pk.length > PRACTITIONER_PREFIX.length;
const nonEmpty = (value: string) => value.length > 0;

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
    services: (item.services ?? []).map((s) => ({ ...s, payment: s.payment ?? defaultServicePayment })),
    availability: item.availability ?? defaultAvailability,
    cancellationPolicy: item.cancellationPolicy ?? defaultCancellationPolicy,
    published: item.published,
    lastActivityAt: new Date(item.lastActivityAt),
  };
}

const chunks = <T>(values: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(values.length / size) }, (_, i) => values.slice(i * size, (i + 1) * size));

export function dynamoPractitionerStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): PractitionerStore {
  const TableName = deps.tableName;

  /** The search entries a profile has now: key → the sort key it was written with. */
  async function currentEntries(pk: string): Promise<Map<string, string>> {
    const entries = new Map<string, string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await deps.client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :search)',
          ExpressionAttributeValues: { ':pk': pk, ':search': SEARCH_PREFIX },
          ProjectionExpression: 'searchPk, searchSk',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of (page.Items ?? []) as Pick<SearchEntryItem, 'searchPk' | 'searchSk'>[])
        entries.set(item.searchPk, item.searchSk);
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /** The profiles of these ids, in one BatchGet (at most 100 keys), retrying what DynamoDB left. */
  async function profiles(ids: readonly string[]): Promise<Map<string, PractitionerItem>> {
    const found = new Map<string, PractitionerItem>();
    let keys: Record<string, unknown>[] | undefined = [...new Set(ids)].map(profileKey);
    for (let attempt = 0; keys?.length; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const page: BatchGetCommandOutput = await deps.client.send(
        new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } }),
      );
      for (const item of (page.Responses?.[TableName] ?? []) as PractitionerItem[]) found.set(item.id, item);
      keys = page.UnprocessedKeys?.[TableName]?.Keys;
    }
    return found;
  }

  return {
    async save(p) {
      const { pk, sk } = profileKey(p.id);
      // A practitioner's profile id is their account id (demo profiles: a fixed id of their own).
      const subjectKey = subjectKeyForAccount(p.id);
      const sortKey = listingSortKey(p);
      const item: PractitionerItem = {
        pk,
        sk: sk as 'PROFILE',
        id: p.id,
        displayName: p.displayName,
        headline: p.headline,
        presentation: p.presentation,
        specialties: [...p.specialties],
        ...(p.city ? { city: p.city } : {}),
        ...(p.postcode ? { postcode: p.postcode } : {}),
        places: p.places.map((place) => ({ address: place.address, city: place.city, postcode: place.postcode })),
        offersVideo: p.offersVideo,
        services: p.services.map((s) => ({
          id: s.id,
          name: s.name,
          durationMinutes: s.durationMinutes,
          priceCents: s.priceCents,
          payment: { ...s.payment },
        })),
        availability: structuredClone(p.availability),
        cancellationPolicy: {
          freeUntilHoursBefore: p.cancellationPolicy.freeUntilHoursBefore,
          lateCancellationFeePercent: p.cancellationPolicy.lateCancellationFeePercent,
        },
        published: p.published,
        lastActivityAt: p.lastActivityAt.toISOString(),
        ...(p.published ? { listingPk: 'PUBLISHED' as const, listingSk: sortKey } : {}),
      };
      const root = retainedItem(practitionerProfileEntity, item, {
        clockStartedAt: p.lastActivityAt,
        subjectKey,
        now: p.lastActivityAt,
      });

      const wanted = searchKeysOf(p);
      const existing = await currentEntries(pk);
      // An entry already written with the same sort key stays as it is.
      const puts = wanted
        .filter((key) => existing.get(key) !== sortKey)
        .map((key) =>
          ownedItem(
            practitionerSearchEntryEntity,
            { pk, sk: searchEntrySk(key), searchPk: key, searchSk: sortKey } satisfies SearchEntryItem,
            subjectKey,
          ),
        );
      const stale = [...existing.keys()].filter((key) => !wanted.includes(key));
      // New entries, then the profile, then the deletions: one transaction for any ordinary
      // profile (at most 100 writes); a larger one goes in several, in that order, and a search
      // never shows a profile through an entry it no longer matches (see `search`), so an
      // interrupted save shows nothing wrong and the next save completes it.
      const writes = [
        ...puts.map((Item) => ({ Put: { TableName, Item } })),
        { Put: { TableName, Item: root } },
        ...stale.map((key) => ({ Delete: { TableName, Key: { pk, sk: searchEntrySk(key) } } })),
      ];
      if (writes.length === 1) {
        await deps.client.send(new PutCommand({ TableName, Item: root }));
        return;
      }
      for (const TransactItems of chunks(writes, MAX_TRANSACTION_ITEMS))
        await deps.client.send(new TransactWriteCommand({ TransactItems }));
    },

    async find(id, now) {
      const { Item } = await deps.client.send(new GetCommand({ TableName, Key: profileKey(id) }));
      const item = Item as PractitionerItem | undefined;
      if (!item || isDue(item, now)) return undefined;
      return toPractitioner(item);
    },

    async listPublished({ limit, cursor, now }) {
      const result = await deps.client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName,
              IndexName: LISTING_INDEX,
              KeyConditionExpression: 'listingPk = :published',
              ExpressionAttributeValues: { ':published': 'PUBLISHED' },
              Limit: limit,
              ...(cursor
                ? {
                    ExclusiveStartKey: decodeCursor(cursor, {
                      pk: isProfilePk,
                      sk: (sk) => sk === 'PROFILE',
                      listingPk: (v) => v === 'PUBLISHED',
                      listingSk: nonEmpty,
                    }),
                  }
                : {}),
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

    async search({ key, limit, cursor, now }) {
      // Search entries have no expiry of their own (they live as long as their profile): the
      // profiles read below decide what is shown, so nothing due is ever returned.
      const result = await deps.client.send(
        new QueryCommand({
          TableName,
          IndexName: SEARCH_INDEX,
          KeyConditionExpression: 'searchPk = :key',
          ExpressionAttributeValues: { ':key': key },
          Limit: limit,
          ...(cursor
            ? {
                ExclusiveStartKey: decodeCursor(cursor, {
                  pk: isProfilePk,
                  sk: (sk) => sk === searchEntrySk(key),
                  searchPk: (v) => v === key,
                  searchSk: nonEmpty,
                }),
              }
            : {}),
        }),
      );
      const entries = (result.Items ?? []) as SearchEntryItem[];
      const ids = entries.map((e) => e.pk.slice(PRACTITIONER_PREFIX.length));
      const found = ids.length > 0 ? await profiles(ids) : new Map<string, PractitionerItem>();
      const items: Practitioner[] = [];
      for (const id of ids) {
        const item = found.get(id);
        if (!item || isDue(item, now)) continue;
        const practitioner = toPractitioner(item);
        // published, and still found by this key (an entry a save has not removed yet shows nothing)
        if (searchKeysOf(practitioner).includes(key)) items.push(practitioner);
      }
      return {
        items,
        ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(result.LastEvaluatedKey) } : {}),
      };
    },
  };
}
