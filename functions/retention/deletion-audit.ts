/**
 * The deletion audit: every REMOVE of every table reaches this use case (DynamoDB stream → event
 * source mapping → record-deletions), which counts it per day, retention purpose, cause and table
 * in the retention table, and finishes the work of DynamoDB's TTL where a deleted root owned its
 * partition. Counts only: no key, no subject, no image leaves this module in a log.
 *
 * How the cause is told (a REMOVE record cannot carry a reason of ours):
 * - `ttl`: the record's userIdentity is DynamoDB's TTL service (type "Service", principal
 *   "dynamodb.amazonaws.com"), the one mark AWS puts on a deletion;
 * - `purge`: the old image was already due when it was deleted (expiresAt <= the record's
 *   ApproximateCreationDateTime, give or take the latter's precision): only our purge deletes
 *   due items (the erasure and everything else delete live items);
 * - `cascade`: an owned item (no expiry of its own) deleted with its root: the root's own record
 *   tells whether that was the purge, TTL or an erasure;
 * - `erasure-or-other`: deleted by our code before its expiry: erasure requests (the erasure log
 *   names them one by one), or any other deliberate delete.
 */
import type { Clock } from '#shared/clock.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import { utcDay } from '#shared/retention/expiry.ts';
import type { TableName } from '#shared/tables.ts';
import { deletionAuditReceiptEntity } from './entities.ts';
import { deletePartitionOf, type ItemKey, type LegalHolds, type RetentionTables } from './purge.ts';

export type DeletionCause = 'ttl' | 'purge' | 'cascade' | 'erasure-or-other';

export const NO_PURPOSE = 'none';

/**
 * ApproximateCreationDateTime is rounded down: to the second in AWS, to the minute in DynamoDB
 * Local. An item our purge deleted within this many seconds after its expiry still counts as purged.
 */
export const CREATION_TIME_PRECISION_SECONDS = 60;

/** What the audit reads of one REMOVE record: keys, time, who, and three attributes of the old image. */
export interface RemovedItem {
  /** The stream record's eventID: unique per record, the same when a record is redelivered. */
  readonly eventId: string;
  readonly table: TableName;
  readonly key: ItemKey;
  /** ApproximateCreationDateTime, epoch seconds. */
  readonly removedAt: number;
  readonly byTtl: boolean;
  readonly old: {
    readonly entity?: string;
    readonly expiresAt?: number;
    readonly retentionPurpose?: string;
  };
}

export interface CountedDeletion {
  readonly eventId: string;
  readonly day: string;
  readonly purpose: string;
  readonly cause: DeletionCause;
  readonly table: TableName;
}

/** Port: the audit counts (adapter: ./adapters/audit-counts.ts). */
export interface AuditCounts {
  /**
   * Adds each deletion to its (day, purpose, cause, table) count, once per eventId: a deletion
   * already counted is not counted again. Returns the eventIds it could not count (to retry).
   */
  add(deletions: readonly CountedDeletion[], at: Date): Promise<{ readonly failed: readonly string[] }>;
  /** The counts of one day, per purpose, cause and table. */
  day(day: string): Promise<readonly { purpose: string; cause: DeletionCause; table: TableName; deleted: number }[]>;
}

export interface DeletionAuditDeps {
  readonly counts: AuditCounts;
  readonly store: RetentionTables;
  readonly holds: LegalHolds;
  readonly clock: Clock;
  readonly entities: readonly EntityDefinition[];
}

export interface DeletionAuditOutcome {
  readonly counted: number;
  /** Records not counted at all: the audit's own receipts expiring. */
  readonly ignored: number;
  readonly byCause: Readonly<Partial<Record<DeletionCause, number>>>;
  /** Owned items deleted after DynamoDB's TTL deleted their root. */
  readonly cascaded: number;
  /** TTL-deleted roots whose partition holds an item of a subject under a legal hold: left as is. */
  readonly cascadesHeld: number;
  /** Records to deliver again (their eventIds). */
  readonly failed: readonly string[];
}

type Registry = ReadonlyMap<string, EntityDefinition>;

const registryOf = (entities: readonly EntityDefinition[]): Registry => new Map(entities.map((e) => [e.name, e]));

function purposeOf(item: RemovedItem, registry: Registry): string {
  if (item.old.retentionPurpose) return item.old.retentionPurpose;
  const entity = item.old.entity ? registry.get(item.old.entity) : undefined;
  if (!entity) return NO_PURPOSE;
  if ('ownedBy' in entity) {
    const root = registry.get(entity.ownedBy);
    return root && 'retention' in root && root.retention ? root.retention.purpose : NO_PURPOSE;
  }
  return 'retention' in entity && entity.retention ? entity.retention.purpose : NO_PURPOSE;
}

/** The count a REMOVE adds to, or undefined for records the audit does not count (its own receipts). */
export function classifyDeletion(item: RemovedItem, registry: Registry): CountedDeletion | undefined {
  if (item.old.entity === deletionAuditReceiptEntity.name) return undefined;
  const entity = item.old.entity ? registry.get(item.old.entity) : undefined;
  const cause: DeletionCause = item.byTtl
    ? 'ttl'
    : item.old.expiresAt !== undefined && item.old.expiresAt <= item.removedAt + CREATION_TIME_PRECISION_SECONDS
      ? 'purge'
      : entity && 'ownedBy' in entity
        ? 'cascade'
        : 'erasure-or-other';
  return {
    eventId: item.eventId,
    day: utcDay(new Date(item.removedAt * 1000)),
    purpose: purposeOf(item, registry),
    cause,
    table: item.table,
  };
}

/** Counts a batch of REMOVE records and cascades the TTL deletions of partition roots. */
export async function recordDeletions(
  deps: DeletionAuditDeps,
  removed: readonly RemovedItem[],
): Promise<DeletionAuditOutcome> {
  const registry = registryOf(deps.entities);
  const counted: CountedDeletion[] = [];
  for (const item of removed) {
    const deletion = classifyDeletion(item, registry);
    if (deletion) counted.push(deletion);
  }
  const failed = new Set((await deps.counts.add(counted, deps.clock.now())).failed);

  let cascaded = 0;
  let cascadesHeld = 0;
  const roots = removed.filter((item) => {
    const entity = item.byTtl && item.old.entity ? registry.get(item.old.entity) : undefined;
    return entity !== undefined && 'owns' in entity && entity.owns === 'partition';
  });
  if (roots.length > 0) {
    const held = await deps.holds.heldSubjects();
    for (const root of roots) {
      try {
        const outcome = await deletePartitionOf(deps.store, root.table, root.key, { kind: 'absent' }, held);
        if (outcome.kind === 'held') cascadesHeld++;
        else cascaded += outcome.itemsDeleted;
        // 'root-changed': the root was written again since TTL deleted it; its partition is live.
      } catch {
        failed.add(root.eventId);
      }
    }
  }

  const byCause: Partial<Record<DeletionCause, number>> = {};
  for (const c of counted) if (!failed.has(c.eventId)) byCause[c.cause] = (byCause[c.cause] ?? 0) + 1;
  return {
    counted: counted.filter((c) => !failed.has(c.eventId)).length,
    ignored: removed.length - counted.length,
    byCause,
    cascaded,
    cascadesHeld,
    failed: [...failed],
  };
}
