/**
 * The moderation queue's use cases (ADR 0015): list what waits, claim an item, and alert the
 * moderators about items waiting longer than STALE_AFTER_HOURS (at most once a day per item).
 */
import type { Clock } from '#shared/clock.ts';
import type { Caller } from '#shared/http/caller.ts';
import { decodeCursor, encodeCursor, invalidCursor } from '#shared/http/cursor.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { ModerationQueue, QueueEntry } from './adapters/moderation-queue.ts';
import {
  parseQueueSk,
  type QueueKind,
  STALE_AFTER_HOURS,
  staleAlertDue,
  staleModerationMail,
} from './domain/moderation.ts';

export interface QueueDeps {
  readonly queue: ModerationQueue;
  readonly clock: Clock;
}

export interface StaleAlertDeps extends QueueDeps {
  readonly mailer: Mailer;
  /** The moderators' inbox. */
  readonly moderationInbox: string;
}

const hoursBetween = (from: Date, to: Date) => Math.max(0, Math.floor((to.getTime() - from.getTime()) / 3_600_000));

function itemView(entry: QueueEntry, now: Date) {
  const live = entry.claimedBy && entry.claimExpiresAt && entry.claimExpiresAt.getTime() > now.getTime();
  return {
    kind: entry.kind,
    id: entry.id,
    since: entry.since.toISOString(),
    waitingHours: hoursBetween(entry.since, now),
    ...(live ? { claimedBy: entry.claimedBy, claimExpiresAt: entry.claimExpiresAt?.toISOString() } : {}),
  };
}

export async function listModerationQueue(
  deps: QueueDeps,
  query: { kind?: QueueKind | undefined; limit: number; cursor?: string | undefined },
) {
  let after: string | undefined;
  if (query.cursor) {
    after = decodeCursor(query.cursor, ['after']).after;
    if (!after || !parseQueueSk(after)) throw invalidCursor();
  }
  const now = deps.clock.now();
  const page = await deps.queue.list(
    { ...(query.kind ? { kind: query.kind } : {}), limit: query.limit, ...(after ? { after } : {}) },
    now,
  );
  return {
    items: page.items.map((entry) => itemView(entry, now)),
    ...(page.after ? { nextCursor: encodeCursor({ after: page.after }) } : {}),
  };
}

/** A reply is queued under its review's id; a report or an appeal under its own. */
const idFitsKind = (kind: QueueKind, id: string) =>
  id.startsWith(kind === 'report' ? 'rpt_' : kind === 'appeal' ? 'apl_' : 'rev_');

export async function claimModerationItem(deps: QueueDeps, caller: Caller, kind: QueueKind, id: string) {
  const notQueued = () => new HttpProblem(404, 'Not found', 'No such item waits for a moderator');
  if (!idFitsKind(kind, id)) throw notQueued();
  const result = await deps.queue.claim(kind, id, caller.userId, deps.clock.now());
  if (result.outcome === 'not-queued') throw notQueued();
  if (result.outcome === 'held') {
    throw new HttpProblem(
      409,
      'Conflict',
      `Another moderator holds a live claim on this item until ${result.expiresAt.toISOString()}`,
    );
  }
  return { kind, id, claimedBy: caller.userId, claimExpiresAt: result.expiresAt.toISOString() };
}

export type StaleAlertOutcome = { readonly stale: number; readonly alerted: number };

/**
 * One mail to the moderators listing the items waiting more than STALE_AFTER_HOURS that were not
 * alerted within the last 24 hours (kinds, ids and ages only); then each is marked alerted. A
 * failed mail marks nothing: the next run tries again.
 */
export async function alertStaleModeration(deps: StaleAlertDeps): Promise<StaleAlertOutcome> {
  const now = deps.clock.now();
  const stale = await deps.queue.waitingSince(new Date(now.getTime() - STALE_AFTER_HOURS * 3_600_000), now);
  const due = stale.filter((entry) => staleAlertDue(entry, now));
  if (due.length === 0) return { stale: stale.length, alerted: 0 };
  await deps.mailer.send(staleModerationMail(due, now, deps.moderationInbox));
  let alerted = 0;
  for (const entry of due) if (await deps.queue.markStaleAlerted(entry, now)) alerted += 1;
  return { stale: stale.length, alerted };
}
