/**
 * Legal holds, pure. A hold freezes the retention of every item of one data subject: an item with
 * an expiry gives it up (`expiresAt` becomes `heldExpiresAt`), so DynamoDB's TTL and the purge's
 * expiry index no longer see it; at the lift it gets it back, unless another active hold still
 * covers the subject. Items without an expiry of their own (owned by a root, or whose clock has
 * not started) need nothing: they follow their root, or get an expiry later that the next sweep
 * holds.
 */
import type * as z from 'zod';
import { type Expiry, expiryDayOf } from '#shared/retention/expiry.ts';
import type { SubjectKey } from '#shared/retention/subject.ts';
import type { LegalHoldInput } from '../contract.ts';
import type { SubjectItem } from './data-subject.ts';

export type HoldReason = z.infer<typeof LegalHoldInput>['reason'];

export interface LegalHold {
  readonly id: string;
  readonly subjectKey: SubjectKey;
  readonly status: 'active' | 'lifted';
  readonly reason: HoldReason;
  readonly authority: string;
  readonly reference: string;
  readonly placedAt: Date;
  /** The DPO's user id (Cognito sub): an identifier, never a name. */
  readonly placedBy: string;
  readonly liftedAt?: Date;
  readonly liftedBy?: string;
  readonly itemsHeld: number;
  readonly itemsReleased?: number;
}

/** What the hold register (ACTIVE-HOLDS) says about one active hold. */
export interface ActiveHold {
  readonly holdId: string;
  readonly subjectKey: string;
}

export function placeHold(
  request: { subjectKey: SubjectKey; reason: HoldReason; authority: string; reference: string },
  id: string,
  placedBy: string,
  now: Date,
): LegalHold {
  return { id, ...request, status: 'active', placedAt: now, placedBy, itemsHeld: 0 };
}

export class HoldAlreadyLifted extends Error {
  readonly holdId: string;
  constructor(holdId: string) {
    super(`Legal hold ${holdId} is already lifted`);
    this.name = 'HoldAlreadyLifted';
    this.holdId = holdId;
  }
}

export function liftHold(hold: LegalHold, liftedBy: string, now: Date): LegalHold {
  if (hold.status !== 'active') throw new HoldAlreadyLifted(hold.id);
  return { ...hold, status: 'lifted', liftedAt: now, liftedBy };
}

/** What placing a hold does to one item of the subject. */
export type HoldEffect = 'suspend-expiry' | 'already-held' | 'no-expiry';

export function holdEffect(item: Pick<SubjectItem, 'expiresAt' | 'heldExpiresAt'>): HoldEffect {
  if (item.expiresAt !== undefined) return 'suspend-expiry';
  if (item.heldExpiresAt !== undefined) return 'already-held';
  return 'no-expiry';
}

/**
 * The expiry an item resumes at the lift: its own, from before the hold (moved on by a sliding
 * clock meanwhile, if any). If that date passed during the hold, the item is due at once: reads
 * leave it out, and its index day is today so that the purge's next run deletes it.
 */
export function resumedExpiry(heldExpiresAt: number, now: Date): Pick<Expiry, 'expiresAt' | 'expiryDay'> {
  return { expiresAt: heldExpiresAt, expiryDay: expiryDayOf(heldExpiresAt, now) };
}

/** True when a hold other than `holdId` still covers the subject: then lifting must not release. */
export function otherHoldCovers(subjectKey: string, holdId: string, active: readonly ActiveHold[]): boolean {
  return active.some((hold) => hold.subjectKey === subjectKey && hold.holdId !== holdId);
}

/** Active holds first, then the most recently placed. */
export function inListingOrder(holds: readonly LegalHold[]): LegalHold[] {
  return [...holds].sort(
    (a, b) =>
      Number(b.status === 'active') - Number(a.status === 'active') || b.placedAt.getTime() - a.placedAt.getTime(),
  );
}

/** The hold as the API answers it. */
export function holdView(hold: LegalHold) {
  return {
    id: hold.id,
    subjectKey: hold.subjectKey,
    status: hold.status,
    reason: hold.reason,
    authority: hold.authority,
    reference: hold.reference,
    placedAt: hold.placedAt.toISOString(),
    placedBy: hold.placedBy,
    ...(hold.liftedAt ? { liftedAt: hold.liftedAt.toISOString() } : {}),
    ...(hold.liftedBy ? { liftedBy: hold.liftedBy } : {}),
    itemsHeld: hold.itemsHeld,
    ...(hold.itemsReleased !== undefined ? { itemsReleased: hold.itemsReleased } : {}),
  };
}

/** A staff action on retention, audited by identifiers only (no email, no name, no content). */
export interface StaffAction {
  readonly action: 'hold-placed' | 'hold-lifted' | 'hold-reapplied' | 'subject-erased' | 'erasure-replayed';
  readonly at: Date;
  /** The DPO's user id, or `scheduler` / `operations` for jobs. */
  readonly actor: string;
  readonly subjectKey: SubjectKey;
  readonly holdId?: string;
  readonly erasureId?: string;
  /** Counts only. */
  readonly counts?: Readonly<Record<string, number>>;
}
