/**
 * The practitioner store against DynamoDB Local: the listing (an index query, by name, paginated,
 * never expired), the profile's offer (opening hours, cancellation policy), and the public search
 * (one entry per key in the profile's partition, replaced on save, read through `bySearch` and
 * checked against the profiles themselves; never a scan).
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoPractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { listingSortKey, type Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { type SearchCriteria, searchKeyOf, searchKeysOf } from '#functions/practitioners/domain/search.ts';
import { practitionerSearchEntryEntity } from '#functions/practitioners/entities.ts';
import { ownedItem } from '#shared/dynamo/items.ts';
import { defaultAvailability, defaultCancellationPolicy } from '#shared/offer/offer.ts';
import { dynamoOfferReader, profileKey } from '#shared/offer/offer-reader.ts';
import type { Schedule } from '#shared/offer/schedule.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);

/** Every command the store sends, by name: the search must never scan. */
const sent: string[] = [];
const spy = {
  send: (command: { constructor: { name: string } }) => {
    sent.push(command.constructor.name);
    return db.send(command as never);
  },
} as unknown as DynamoDBDocumentClient;

let store: ReturnType<typeof dynamoPractitionerStore>;
let tableName = '';
afterAll(async () => {
  await dropFreshTables(cloud.urls.dynamodb);
  db.destroy();
});

const now = new Date('2026-11-26T12:00:00Z');
const practitioner = (id: string, displayName: string, extra: Partial<Practitioner> = {}): Practitioner => ({
  id,
  displayName,
  headline: 'Praticien',
  presentation: '',
  specialties: ['massage'],
  places: [],
  offersVideo: false,
  services: [{ id: 'svc_1', name: 'Massage', durationMinutes: 60, priceCents: 6000, payment: { mode: 'on-site' } }],
  availability: defaultAvailability,
  cancellationPolicy: defaultCancellationPolicy,
  published: true,
  lastActivityAt: now,
  ...extra,
});

const place = (city: string, postcode: string) => ({ address: '1 rue de la Paix', city, postcode });

beforeAll(async () => {
  tableName = (await freshTables(cloud.urls.dynamodb, 'practitioners')).practitioners;
  store = dynamoPractitionerStore({ client: spy, tableName });
  await store.save(practitioner('prac_000005', 'Zoé Durand'));
  await store.save(practitioner('prac_000001', 'Émile Roux'));
  await store.save(practitioner('prac_000002', 'anne Blanc'));
  await store.save(practitioner('prac_000003', 'Bruno Noir', { published: false }));
  // last active 5 years and a day ago: its profile is past retention
  await store.save(practitioner('prac_000004', 'Claire Vert', { lastActivityAt: new Date('2021-11-25T12:00:00Z') }));
  // last active 5 years minus a day ago: still kept
  await store.save(practitioner('prac_000006', 'Denis Gris', { lastActivityAt: new Date('2021-11-27T12:00:00Z') }));
});

