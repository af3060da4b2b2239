/**
 * Erasure for a verified rights request, and its replay after a backup restore.
 *
 * Erasing finds every item of the subject through the subject index (and, for a root, the items
 * of its partition, which live and die with it), logs each key, then deletes; items of a subject
 * under an active legal hold are kept and reported. Replaying deletes again every key logged
 * since a date: after a point-in-time restore, erased items do not come back.
 */
import type * as z from 'zod';
import { DataSubjectErased } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import { newId } from '#shared/ids.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import type { ErasureLogStore } from './adapters/erasure-log-store.ts';
import type { HoldStore } from './adapters/hold-store.ts';
import type { SubjectItemsStore } from './adapters/subject-items-store.ts';
import type { ErasureInput } from './contract.ts';
import { keyOf, type SubjectItem, subjectKeyOf } from './domain/data-subject.ts';
import { erasureLog, erasureMessage, planErasure, replayDays } from './domain/erasure.ts';
import { eachLimited, reconcileHoldsAfterRestore } from './holds.ts';

export interface ErasureDeps {
  readonly holds: Pick<HoldStore, 'active' | 'recordAction'>;
  readonly subjects: SubjectItemsStore;
  readonly erasureLog: ErasureLogStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  /** Entity types that own their partition (functions/entities.ts): erased with everything in it. */
  readonly partitionRoots: ReadonlySet<string>;
}

export async function eraseDataSubject(
  deps: ErasureDeps,
  input: z.infer<typeof ErasureInput>,
  caller: Caller,
  correlationId: string,
) {
  const now = deps.clock.now();
  const erasureId = newId('erasure');
  const subjectKey = subjectKeyOf(input.subject);
  const active = await deps.holds.active();
  const found = await deps.subjects.find(subjectKey);
  const owned: SubjectItem[] = [];
  for (const root of found.filter((item) => item.entity && deps.partitionRoots.has(item.entity))) {
    owned.push(...(await deps.subjects.partition(root.table, root.pk)));
  }
  const plan = planErasure([...found, ...owned], new Set(active.map((hold) => hold.subjectKey)));

  await deps.erasureLog.append(erasureLog(erasureId, subjectKey, plan.erase, now));
  const outcomes = await eachLimited(plan.erase, (item) => deps.subjects.erase(item));
  const itemsErased = outcomes.filter((o) => o === 'erased').length;
  const keptByHold = [...plan.keep, ...plan.erase.filter((_, i) => outcomes[i] === 'held')];
  const heldSubjects = new Set(keptByHold.map((item) => item.subjectKey));
  const holdIds = active.filter((hold) => heldSubjects.has(hold.subjectKey)).map((hold) => hold.holdId);

  await deps.holds.recordAction({
    action: 'subject-erased',
    at: now,
    actor: caller.userId,
    subjectKey,
    erasureId,
    counts: { itemsErased, itemsUnderHold: keptByHold.length },
  });
  if (itemsErased > 0 || keptByHold.length === 0) {
    try {
      await deps.events.publish(DataSubjectErased, { erasureId, itemsErased }, { correlationId });
    } catch (error) {
      // Erased, logged and audited already: a lost announcement must not make the DPO erase twice.
      logger.error('Announcement failed', { what: DataSubjectErased.detailType, error: errorFacts(error) });
    }
  }
  return {
    erasureId,
    itemsErased,
    itemsUnderHold: keptByHold.length,
    message: erasureMessage(itemsErased, keptByHold.length, holdIds),
  };
}

export interface ReplayDeps {
  readonly holds: HoldStore;
  readonly subjects: SubjectItemsStore;
  readonly erasureLog: ErasureLogStore;
  readonly clock: Clock;
}

/** Deletes again every key the erasure log holds since `since`; audits each erasure replayed. */
export async function replayErasures(deps: ReplayDeps, since: Date, actor: string) {
  const now = deps.clock.now();
  const logKeepDays = retentionCatalogue['erasure-log'].keep.days;
  const entries = await deps.erasureLog.since(since, replayDays(since, now, logKeepDays), now);
  const unique = [...new Map(entries.map((entry) => [keyOf(entry), entry])).values()];
  const deleted = await eachLimited(unique, (entry) => deps.subjects.deleteKey(entry));
  const perErasure = new Map<string, { subjectKey: (typeof unique)[number]['subjectKey']; deletedAgain: number }>();
  unique.forEach((entry, i) => {
    const tally = perErasure.get(entry.erasureId) ?? { subjectKey: entry.subjectKey, deletedAgain: 0 };
    if (deleted[i]) tally.deletedAgain += 1;
    perErasure.set(entry.erasureId, tally);
  });
  for (const [erasureId, tally] of perErasure) {
    await deps.holds.recordAction({
      action: 'erasure-replayed',
      at: now,
      actor,
      subjectKey: tally.subjectKey,
      erasureId,
      counts: { itemsDeletedAgain: tally.deletedAgain },
    });
  }
  return {
    since: since.toISOString(),
    erasures: perErasure.size,
    keysReplayed: unique.length,
    itemsDeletedAgain: deleted.filter(Boolean).length,
  };
}

/**
 * Everything to run on tables a point-in-time restore brought back: erasures since the restore
 * time are replayed, then the legal holds are made to match the retention table again.
 */
export async function replayAfterRestore(deps: ReplayDeps, since: Date, actor: string) {
  const erasures = await replayErasures(deps, since, actor);
  const holds = await reconcileHoldsAfterRestore(deps, since, actor);
  return { ...erasures, holdsItemsHeld: holds.itemsHeld, holdsItemsReleased: holds.itemsReleased };
}

/**
 * A practitioner erased appointment data of a client (ClientAppointmentsErased): the keys are
 * logged like a DPO erasure's, so a replay after a backup restore deletes them again. Appending
 * the same part twice writes the same entries again (same keys, same day): harmless.
 */
export async function logControllerErasure(
  deps: Pick<ErasureDeps, 'erasureLog'>,
  data: { erasureId: string; clientId: string; keys: readonly { pk: string; sk: string }[] },
  erasedAt: Date,
): Promise<number> {
  const items = data.keys.map((key) => ({ table: 'bookings', pk: key.pk, sk: key.sk }));
  await deps.erasureLog.append(erasureLog(data.erasureId, subjectKeyForAccount(data.clientId), items, erasedAt));
  return items.length;
}
