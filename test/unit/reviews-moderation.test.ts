/**
 * The moderation queue's rules (ADR 0015): keys, claims (10 minutes; taken over once expired;
 * renewed by their holder), what a decision requires, the queue's use cases (404 / 409 answers,
 * oldest-first listing) and the stale alert (48 hours; one mail per item per 24 hours, ids only),
 * with an in-memory queue that follows the same rules and an injected clock.
 */
import { describe, expect, it } from 'vitest';
import type { ModerationQueue, QueueEntry } from '#functions/reviews/adapters/moderation-queue.ts';
import { decisionCondition, QUEUE_REMOVALS } from '#functions/reviews/adapters/moderation-queue.ts';
import {
  CLAIM_MINUTES,
  claimExpiry,
  holdsLiveClaim,
  isStale,
  itemKey,
  mayClaim,
  parseQueueSk,
  type QueueKind,
  queueKeys,
  REFUSAL_REASONS,
  REPORT_OUTCOMES,
  REPORT_REASONS,
  STALE_AFTER_HOURS,
  staleAlertDue,
} from '#functions/reviews/domain/moderation.ts';
import { alertStaleModeration, claimModerationItem, listModerationQueue } from '#functions/reviews/queue.ts';
import { manualClock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { Mail } from '#shared/mail/mail.ts';

const rev = (n: number) => `rev_${n.toString(16).padStart(32, '0')}`;
const rpt = (n: number) => `rpt_${n.toString(16).padStart(32, '0')}`;
const minute = 60_000;
const hour = 3_600_000;

describe('queue keys', () => {
  it('sort oldest first and read back', () => {
    const since = new Date('2026-05-01T10:00:00.000Z');
    const keys = queueKeys('report', rpt(1), since);
    expect(keys).toEqual({ queuePk: 'QUEUE', queueSk: `2026-05-01T10:00:00.000Z#report#${rpt(1)}` });
    expect(parseQueueSk(keys.queueSk)).toEqual({ kind: 'report', id: rpt(1), since });
    expect(queueKeys('review', rev(1), new Date(since.getTime() - 1)).queueSk < keys.queueSk).toBe(true);
    expect(parseQueueSk('2026-05-01T10:00:00.000Z#nope#x')).toBeUndefined();
    expect(parseQueueSk('garbage')).toBeUndefined();
  });

  it('name the item of each kind; a reply is queued under its review id', () => {
    expect(itemKey('review', rev(1))).toEqual({ pk: `REVIEW#${rev(1)}`, sk: 'REVIEW' });
    expect(itemKey('reply', rev(1))).toEqual({ pk: `REVIEW#${rev(1)}`, sk: 'REPLY' });
    expect(itemKey('report', rpt(1))).toEqual({ pk: `REPORT#${rpt(1)}`, sk: 'REPORT' });
    expect(itemKey('appeal', 'apl_1')).toEqual({ pk: 'APPEAL#apl_1', sk: 'APPEAL' });
  });

  it('closed lists have codes and French labels', () => {
    for (const list of [REFUSAL_REASONS, REPORT_REASONS]) {
      for (const [code, label] of Object.entries(list)) {
        expect(code).toMatch(/^[a-z-]+$/);
        expect(label.length).toBeGreaterThan(10);
      }
    }
    expect(REPORT_OUTCOMES).toEqual(['keep', 'remove', 'restrict']);
  });
});

describe('claims', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  it('last CLAIM_MINUTES', () => {
    expect(claimExpiry(now).getTime() - now.getTime()).toBe(CLAIM_MINUTES * minute);
  });

  it('may be taken when absent or expired, renewed by their holder, not taken from another', () => {
    const live = { claimedBy: 'm1', claimExpiresAt: now.getTime() + 1 };
    const expired = { claimedBy: 'm1', claimExpiresAt: now.getTime() };
    expect(mayClaim({}, 'm2', now)).toBe(true);
    expect(mayClaim(live, 'm2', now)).toBe(false);
    expect(mayClaim(live, 'm1', now)).toBe(true);
    expect(mayClaim(expired, 'm2', now)).toBe(true);
  });

  it('a decision needs a live claim of its caller', () => {
    const live = { claimedBy: 'm1', claimExpiresAt: now.getTime() + 1 };
    expect(holdsLiveClaim(live, 'm1', now)).toBe(true);
    expect(holdsLiveClaim(live, 'm2', now)).toBe(false);
    expect(holdsLiveClaim({ ...live, claimExpiresAt: now.getTime() }, 'm1', now)).toBe(false);
    expect(holdsLiveClaim({}, 'm1', now)).toBe(false);
  });

  it('the decision condition and removals are fragments that combine with the caller’s own', () => {
    const condition = decisionCondition('m1', now);
    for (const name of Object.keys(condition.ExpressionAttributeNames)) {
      expect(condition.ConditionExpression).toContain(name);
    }
    for (const value of Object.keys(condition.ExpressionAttributeValues)) {
      expect(condition.ConditionExpression).toContain(value);
    }
    expect(condition.ExpressionAttributeValues).toEqual({ ':queueClaimant': 'm1', ':queueNow': now.getTime() });
    expect(QUEUE_REMOVALS.split(', ')).toEqual(['queuePk', 'queueSk', 'claimedBy', 'claimExpiresAt']);
  });
});