describe('practitioner listing', () => {
  it('lists published, unexpired practitioners by name, ignoring case and accents', async () => {
    const page = await store.listPublished({ limit: 10, now });
    expect(page.items.map((p) => p.displayName)).toEqual(['anne Blanc', 'Denis Gris', 'Émile Roux', 'Zoé Durand']);
  });

  it('pages through with a cursor without repeating or losing anyone', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listPublished({ limit: 1, now, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['prac_000002', 'prac_000006', 'prac_000001', 'prac_000005']);
  });

  it('finds one profile by id, published or not, with its services, but never a due one', async () => {
    expect((await store.find('prac_000003', now))?.published).toBe(false);
    expect((await store.find('prac_000001', now))?.services).toEqual([
      { id: 'svc_1', name: 'Massage', durationMinutes: 60, priceCents: 6000, payment: { mode: 'on-site' } },
    ]);
    expect(await store.find('prac_000004', now)).toBeUndefined();
    expect(await store.find('prac_unknown', now)).toBeUndefined();
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(store.listPublished({ limit: 1, now, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      status: 400,
    });
    const forged = Buffer.from(
      JSON.stringify({ pk: 'PRACTITIONER#x', sk: 'PROFILE', listingPk: 'DRAFT', listingSk: 'a#x' }),
    ).toString('base64url');
    await expect(store.listPublished({ limit: 1, now, cursor: forged })).rejects.toMatchObject({ status: 400 });
  });
});

const hours: Schedule = {
  weekly: {
    tuesday: [
      { from: '09:00', to: '12:30' },
      { from: '14:00', to: '19:00' },
    ],
    saturday: [{ from: '09:00', to: '12:00' }],
  },
  exceptions: [{ kind: 'closed-days', from: '2026-12-24', to: '2027-01-02' }],
  minimumNoticeMinutes: 1440,
  bookingHorizonDays: 90,
  bufferMinutes: 10,
  slotStepMinutes: 30,
};

describe('the profile’s offer', () => {
  it('is stored as the item attributes bookings read, and read back', async () => {
    const policy = { freeUntilHoursBefore: 48, lateCancellationFeePercent: 50 };
    await store.save(practitioner('prac_offer01', 'Olivia Offre', { availability: hours, cancellationPolicy: policy }));
    const found = await store.find('prac_offer01', now);
    expect(found?.availability).toEqual(hours);
    expect(found?.cancellationPolicy).toEqual(policy);
    // the bookings context's reader, on the same item
    const offer = await dynamoOfferReader({ client: db, tableName }).find('prac_offer01', now);
    expect(offer).toMatchObject({ practitionerId: 'prac_offer01', schedule: hours, cancellationPolicy: policy });
    expect(offer?.services).toEqual([
      { id: 'svc_1', name: 'Massage', durationMinutes: 60, priceCents: 6000, payment: { mode: 'on-site' } },
    ]);
  });

  it('takes the defaults when a stored profile has none (saved before opening hours)', async () => {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...profileKey('prac_offer02'),
          id: 'prac_offer02',
          displayName: 'Ancien Profil',
          headline: 'h',
          specialties: ['yoga'],
          offersVideo: true,
          published: true,
          lastActivityAt: now.toISOString(),
          entity: 'practitioner-profile',
        },
      }),
    );
    const found = await store.find('prac_offer02', now);
    expect(found?.availability).toEqual(defaultAvailability);
    expect(found?.cancellationPolicy).toEqual(defaultCancellationPolicy);
  });
});

/** The search entries of a profile, read from its partition. */
async function entriesOf(id: string) {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :search)',
      ExpressionAttributeValues: { ':pk': `PRACTITIONER#${id}`, ':search': 'SEARCH#' },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/** Every practitioner a search finds, following its cursor to the end. */
async function searchAll(criteria: SearchCriteria, limit = 50): Promise<{ ids: string[]; pages: number }> {
  const key = searchKeyOf(criteria)!;
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.search({ key, limit, now, ...(cursor ? { cursor } : {}) });
    pages += 1;
    ids.push(...page.items.map((p) => p.id));
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, pages };
}

const ids = async (criteria: SearchCriteria) => (await searchAll(criteria)).ids;

describe('the search entries of a profile', () => {
  it('are one owned item per key, in the profile’s partition, sorted by name', async () => {
    const p = practitioner('prac_se01', 'Sébastien Entrée', {
      specialties: ['shiatsu', 'reflexology'],
      places: [place('Saint-Étienne', '42000'), place('Lyon', '69003')],
      city: 'Saint-Étienne',
      postcode: '42000',
    });
    await store.save(p);
    const entries = await entriesOf('prac_se01');
    expect(entries.map((e) => e.searchPk).sort()).toEqual(searchKeysOf(p).sort());
    expect(entries).toHaveLength(2 + 2 + 2 + 2 * 4);
    for (const entry of entries) {
      expect(entry).toEqual({
        pk: 'PRACTITIONER#prac_se01',
        sk: `SEARCH#${entry.searchPk}`,
        searchPk: entry.searchPk,
        searchSk: listingSortKey(p),
        entity: 'practitioner-search-entry',
        subjectKey: 'account#prac_se01',
      });
    }
  });

  it('are replaced on the next save: keys it is no longer found by are deleted, a new name re-sorts', async () => {
    await store.save(
      practitioner('prac_se02', 'Rémi Remplacé', {
        specialties: ['kinesiology', 'yoga'],
        places: [place('Brest', '29200'), place('Quimper', '29000')],
      }),
    );
    expect(await ids({ specialty: 'kinesiology', city: 'Brest' })).toContain('prac_se02');
    const moved = practitioner('prac_se02', 'Aline Remplacée', {
      specialties: ['kinesiology'],
      places: [place('Morlaix', '29600')],
    });
    await store.save(moved);
    expect((await entriesOf('prac_se02')).map((e) => e.searchPk).sort()).toEqual(searchKeysOf(moved).sort());
    expect(new Set((await entriesOf('prac_se02')).map((e) => e.searchSk))).toEqual(new Set([listingSortKey(moved)]));
    for (const gone of [{ specialty: 'yoga' as const }, { city: 'Brest' }, { postcode: '29000' }]) {
      expect(await ids(gone), JSON.stringify(gone)).not.toContain('prac_se02');
    }
    expect(await ids({ specialty: 'kinesiology', city: 'Morlaix' })).toEqual(['prac_se02']);
  });

  it('are all removed when the profile is unpublished, and written again when it is republished', async () => {
    const p = practitioner('prac_se03', 'Ursule Dépubliée', {
      specialties: ['meditation'],
      places: [place('Vannes', '56000')],
    });
    await store.save(p);
    expect(await entriesOf('prac_se03')).toHaveLength(5);
    await store.save({ ...p, published: false });
    expect(await entriesOf('prac_se03')).toEqual([]);
    expect(await ids({ city: 'Vannes' })).not.toContain('prac_se03');
    await store.save(p);
    expect(await ids({ city: 'Vannes' })).toEqual(['prac_se03']);
  });

  it('hold up to 120 keys, written and removed across several transactions', async () => {
    const wide = practitioner('prac_se04', 'Wanda Large', {
      specialties: [
        'naturopathy',
        'sophrology',
        'massage',
        'hypnosis',
        'reflexology',
        'yoga',
        'meditation',
        'shiatsu',
        'kinesiology',
        'aromatherapy',
      ],
      places: ['Albi', 'Rodez', 'Millau', 'Cahors', 'Figeac'].map((city, i) => place(city, `1200${i}`)),
    });
    await store.save(wide);
    expect(await entriesOf('prac_se04')).toHaveLength(120);
    expect(await ids({ specialty: 'aromatherapy', city: 'figeac' })).toEqual(['prac_se04']);
    const narrow = { ...wide, specialties: ['yoga' as const], places: [place('Albi', '12000')] };
    await store.save(narrow);
    expect((await entriesOf('prac_se04')).map((e) => e.searchPk).sort()).toEqual(searchKeysOf(narrow).sort());
  });
});

