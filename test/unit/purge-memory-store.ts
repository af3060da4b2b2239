/**
 * In-memory stand-ins for the purge's ports (functions/retention/purge.ts), with DynamoDB's
 * semantics where the purge depends on them: the byExpiry index is sparse (items without
 * expiryDay/expiresAt are not in it) and ordered by expiresAt, Query pages end on a cursor,
 * deletes are conditional, a cascade chunk is atomic with its root guard.
 */
import type { EventContract, EventData } from '#events/envelope.ts';
import type {
  CheckpointStore,
  DuePage,
  ExpiryEntry,
  IndexCursor,
  ItemKey,
  LegalHolds,
  PurgeCheckpoint,
  RetentionTables,
} from '#functions/retention/purge.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { OwnedEntity, RetainedEntity } from '#shared/retention/entity.ts';
import type { TableName } from '#shared/tables.ts';

export interface MemoryItem {
  pk: string;
  sk: string;
  entity?: string;
  expiresAt?: number;
  expiryDay?: string;
  retentionPurpose?: string;
  subjectKey?: string;
  heldExpiresAt?: number;
}

const id = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;
const order = (a: MemoryItem, b: MemoryItem) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0) || id(a).localeCompare(id(b));

export interface MemoryTables extends RetentionTables {
  put(table: TableName, item: MemoryItem): void;
  get(table: TableName, key: ItemKey): MemoryItem | undefined;
  items(table: TableName): MemoryItem[];
  /** Every successful delete, in order: `table pk sk`. */
  readonly deletes: string[];
  /** Query calls made (pages read). */
  queries: number;
  /** Called before each delete of one item (conditional or in a cascade): throw to inject a failure. */
  beforeDelete?: (table: TableName, key: ItemKey) => void;
  /** Called between a Query and the deletes of its entries: lets a test move an item meanwhile. */
  afterQuery?: (table: TableName, day: string, entries: readonly ExpiryEntry[]) => void;
}

export function memoryTables(options: { partitionPageSize?: number } = {}): MemoryTables {
  const data = new Map<TableName, Map<string, MemoryItem>>();
  const tableData = (table: TableName) => {
    let map = data.get(table);
    if (!map) {
      map = new Map();
      data.set(table, map);
    }
    return map;
  };
  const remove = (table: TableName, key: ItemKey, hook = true) => {
    if (hook) self.beforeDelete?.(table, key);
    if (tableData(table).delete(id(key))) self.deletes.push(`${table} ${key.pk} ${key.sk}`);
  };

  const self: MemoryTables = {
    deletes: [],
    queries: 0,
    put: (table, item) => void tableData(table).set(id(item), { ...item }),
    get: (table, key) => tableData(table).get(id(key)),
    items: (table) => [...tableData(table).values()],

    async queryDue(table, day, now, limit, after?: IndexCursor): Promise<DuePage> {
      self.queries++;
      const all = [...tableData(table).values()]
        .filter((i) => i.expiryDay === day && i.expiresAt !== undefined && i.expiresAt <= now)
        .sort(order);
      const start = after ? all.findIndex((i) => order(i, after as unknown as MemoryItem) > 0) : 0;
      const slice = start < 0 ? [] : all.slice(start, start + limit);
      const last = slice.at(-1);
      const more = start >= 0 && start + limit < all.length;
      const entries: ExpiryEntry[] = slice.map((i) => ({
        pk: i.pk,
        sk: i.sk,
        expiresAt: i.expiresAt as number,
        ...(i.entity ? { entity: i.entity } : {}),
        ...(i.retentionPurpose ? { retentionPurpose: i.retentionPurpose } : {}),
        ...(i.subjectKey ? { subjectKey: i.subjectKey } : {}),
      }));
      self.afterQuery?.(table, day, entries);
      return {
        entries,
        read: entries.length,
        ...(more && last
          ? { next: { pk: last.pk, sk: last.sk, expiryDay: day, expiresAt: last.expiresAt as number } }
          : {}),
      };
    },

    async deleteIfDue(table, key, now) {
      const item = tableData(table).get(id(key));
      if (!item || item.expiresAt === undefined || item.expiresAt > now) return false;
      remove(table, key);
      return true;
    },

    async *partition(table, pk) {
      const items = [...tableData(table).values()].filter((i) => i.pk === pk).sort((a, b) => a.sk.localeCompare(b.sk));
      const size = options.partitionPageSize ?? 2;
      for (let i = 0; i < items.length; i += size) {
        yield items
          .slice(i, i + size)
          .map((x) => ({ pk: x.pk, sk: x.sk, ...(x.subjectKey ? { subjectKey: x.subjectKey } : {}) }));
      }
    },

    async deleteOwned(table, root, items, guard) {
      const current = tableData(table).get(id(root));
      const holds =
        guard.kind === 'absent'
          ? current === undefined
          : current?.expiresAt !== undefined && current.expiresAt <= guard.now;
      if (!holds) return false;
      for (const item of items) self.beforeDelete?.(table, item);
      for (const item of items) remove(table, item, false);
      return true;
    },
  };
  return self;
}

export function memoryCheckpoints(): CheckpointStore & { saved: Map<TableName, PurgeCheckpoint>; saves: number } {
  const saved = new Map<TableName, PurgeCheckpoint>();
  const store = {
    saved,
    saves: 0,
    async load(table: TableName) {
      return saved.get(table);
    },
    async save(table: TableName, checkpoint: PurgeCheckpoint) {
      store.saves++;
      saved.set(table, structuredClone(checkpoint));
    },
  };
  return store;
}

export function fixedHolds(subjects: string[] = []): LegalHolds & { subjects: string[] } {
  return {
    subjects,
    async heldSubjects() {
      return new Set(subjects);
    },
  };
}

export function recordingPublisher(): EventPublisher & { published: { detailType: string; data: unknown }[] } {
  const published: { detailType: string; data: unknown }[] = [];
  return {
    published,
    async publish<E extends EventContract>(contract: E, data: EventData<E>) {
      published.push({ detailType: contract.detailType, data: contract.data.parse(data) });
      return `evt_${published.length.toString().padStart(6, '0')}`;
    },
  };
}

/** Test-only entity types: a root that owns its partition (an exchange), and what it owns (a message). */
export const testExchangeEntity: RetainedEntity = {
  name: 'test-exchange',
  table: 'contact',
  description: 'test-only root that owns its partition',
  personalData: true,
  retention: { purpose: 'exchange', clockStartsAt: 'the end of the exchange', sliding: true },
  owns: 'partition',
  export: { withheld: 'test-only' },
};

export const testMessageEntity: OwnedEntity = {
  name: 'test-message',
  table: 'contact',
  description: 'test-only owned item',
  personalData: true,
  ownedBy: 'test-exchange',
  export: { withheld: 'test-only' },
};
