/**
 * Legal holds: what the DPO's handlers and the daily sweep run.
 *
 * A hold is recorded (with its ACTIVE-HOLDS line, which the purge reads) before any item is
 * touched, so the purge skips the subject from that instant; then every item of the subject gives
 * up its expiry. Items written for the subject later carry a fresh expiry: the purge still skips
 * them (held subject), and `reapplyActiveHolds`, run daily before the purge, takes their expiry
 * too, long before it could come (the shortest period is 30 days), so DynamoDB's TTL never sees it.
 */
import type * as z from 'zod';
import { LegalHoldLifted, LegalHoldPlaced } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { newId } from '#shared/ids.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import type { HoldStore } from './adapters/hold-store.ts';
import type { SubjectItemsStore } from './adapters/subject-items-store.ts';
import type { LegalHoldInput } from './contract.ts';
import { subjectKeyOf } from './domain/data-subject.ts';
import {
  HoldAlreadyLifted,
  holdEffect,
  holdView,
  inListingOrder,
  type LegalHold,
  liftHold,
  otherHoldCovers,
  placeHold,
} from './domain/hold.ts';

export interface HoldDeps {
  readonly holds: HoldStore;
  readonly subjects: SubjectItemsStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
}

const CONCURRENCY = 8;

/** Runs `work` on every element, `CONCURRENCY` at a time. */
export async function eachLimited<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}

/** Takes the expiry of every item of the subject that still has one; counts what is now held. */
export async function holdSubjectItems(
  deps: Pick<HoldDeps, 'subjects'>,
  subjectKey: string,
): Promise<{ suspended: number; held: number }> {
  const items = await deps.subjects.find(subjectKey);
  const outcomes = await eachLimited(items, async (item) => {
    const effect = holdEffect(item);
    if (effect === 'already-held') return 'already-held' as const;
    if (effect === 'no-expiry') return 'no-expiry' as const;
    return deps.subjects.suspendExpiry(item);
  });
  const suspended = outcomes.filter((o) => o === 'held').length;
  return { suspended, held: suspended + outcomes.filter((o) => o === 'already-held').length };
}

/** Gives every held item of the subject its expiry back; counts the released items. */
async function releaseSubjectItems(deps: Pick<HoldDeps, 'subjects'>, subjectKey: string, now: Date) {
  const items = (await deps.subjects.find(subjectKey)).filter((item) => item.heldExpiresAt !== undefined);
  const outcomes = await eachLimited(items, (item) => deps.subjects.resumeExpiry(item, now));
  return outcomes.filter((o) => o === 'released').length;
}

async function announce(publish: () => Promise<unknown>, what: string) {
  try {
    await publish();
  } catch (error) {
    // The hold is recorded, applied and audited; a lost announcement must not make the DPO place it twice.
    logger.error('Announcement failed', { what, error: errorFacts(error) });
  }
}

/**
 * Places a hold. An account named by its id must be known: some item of some table, the retention
 * table's records included, names it. A Cognito sub that names nothing never was an account of
 * ours, or nothing of it is left (its erasure's audit entry stays 5 years, so a recently erased
 * account is still known and may be held: an authority may ask after an erasure; the hold records
 * its request, says what was left to hold, and the daily sweep takes what of the subject turns
 * up). No account id can gain data later without an account item, so a hold on an unknown one
 * would hold nothing, ever: a 422. An email is not checked: anyone may write the contact form
 * with any address, and a hold placed before the data arrives takes it at the next daily sweep.
 */
export async function placeLegalHold(
  deps: HoldDeps,
  input: z.infer<typeof LegalHoldInput>,
  caller: Caller,
  correlationId: string,
) {
  const now = deps.clock.now();
  const subjectKey = subjectKeyOf(input.subject);
  if ('accountId' in input.subject && !(await deps.subjects.known(subjectKey))) {
    throw new HttpProblem(
      422,
      'Unknown account',
      'No data of any table belongs to this account: there is nothing to hold',
    );
  }
  const hold = placeHold(
    {
      subjectKey,
      reason: input.reason,
      authority: input.authority,
      reference: input.reference,
    },
    newId('hold'),
    caller.userId,
    now,
  );
  await deps.holds.create(hold, {
    action: 'hold-placed',
    at: now,
    actor: caller.userId,
    subjectKey: hold.subjectKey,
    holdId: hold.id,
  });
  const { held } = await holdSubjectItems(deps, hold.subjectKey);
  await deps.holds.addItemsHeld(hold.id, held);
  await announce(
    () => deps.events.publish(LegalHoldPlaced, { holdId: hold.id, itemsHeld: held }, { correlationId }),
    LegalHoldPlaced.detailType,
  );
  return holdView({ ...hold, itemsHeld: held });
}