/** The queue in memory, with the store's rules (the DynamoDB store is tested against DynamoDB Local). */
function memoryQueue() {
  const items = new Map<
    string,
    { kind: QueueKind; id: string; since: Date; claimedBy?: string; claimExpiresAt?: number; staleAlertedAt?: number }
  >();
  const key = (kind: QueueKind, id: string) => `${kind}#${id}`;
  const entry = (item: NonNullable<ReturnType<typeof items.get>>): QueueEntry => ({
    kind: item.kind,
    id: item.id,
    since: item.since,
    ...(item.claimedBy ? { claimedBy: item.claimedBy } : {}),
    ...(item.claimExpiresAt !== undefined ? { claimExpiresAt: new Date(item.claimExpiresAt) } : {}),
    ...(item.staleAlertedAt !== undefined ? { staleAlertedAt: new Date(item.staleAlertedAt) } : {}),
  });
  const sorted = () =>
    [...items.values()].sort((a, b) =>
      queueKeys(a.kind, a.id, a.since).queueSk.localeCompare(queueKeys(b.kind, b.id, b.since).queueSk),
    );
  const queue: ModerationQueue & { enqueue(kind: QueueKind, id: string, since: Date): void } = {
    enqueue: (kind, id, since) => void items.set(key(kind, id), { kind, id, since }),
    async list({ kind, limit, after }) {
      const all = sorted()
        .filter((i) => !kind || i.kind === kind)
        .filter((i) => !after || queueKeys(i.kind, i.id, i.since).queueSk > after);
      const page = all.slice(0, limit).map(entry);
      const last = page.at(-1);
      return all.length > limit && last
        ? { items: page, after: queueKeys(last.kind, last.id, last.since).queueSk }
        : { items: page };
    },
    async claim(kind, id, moderatorId, now) {
      const item = items.get(key(kind, id));
      if (!item) return { outcome: 'not-queued' };
      if (!mayClaim(item, moderatorId, now)) return { outcome: 'held', expiresAt: new Date(item.claimExpiresAt!) };
      item.claimedBy = moderatorId;
      item.claimExpiresAt = claimExpiry(now).getTime();
      return { outcome: 'claimed', expiresAt: claimExpiry(now) };
    },
    async waitingSince(before) {
      return sorted()
        .filter((i) => i.since < before)
        .map(entry);
    },
    async markStaleAlerted(position, now) {
      const item = items.get(key(position.kind, position.id));
      if (!item || !staleAlertDue(entry(item), now)) return false;
      item.staleAlertedAt = now.getTime();
      return true;
    },
  };
  return queue;
}

const moderator = (userId: string) => ({ userId, roles: ['moderator' as const] });

