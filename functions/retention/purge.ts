/**
 * The purge: deletes every item past its retention, table by table, through the sparse `byExpiry`
 * index (expiryDay, expiresAt), never a scan. Pure use case: it reaches DynamoDB and the bus only
 * through the ports below, so the planning (which day, which item, when to stop, what the
 * checkpoint says) is tested without AWS (test/unit/purge*.test.ts) and against DynamoDB Local
 * (test/integration/purge*.test.ts). docs/adr/0005-purge-and-deletion-audit.md says why.
 *
 * - Day by day from the table's checkpoint: every expiry day before `clearedBefore` holds no due
 *   item. An item is indexed under its expiry day, never before the day it was written
 *   (shared/retention/expiry.ts, expiryDayOf), so a past day never gains entries and a cleared
 *   day stays cleared. A day is cleared only once fully drained and closed (ended at least
 *   SETTLE_MS ago, so index propagation has caught up).
 * - One Query per page: `expiryDay = :day AND expiresAt <= :now`; each entry is deleted with the
 *   condition that it is still due, so an item a legal hold has just taken out of TTL, or whose
 *   sliding clock moved, stays.
 * - Items of a subject under an active legal hold are left in place (and their day stays open).
 * - Cascade: a root whose entity `owns: 'partition'` goes with every item of its partition,
 *   children first (each chunk atomically checks that the root is still due), root last, so a
 *   crash leaves the root due and the next run finishes the partition.
 * - Progress is saved after each page; a run stops before its time budget and reports
 *   `complete: false`; the next one resumes where it stood. Deletions are idempotent, so a page
 *   interrupted midway is simply read again.
 */
import { RetentionPurgeCompleted } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { newId } from '#shared/ids.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import { epochSeconds, utcDay } from '#shared/retention/expiry.ts';
import type { TableName } from '#shared/tables.ts';

/** The first expiry day a table's first purge looks at: no item of the project expires before it. */
export const PURGE_START_DAY = '2026-01-01';
/** A day is closed (its index entries settled) this long after it ends. */
export const SETTLE_MS = 15 * 60 * 1000;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** An entry of the `byExpiry` index: the item's keys and its projected retention metadata. */
export interface ExpiryEntry extends ItemKey {
  readonly expiresAt: number;
  readonly entity?: string;
  readonly retentionPurpose?: string;
  readonly subjectKey?: string;
}

/** Where a Query page ended (DynamoDB's LastEvaluatedKey of the index): opaque to the use case. */
export type IndexCursor = Readonly<Record<string, string | number>>;

export interface DuePage {
  readonly entries: readonly ExpiryEntry[];
  /** Index entries the Query read (its ScannedCount): the purge's read cost. */
  readonly read: number;
  readonly next?: IndexCursor;
}

export interface PartitionItem extends ItemKey {
  readonly subjectKey?: string;
}

/**
 * What each chunk of a cascade checks on the root, in the same transaction as its deletions:
 * that the root is still due (our purge), or that it is gone and was not re-created (DynamoDB's
 * TTL deleted it; see ./deletion-audit.ts).
 */
export type RootGuard = { readonly kind: 'still-due'; readonly now: number } | { readonly kind: 'absent' };

/** Port: the retention metadata of every table (adapter: ./adapters/purge-tables.ts). */
export interface RetentionTables {
  /** One page of `expiryDay = day AND expiresAt <= now` on the byExpiry index. */
  queryDue(table: TableName, day: string, now: number, limit: number, after?: IndexCursor): Promise<DuePage>;
  /** Deletes the item if it is still due (`expiresAt <= now`); false when it is not (or is gone). */
  deleteIfDue(table: TableName, key: ItemKey, now: number): Promise<boolean>;
  /** The items of a partition (keys and subject), page by page. */
  partition(table: TableName, pk: string): AsyncIterable<readonly PartitionItem[]>;
  /** Deletes these items of the root's partition while the guard holds; false once it does not. */
  deleteOwned(table: TableName, root: ItemKey, items: readonly ItemKey[], guard: RootGuard): Promise<boolean>;
}