describe('the search', () => {
  beforeAll(async () => {
    // Sophrology in the Loire and Lyon, found by name order
    await store.save(
      practitioner('prac_sr01', 'Hélène Étienne', {
        specialties: ['sophrology', 'hypnosis'],
        places: [place('Saint-Étienne', '42000')],
      }),
    );
    await store.save(
      practitioner('prac_sr02', 'Bastien Loire', {
        specialties: ['sophrology'],
        places: [place('Saint Etienne', '42100'), place('Lyon', '69007')],
      }),
    );
    await store.save(
      practitioner('prac_sr03', 'Chloé Rhône', { specialties: ['hypnosis'], places: [place('Lyon', '69007')] }),
    );
    // unpublished: never found
    await store.save(
      practitioner('prac_sr04', 'Aude Cachée', {
        specialties: ['sophrology'],
        places: [place('Saint-Étienne', '42000')],
        published: false,
      }),
    );
  });

  it('finds by specialty, city, postcode, and a specialty with a city or a postcode', async () => {
    const cases: [SearchCriteria, string[]][] = [
      [{ specialty: 'sophrology' }, ['prac_sr02', 'prac_sr01']],
      [{ city: 'Saint-Étienne' }, ['prac_sr02', 'prac_sr01']],
      [{ city: 'Lyon' }, ['prac_sr02', 'prac_sr03']],
      [{ postcode: '69007' }, ['prac_sr02', 'prac_sr03']],
      [{ postcode: '42100' }, ['prac_sr02']],
      [{ specialty: 'hypnosis', city: 'Saint-Étienne' }, ['prac_sr01']],
      [{ specialty: 'hypnosis', city: 'lyon' }, ['prac_sr03']],
      [{ specialty: 'sophrology', postcode: '69007' }, ['prac_sr02']],
      [{ specialty: 'sophrology', postcode: '69003' }, []],
      [{ specialty: 'naturopathy', city: 'Lyon' }, []],
    ];
    for (const [criteria, expected] of cases) {
      const found = await ids(criteria);
      // Lyon also holds the practitioners of other tests: keep this test's own
      expect(
        found.filter((id) => id.startsWith('prac_sr')),
        JSON.stringify(criteria),
      ).toEqual(expected);
    }
  });

  it('compares cities without case, accents, hyphens or apostrophes', async () => {
    for (const city of ['Saint-Étienne', 'saint etienne', 'SAINT-ETIENNE', 'Saint – Étienne', "saint'étienne"]) {
      expect(await ids({ specialty: 'sophrology', city }), city).toEqual(['prac_sr02', 'prac_sr01']);
    }
    expect(await ids({ city: 'Saint-Étienne-du-Rouvray' })).toEqual([]);
  });

  it('pages through every match by name, without repeating or losing anyone', async () => {
    const names = ['Gaspard', 'Anaïs', 'Émilie', 'bérénice', 'Fabien', 'Damien', 'Céline'];
    for (const [i, name] of names.entries()) {
      await store.save(
        practitioner(`prac_pg0${i}`, `${name} Pau`, { specialties: ['yoga'], places: [place('Pau', '64000')] }),
      );
    }
    const all = await searchAll({ specialty: 'yoga', city: 'Pau' }, 2);
    expect(all.ids).toEqual([
      'prac_pg01',
      'prac_pg03',
      'prac_pg06',
      'prac_pg05',
      'prac_pg02',
      'prac_pg04',
      'prac_pg00',
    ]);
    expect(all.pages).toBeGreaterThanOrEqual(4);
  });

  it('leaves out a due profile, a held one past its expiry, and an entry its profile no longer matches', async () => {
    const inNiort = (id: string, name: string, extra: Partial<Practitioner> = {}) =>
      practitioner(id, name, { specialties: ['massage'], places: [place('Niort', '79000')], ...extra });
    await store.save(inNiort('prac_due01', 'Alice Niort'));
    // last active 5 years and a day ago: due, though its entries are still there
    await store.save(inNiort('prac_due02', 'Bernard Niort', { lastActivityAt: new Date('2021-11-25T12:00:00Z') }));
    expect(await entriesOf('prac_due02')).toHaveLength(5);
    // under a legal hold, past the expiry it had
    await store.save(inNiort('prac_due03', 'Carole Niort', { lastActivityAt: new Date('2021-11-20T12:00:00Z') }));
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: profileKey('prac_due03'),
        UpdateExpression: 'SET heldExpiresAt = expiresAt REMOVE expiresAt, expiryDay',
      }),
    );
    // an entry left behind (a save interrupted between its writes): its profile is now in Lyon
    await store.save(inNiort('prac_due04', 'Denise Niort', { places: [place('Lyon', '69001')] }));
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: ownedItem(
          practitionerSearchEntryEntity,
          {
            pk: 'PRACTITIONER#prac_due04',
            sk: 'SEARCH#city#niort',
            searchPk: 'city#niort',
            searchSk: 'denise niort#prac_due04',
          },
          subjectKeyForAccount('prac_due04'),
        ),
      }),
    );
    expect(await ids({ city: 'Niort' })).toEqual(['prac_due01']);
    expect(await ids({ specialty: 'massage', city: 'Niort' })).toEqual(['prac_due01']);
    // a due profile's id never comes back, even on the page that read its entry
    const page = await store.search({ key: searchKeyOf({ city: 'Niort' })!, limit: 50, now });
    expect(page.items.map((p) => p.id)).toEqual(['prac_due01']);
  });

  it('reads the index and the profiles, never a scan', async () => {
    sent.length = 0;
    await searchAll({ specialty: 'sophrology' }, 1);
    expect(new Set(sent)).toEqual(new Set(['QueryCommand', 'BatchGetCommand']));
  });

  it('refuses a forged cursor, and another search’s or the listing’s cursor', async () => {
    const key = searchKeyOf({ specialty: 'yoga', city: 'Pau' })!;
    const first = await store.search({ key, limit: 2, now });
    expect(first.nextCursor).toBeDefined();
    // its own cursor goes on
    expect((await store.search({ key, limit: 2, now, cursor: first.nextCursor! })).items).toHaveLength(2);
    const otherKey = searchKeyOf({ city: 'Pau' })!;
    const listing = await store.listPublished({ limit: 1, now });
    const forged = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    for (const [cursor, searchKey] of [
      ['bm90LWEtY3Vyc29y', key],
      ['%%%', key],
      [first.nextCursor!, otherKey],
      [listing.nextCursor!, key],
      [forged({ pk: 'PRACTITIONER#x', sk: `SEARCH#${key}`, searchPk: key }), key],
      [forged({ pk: 'CONTACT#x', sk: `SEARCH#${key}`, searchPk: key, searchSk: 'a' }), key],
      [forged({ pk: 'PRACTITIONER#x', sk: `SEARCH#${key}`, searchPk: key, searchSk: 1 }), key],
      [forged({ pk: 'PRACTITIONER#x', sk: `SEARCH#${key}`, searchPk: key, searchSk: 'a', more: 'b' }), key],
    ] as const) {
      await expect(store.search({ key: searchKey, limit: 2, now, cursor }), cursor).rejects.toMatchObject({
        status: 400,
      });
    }
    await expect(store.listPublished({ limit: 2, now, cursor: first.nextCursor! })).rejects.toMatchObject({
      status: 400,
    });
  });
});