export async function liftLegalHold(deps: HoldDeps, holdId: string, caller: Caller, correlationId: string) {
  const now = deps.clock.now();
  const hold = await deps.holds.get(holdId, now);
  if (!hold) throw new HttpProblem(404, 'Not found', 'No such legal hold');
  let lifted: LegalHold;
  try {
    lifted = liftHold(hold, caller.userId, now);
  } catch (error) {
    if (error instanceof HoldAlreadyLifted) throw new HttpProblem(409, 'Conflict', 'This legal hold is already lifted');
    throw error;
  }
  const action = { action: 'hold-lifted', at: now, actor: caller.userId, subjectKey: hold.subjectKey, holdId } as const;
  if (!(await deps.holds.lift(lifted, action))) {
    throw new HttpProblem(409, 'Conflict', 'This legal hold is already lifted');
  }
  let released = 0;
  if (!otherHoldCovers(hold.subjectKey, holdId, await deps.holds.active())) {
    released = await releaseSubjectItems(deps, hold.subjectKey, now);
    // A hold placed on the subject while we were releasing wins: take the expiries again.
    if (otherHoldCovers(hold.subjectKey, holdId, await deps.holds.active())) {
      await holdSubjectItems(deps, hold.subjectKey);
    }
  }
  await deps.holds.recordItemsReleased(holdId, released);
  await announce(
    () => deps.events.publish(LegalHoldLifted, { holdId, itemsReleased: released }, { correlationId }),
    LegalHoldLifted.detailType,
  );
  return holdView({ ...lifted, itemsReleased: released });
}

export async function listLegalHolds(deps: Pick<HoldDeps, 'holds' | 'clock'>) {
  return { items: inListingOrder(await deps.holds.list(deps.clock.now())).map(holdView) };
}

/**
 * Re-applies every active hold: takes the expiry of the items written for a held subject since
 * the hold (or since the last sweep), and of any item a restore brought back with an expiry.
 * Idempotent; each hold that caught something gets an audit entry and its count.
 */
export async function reapplyActiveHolds(deps: Pick<HoldDeps, 'holds' | 'subjects' | 'clock'>, actor: string) {
  const active = await deps.holds.active();
  const subjects = [...new Set(active.map((hold) => hold.subjectKey))];
  let itemsHeld = 0;
  for (const subjectKey of subjects) {
    const { suspended } = await holdSubjectItems(deps, subjectKey);
    if (suspended === 0) continue;
    itemsHeld += suspended;
    for (const hold of active.filter((h) => h.subjectKey === subjectKey)) {
      await deps.holds.addItemsHeld(hold.holdId, suspended);
      await deps.holds.recordAction({
        action: 'hold-reapplied',
        at: deps.clock.now(),
        actor,
        subjectKey: subjectKey as LegalHold['subjectKey'],
        holdId: hold.holdId,
        counts: { itemsHeld: suspended },
      });
    }
  }
  return { activeHolds: active.length, subjects: subjects.length, itemsHeld };
}

/**
 * After a point-in-time restore, the restored tables hold the hold state of the restore time:
 * re-apply the active holds, and release again the subjects of holds lifted since then (unless
 * another active hold covers them). The retention table, never restored, is the reference.
 */
export async function reconcileHoldsAfterRestore(
  deps: Pick<HoldDeps, 'holds' | 'subjects' | 'clock'>,
  since: Date,
  actor: string,
) {
  const reapplied = await reapplyActiveHolds(deps, actor);
  const now = deps.clock.now();
  const active = await deps.holds.active();
  const liftedSince = (await deps.holds.list(now)).filter(
    (hold) => hold.status === 'lifted' && hold.liftedAt && hold.liftedAt >= since,
  );
  let itemsReleased = 0;
  for (const subjectKey of new Set(liftedSince.map((hold) => hold.subjectKey))) {
    if (active.some((hold) => hold.subjectKey === subjectKey)) continue;
    itemsReleased += await releaseSubjectItems(deps, subjectKey, now);
  }
  return { itemsHeld: reapplied.itemsHeld, itemsReleased };
}