describe('the queue use cases', () => {
  it('claim: 200 with the expiry, 409 for another moderator while live, taken over once expired', async () => {
    const clock = manualClock('2026-05-01T10:00:00Z');
    const queue = memoryQueue();
    queue.enqueue('review', rev(1), new Date('2026-05-01T09:00:00Z'));
    const deps = { queue, clock };
    expect(await claimModerationItem(deps, moderator('m1'), 'review', rev(1))).toEqual({
      kind: 'review',
      id: rev(1),
      claimedBy: 'm1',
      claimExpiresAt: '2026-05-01T10:10:00.000Z',
    });
    const refused = await claimModerationItem(deps, moderator('m2'), 'review', rev(1)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused).toMatchObject({ status: 409, message: expect.stringContaining('2026-05-01T10:10:00.000Z') });
    clock.advance(CLAIM_MINUTES * minute);
    expect(await claimModerationItem(deps, moderator('m2'), 'review', rev(1))).toMatchObject({ claimedBy: 'm2' });
  });

  it('claim: 404 for what is not queued, or an id of another kind', async () => {
    const queue = memoryQueue();
    queue.enqueue('review', rev(1), new Date('2026-05-01T09:00:00Z'));
    const deps = { queue, clock: manualClock('2026-05-01T10:00:00Z') };
    await expect(claimModerationItem(deps, moderator('m1'), 'review', rev(2))).rejects.toMatchObject({ status: 404 });
    await expect(claimModerationItem(deps, moderator('m1'), 'report', rev(1))).rejects.toMatchObject({ status: 404 });
  });

  it('lists oldest first, by kind, page by page, with the live claims only', async () => {
    const clock = manualClock('2026-05-03T10:00:00Z');
    const queue = memoryQueue();
    queue.enqueue('report', rpt(1), new Date('2026-05-01T08:00:00Z'));
    queue.enqueue('review', rev(1), new Date('2026-05-01T09:00:00Z'));
    queue.enqueue('reply', rev(2), new Date('2026-05-02T09:00:00Z'));
    const deps = { queue, clock };
    await claimModerationItem(deps, moderator('m1'), 'review', rev(1));
    const first = await listModerationQueue(deps, { limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([rpt(1), rev(1)]);
    expect(first.items[0]).toEqual({ kind: 'report', id: rpt(1), since: '2026-05-01T08:00:00.000Z', waitingHours: 50 });
    expect(first.items[1]).toMatchObject({ claimedBy: 'm1', claimExpiresAt: '2026-05-03T10:10:00.000Z' });
    const second = await listModerationQueue(deps, { limit: 2, cursor: first.nextCursor });
    expect(second).toEqual({ items: [expect.objectContaining({ kind: 'reply', id: rev(2) })] });
    expect((await listModerationQueue(deps, { kind: 'review', limit: 20 })).items.map((i) => i.id)).toEqual([rev(1)]);
    clock.advance(CLAIM_MINUTES * minute);
    const later = await listModerationQueue(deps, { kind: 'review', limit: 20 });
    expect(later.items[0]).not.toHaveProperty('claimedBy');
    await expect(listModerationQueue(deps, { limit: 2, cursor: 'forged' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('the stale alert', () => {
  const setup = () => {
    const clock = manualClock('2026-05-01T00:00:00Z');
    const queue = memoryQueue();
    const sent: Mail[] = [];
    const mailer = {
      send: async (mail: Mail) => {
        sent.push(mail);
        return { messageId: `m${sent.length}` };
      },
    };
    return { clock, queue, sent, deps: { queue, clock, mailer, moderationInbox: 'moderation@example.test' } };
  };

  it('waits STALE_AFTER_HOURS', () => {
    const since = new Date('2026-05-01T00:00:00Z');
    expect(isStale(since, new Date(since.getTime() + STALE_AFTER_HOURS * hour))).toBe(false);
    expect(isStale(since, new Date(since.getTime() + STALE_AFTER_HOURS * hour + 1))).toBe(true);
  });

  it('mails the items waiting more than 48 hours once, again 24 hours later if they still wait', async () => {
    const { clock, queue, sent, deps } = setup();
    queue.enqueue('review', rev(1), clock.now());
    clock.advance(hour);
    queue.enqueue('report', rpt(1), clock.now());
    clock.advance(STALE_AFTER_HOURS * hour);
    // 49 h for the review, 48 h for the report: only the review is stale
    expect(await alertStaleModeration(deps)).toEqual({ stale: 1, alerted: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(['moderation@example.test']);
    expect(sent[0]!.text).toContain(`avis ${rev(1)} : en attente depuis 49 h`);
    expect(sent[0]!.text).not.toContain(rpt(1));
    clock.advance(hour);
    // an hour later: the report is new in the alert, the review is not mailed again
    expect(await alertStaleModeration(deps)).toEqual({ stale: 2, alerted: 1 });
    expect(sent[1]!.text).toContain(`signalement ${rpt(1)}`);
    expect(sent[1]!.text).not.toContain(rev(1));
    clock.advance(22 * hour);
    expect(await alertStaleModeration(deps)).toEqual({ stale: 2, alerted: 0 });
    expect(sent).toHaveLength(2);
    clock.advance(hour);
    // 24 h after the first alert: the review again, alone
    expect(await alertStaleModeration(deps)).toEqual({ stale: 2, alerted: 1 });
    expect(sent[2]!.text).toContain(rev(1));
    expect(sent[2]!.text).not.toContain(rpt(1));
    expect(sent[2]!.subject).toBe('[Modération] 1 élément(s) en attente depuis plus de 48 h');
  });

  it('a failed mail marks nothing: the next run tries again', async () => {
    const { clock, queue, deps } = setup();
    queue.enqueue('appeal', 'apl_1', clock.now());
    clock.advance(49 * hour);
    const failing = { ...deps, mailer: { send: async () => Promise.reject(new Error('SES down')) } };
    await expect(alertStaleModeration(failing)).rejects.toThrow('SES down');
    expect(await alertStaleModeration(deps)).toEqual({ stale: 1, alerted: 1 });
  });
});