/**
 * Port: the active legal holds (written by the legal-hold use cases). Adapter:
 * ./adapters/purge-legal-holds.ts reads the fixed partition `ACTIVE-HOLDS` (one item per active
 * hold, sk = holdId, with its `subjectKey`), so one Query loads every held subject.
 */
export interface LegalHolds {
  heldSubjects(): Promise<ReadonlySet<string>>;
}

export interface PurgeCheckpoint {
  /** Every expiry day before this one (YYYY-MM-DD, UTC) holds no due item. */
  readonly clearedBefore: string;
  /** Where an interrupted pass over one day stood; entries before `after` were dealt with. */
  readonly resume?: {
    readonly day: string;
    readonly after: IndexCursor;
    /** Due entries passed over on that day so far (legal holds): the day is not drained. */
    readonly leftBehind: number;
  };
}

/** Port: one checkpoint per table (adapter: ./adapters/checkpoint-store.ts). */
export interface CheckpointStore {
  load(table: TableName): Promise<PurgeCheckpoint | undefined>;
  save(table: TableName, checkpoint: PurgeCheckpoint, at: Date): Promise<void>;
}

export interface TimeBudget {
  /** True once the run must stop (checked before each page). */
  exhausted(): boolean;
}

export const unlimitedBudget: TimeBudget = { exhausted: () => false };

export interface PurgeOptions {
  /** Index entries per Query page, deleted before the next page is read. */
  readonly batchSize: number;
  /** Deletions in flight at once. */
  readonly concurrency: number;
  /** Days whose first page is read ahead, while the current day is purged. */
  readonly lookaheadDays: number;
  /** The first expiry day of a table without checkpoint. */
  readonly startDay: string;
}

export const defaultPurgeOptions: PurgeOptions = {
  batchSize: 200,
  concurrency: 16,
  lookaheadDays: 8,
  startDay: PURGE_START_DAY,
};

export interface PurgeDeps {
  readonly store: RetentionTables;
  readonly checkpoints: CheckpointStore;
  readonly holds: LegalHolds;
  readonly events: EventPublisher;
  readonly clock: Clock;
  /** The entity types of every table (functions/entities.ts; tests pass their own). */
  readonly entities: readonly EntityDefinition[];
  /** The tables to purge, in order. */
  readonly tables: readonly TableName[];
  readonly options?: Partial<PurgeOptions>;
}

export interface TablePurgeReport {
  readonly table: TableName;
  readonly itemsRead: number;
  readonly itemsDeleted: number;
  readonly clearedBefore: string;
  readonly complete: boolean;
}

export interface PurgeReport {
  readonly runId: string;
  readonly complete: boolean;
  /** Index entries read by the Queries, plus partition items read for cascades. */
  readonly itemsRead: number;
  readonly itemsDeleted: number;
  /** Items deleted per retention purpose (owned items count under their root's purpose). */
  readonly deletedByPurpose: Readonly<Record<string, number>>;
  /** Due items left in place because their subject is under a legal hold. */
  readonly skippedUnderHold: number;
  /** Entries no longer due when deleted (a hold or a sliding clock moved them meanwhile). */
  readonly noLongerDue: number;
  readonly tables: readonly TablePurgeReport[];
}

const DAY_MS = 24 * 3600 * 1000;
const NO_PURPOSE = 'none';

export const nextDay = (day: string): string => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS));

/** The days from `first` to `last`, both included (YYYY-MM-DD, UTC). */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = first; day <= last; day = nextDay(day)) days.push(day);
  return days;
}

/** Days strictly before the returned one are closed at `now`: ended at least SETTLE_MS ago. */
export function closedBefore(now: Date): string {
  return utcDay(new Date(now.getTime() - SETTLE_MS));
}

/**
 * Runs `work` on every element, at most `limit` at once. After a failure no new element starts;
 * it settles the ones in flight, then throws the first error (nothing runs on after the call).
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

export type CascadeOutcome =
  | { readonly kind: 'deleted'; readonly itemsRead: number; readonly itemsDeleted: number }
  | { readonly kind: 'held'; readonly itemsRead: number }
  | { readonly kind: 'root-changed'; readonly itemsRead: number; readonly itemsDeleted: number };

/** Owned items deleted per transaction: DynamoDB's 100 actions, less the root's condition check. */
export const CASCADE_CHUNK = 99;

/**
 * Deletes every item of the root's partition except the root, chunk by chunk, each chunk in one
 * transaction with the root's guard. Nothing is deleted when an item of the partition belongs to
 * a subject under a legal hold. Used by the purge (root still due, deleted after) and by the
 * deletion audit (root deleted by DynamoDB's TTL).
 */
export async function deletePartitionOf(
  store: RetentionTables,
  table: TableName,
  root: ItemKey,
  guard: RootGuard,
  held: ReadonlySet<string>,
): Promise<CascadeOutcome> {
  const owned: ItemKey[] = [];
  let itemsRead = 0;
  for await (const page of store.partition(table, root.pk)) {
    itemsRead += page.length;
    for (const item of page) {
      if (item.subjectKey && held.has(item.subjectKey)) return { kind: 'held', itemsRead };
      if (item.sk !== root.sk) owned.push({ pk: item.pk, sk: item.sk });
    }
  }
  let itemsDeleted = 0;
  for (let i = 0; i < owned.length; i += CASCADE_CHUNK) {
    const chunk = owned.slice(i, i + CASCADE_CHUNK);
    if (!(await store.deleteOwned(table, root, chunk, guard))) return { kind: 'root-changed', itemsRead, itemsDeleted };
    itemsDeleted += chunk.length;
  }
  return { kind: 'deleted', itemsRead, itemsDeleted };
}

interface RunTotals {
  itemsRead: number;
  itemsDeleted: number;
  skippedUnderHold: number;
  noLongerDue: number;
  deletedByPurpose: Record<string, number>;
}

/** Runs the purge over every table; publishes RetentionPurgeCompleted (counts only) at the end. */
export async function purgeExpiredItems(deps: PurgeDeps, budget: TimeBudget = unlimitedBudget): Promise<PurgeReport> {
  const options = { ...defaultPurgeOptions, ...deps.options };
  const runId = newId('purge');
  const now = deps.clock.now();
  const owners = new Set(deps.entities.filter((e) => 'owns' in e && e.owns === 'partition').map((e) => e.name));
  const held = await deps.holds.heldSubjects();
  const totals: RunTotals = {
    itemsRead: 0,
    itemsDeleted: 0,
    skippedUnderHold: 0,
    noLongerDue: 0,
    deletedByPurpose: {},
  };
  const reports: TablePurgeReport[] = [];
  let complete = true;
  for (const table of deps.tables) {
    if (!complete) break;
    const report = await purgeTable({ deps, options, now, owners, held, totals, budget }, table);
    reports.push(report);
    complete = report.complete;
  }
  const report: PurgeReport = { runId, complete, ...totals, tables: reports };
  await deps.events.publish(
    RetentionPurgeCompleted,
    {
      runId,
      deletedByPurpose: totals.deletedByPurpose,
      itemsRead: totals.itemsRead,
      itemsDeleted: totals.itemsDeleted,
      skippedUnderHold: totals.skippedUnderHold,
      complete,
    },
    { correlationId: runId },
  );
  return report;
}

interface TableRun {
  readonly deps: PurgeDeps;
  readonly options: PurgeOptions;
  readonly now: Date;
  readonly owners: ReadonlySet<string>;
  readonly held: ReadonlySet<string>;
  readonly totals: RunTotals;
  readonly budget: TimeBudget;
}

async function purgeTable(run: TableRun, table: TableName): Promise<TablePurgeReport> {
  const { deps, options, now, budget, totals } = run;
  const store = deps.store;
  const nowSeconds = epochSeconds(now);
  const stored = await deps.checkpoints.load(table);
  const start = stored?.clearedBefore ?? options.startDay;
  const resume = stored?.resume && stored.resume.day >= start ? stored.resume : undefined;
  const closed = closedBefore(now);
  const days = daysBetween(start, utcDay(now));
  const before = { read: totals.itemsRead, deleted: totals.itemsDeleted };

  let clearedBefore = start;
  /** Every day processed so far in this run was drained and closed: clearedBefore follows. */
  let contiguous = true;
  let daysSinceSave = 0;
  let saved: PurgeCheckpoint | undefined = stored;

  const save = async (checkpoint: PurgeCheckpoint) => {
    await deps.checkpoints.save(table, checkpoint, deps.clock.now());
    saved = checkpoint;
    daysSinceSave = 0;
  };

  // First pages of the coming days, read ahead: most days hold nothing due, and an empty day
  // then costs no waiting. Read counts are added when a page is used (or at the end, unused).
  const ahead = new Map<string, Promise<DuePage>>();
  const readAhead = (from: number) => {
    for (let i = from; i < Math.min(days.length, from + options.lookaheadDays); i++) {
      const day = days[i] as string;
      if (ahead.has(day) || day === resume?.day || budget.exhausted()) continue;
      const page = store.queryDue(table, day, nowSeconds, options.batchSize);
      page.catch(() => undefined); // awaited when used; a failure then stops the run
      ahead.set(day, page);
    }
  };

  const finish = async (complete: boolean): Promise<TablePurgeReport> => {
    for (const [, page] of ahead) totals.itemsRead += (await page.catch(() => ({ read: 0 }))).read;
    ahead.clear();
    return {
      table,
      itemsRead: totals.itemsRead - before.read,
      itemsDeleted: totals.itemsDeleted - before.deleted,
      clearedBefore: saved?.clearedBefore ?? clearedBefore,
      complete,
    };
  };

  for (const [index, day] of days.entries()) {
    if (budget.exhausted()) {
      await save({ clearedBefore });
      return finish(false);
    }
    readAhead(index + 1);
    const resuming = resume?.day === day ? resume : undefined;
    let leftBehind = resuming?.leftBehind ?? 0;
    let pending = ahead.get(day);
    ahead.delete(day);
    let page = await (pending ?? store.queryDue(table, day, nowSeconds, options.batchSize, resuming?.after));
    for (;;) {
      totals.itemsRead += page.read;
      leftBehind += await purgeEntries(run, table, page.entries, nowSeconds);
      if (!page.next) break;
      await save({ clearedBefore, resume: { day, after: page.next, leftBehind } });
      if (budget.exhausted()) return finish(false);
      pending = undefined;
      page = await store.queryDue(table, day, nowSeconds, options.batchSize, page.next);
    }
    const drained = leftBehind === 0 && day < closed;
    if (contiguous && drained) clearedBefore = nextDay(day);
    else contiguous = false;
    daysSinceSave++;
    if (page.entries.length > 0 || saved?.resume || daysSinceSave >= 30) await save({ clearedBefore });
  }
  if (saved?.clearedBefore !== clearedBefore || saved?.resume) await save({ clearedBefore });
  return finish(true);
}

/** Deletes the due entries of one page; returns how many were left in place under a hold. */
async function purgeEntries(
  run: TableRun,
  table: TableName,
  entries: readonly ExpiryEntry[],
  nowSeconds: number,
): Promise<number> {
  const { deps, options, owners, held, totals } = run;
  let leftBehind = 0;
  const count = (purpose: string, deleted: number) => {
    totals.itemsDeleted += deleted;
    totals.deletedByPurpose[purpose] = (totals.deletedByPurpose[purpose] ?? 0) + deleted;
  };
  await forEachLimit(entries, options.concurrency, async (entry) => {
    const purpose = entry.retentionPurpose ?? NO_PURPOSE;
    if (entry.subjectKey && held.has(entry.subjectKey)) {
      totals.skippedUnderHold++;
      leftBehind++;
      return;
    }
    const root = { pk: entry.pk, sk: entry.sk };
    if (entry.entity && owners.has(entry.entity)) {
      const cascade = await deletePartitionOf(deps.store, table, root, { kind: 'still-due', now: nowSeconds }, held);
      totals.itemsRead += cascade.itemsRead;
      if (cascade.kind === 'held') {
        totals.skippedUnderHold++;
        leftBehind++;
        return;
      }
      count(purpose, cascade.itemsDeleted);
      if (cascade.kind === 'root-changed') {
        totals.noLongerDue++;
        return;
      }
    }
    if (await deps.store.deleteIfDue(table, root, nowSeconds)) count(purpose, 1);
    else totals.noLongerDue++;
  });
  return leftBehind;
}
