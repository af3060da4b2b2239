/**
 * Erasure for a verified rights request, and its replay after a backup restore.
 *
 * Erasing names the person's subjects first: an email with the accounts whose Cognito user has
 * that address, an account with its address (from Cognito: the tables hold no copy of it). Each
 * subject is then erased on its own (its erasure id, log and audit entry): every item found
 * through the subject index (and, for a root, the items of its partition, which live and die with
 * it), each key logged, then deleted; items of a subject under an active legal hold are kept and
 * reported. Each account's Cognito user goes too, unless a hold covers the account. Replaying
 * deletes again every key logged since a date: after a point-in-time restore, erased items do not
 * come back.
 */
import type * as z from 'zod';
import { DataSubjectErased, DirectivesExecuted } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import type { AccountResolver } from '#shared/identity/account-resolver.ts';
import { newId } from '#shared/ids.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';
import { type SubjectKey, subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import type { ErasureLogStore } from './adapters/erasure-log-store.ts';
import type { HoldStore } from './adapters/hold-store.ts';
import type { SubjectItemsStore } from './adapters/subject-items-store.ts';
import type { ErasureInput } from './contract.ts';
import { type DataSubjectInput, keyOf, type SubjectItem } from './domain/data-subject.ts';
import {
  accountsMessage,
  type CognitoUserOutcome,
  erasureLog,
  erasureMessage,
  planErasure,
  replayDays,
} from './domain/erasure.ts';
import type { ActiveHold } from './domain/hold.ts';
import { eachLimited, reconcileHoldsAfterRestore } from './holds.ts';

export interface ErasureDeps {
  readonly holds: Pick<HoldStore, 'active' | 'recordAction'>;
  readonly subjects: SubjectItemsStore;
  readonly erasureLog: ErasureLogStore;
  /** The person's accounts and address, from the Cognito user pool; and their users' deletion. */
  readonly accounts: AccountResolver;
  readonly events: EventPublisher;
  readonly clock: Clock;
  /** Entity types that own their partition (functions/entities.ts): erased with everything in it. */
  readonly partitionRoots: ReadonlySet<string>;
  /**
   * Entity types an erasure keeps (`keptOnErasure` in functions/entities.ts): the proof that the
   * rights were handled (a rights request, a recorded death), the revocation that refuses the
   * erased account's tokens. They expire with their own purpose.
   */
  readonly keptOnErasure: ReadonlySet<string>;
}

/** One subject of the person: its key, and for an account its id and whether it has a Cognito user. */
interface PersonSubject {
  readonly subjectKey: SubjectKey;
  readonly account?: { readonly accountId: string; readonly hasUser: boolean };
}

/**
 * The subjects an erasure request names, the one named first: an email and the accounts whose
 * Cognito user has that address (none: the email alone, as before accounts were resolved); an
 * account and the address of its Cognito user (none when the user is gone).
 */
async function subjectsOf(accounts: AccountResolver, subject: DataSubjectInput): Promise<PersonSubject[]> {
  if ('email' in subject) {
    const ids = await accounts.withEmail(subject.email);
    return [
      { subjectKey: subjectKeyForEmail(subject.email) },
      ...ids.map((accountId) => ({
        subjectKey: subjectKeyForAccount(accountId),
        account: { accountId, hasUser: true },
      })),
    ];
  }
  const user = await accounts.byId(subject.accountId);
  return [
    { subjectKey: subjectKeyForAccount(subject.accountId), account: { accountId: subject.accountId, hasUser: !!user } },
    ...(user?.email ? [{ subjectKey: subjectKeyForEmail(user.email) }] : []),
  ];
}

export async function eraseDataSubject(
  deps: ErasureDeps,
  input: z.infer<typeof ErasureInput>,
  caller: Caller,
  correlationId: string,
) {
  const now = deps.clock.now();
  const subjects = await subjectsOf(deps.accounts, input.subject);
  const active = await deps.holds.active();
  const planned = new Set<string>();
  const erasures: SubjectErasure[] = [];
  let identityFailure: unknown;
  for (const subject of subjects) {
    const erasure = await eraseSubject(deps, { subject, active, planned, now, actor: caller.userId, correlationId });
    erasures.push(erasure);
    identityFailure ??= erasure.identityFailure;
  }
  // Every subject is erased, logged and audited; a Cognito user that could not be deleted makes
  // the answer an error, and the DPO erases again: the user is found again, nothing else is left.
  if (identityFailure) throw identityFailure;

  const itemsErased = erasures.reduce((sum, e) => sum + e.itemsErased, 0);
  const itemsUnderHold = erasures.reduce((sum, e) => sum + e.itemsUnderHold, 0);
  const holdIds = [...new Set(erasures.flatMap((e) => e.holdIds))];
  const accounts = erasures.flatMap((e) => (e.account ? [{ ...e.account }] : []));
  return {
    erasureId: erasures[0]!.erasureId,
    itemsErased,
    itemsUnderHold,
    message: [erasureMessage(itemsErased, itemsUnderHold, holdIds), accountsMessage(accounts)]
      .filter(Boolean)
      .join(' '),
    subjects: erasures.map((e) => ({
      subjectKey: e.subjectKey,
      erasureId: e.erasureId,
      itemsErased: e.itemsErased,
      itemsUnderHold: e.itemsUnderHold,
      ...(e.account ? { cognitoUser: e.account.cognitoUser } : {}),
    })),
  };
}

interface SubjectErasure {
  readonly subjectKey: SubjectKey;
  readonly erasureId: string;
  readonly itemsErased: number;
  readonly itemsUnderHold: number;
  readonly holdIds: readonly string[];
  readonly account?: { readonly accountId: string; readonly cognitoUser: CognitoUserOutcome };
  readonly identityFailure?: unknown;
}

/**
 * One subject: its items (those an earlier subject of the person planned are left to it), the
 * write-ahead log, the deletes; for an account, its Cognito user; then the audit entry and the
 * announcement. The account item's deletion also reaches the accounts stream consumer, which
 * deletes the user in turn (finding it gone is fine); deleting it here as well covers the user
 * without an account item (a sign-up never confirmed, an item already gone). A hold on the
 * account keeps its item, so the user stays with it.
 */
async function eraseSubject(
  deps: ErasureDeps,
  run: {
    subject: PersonSubject;
    active: readonly ActiveHold[];
    planned: Set<string>;
    now: Date;
    actor: string;
    correlationId: string;
  },
): Promise<SubjectErasure> {
  const { subject, active, now } = run;
  const { subjectKey } = subject;
  const erasureId = newId('erasure');
  const heldSubjects = new Set(active.map((hold) => hold.subjectKey));
  const found = await deps.subjects.find(subjectKey);
  const owned: SubjectItem[] = [];
  // A root under a hold is kept, and with it what it owns (another party's items of the same
  // appointment or conversation): only the roots that go take their partition.
  const roots = found.filter(
    (item) => item.entity && deps.partitionRoots.has(item.entity) && !heldSubjects.has(item.subjectKey ?? ''),
  );
  for (const root of roots) owned.push(...(await deps.subjects.partition(root.table, root.pk)));
  const fresh = [...found, ...owned].filter(
    (item) => !run.planned.has(keyOf(item)) && !(item.entity && deps.keptOnErasure.has(item.entity)),
  );
  const plan = planErasure(fresh, heldSubjects);
  for (const item of [...plan.erase, ...plan.keep]) run.planned.add(keyOf(item));

  await deps.erasureLog.append(erasureLog(erasureId, subjectKey, plan.erase, now));
  const outcomes = await eachLimited(plan.erase, (item) => deps.subjects.erase(item));
  const itemsErased = outcomes.filter((o) => o === 'erased').length;
  const keptByHold = [...plan.keep, ...plan.erase.filter((_, i) => outcomes[i] === 'held')];
  const keptSubjects = new Set(keptByHold.map((item) => item.subjectKey));
  const holdIds = active.filter((hold) => keptSubjects.has(hold.subjectKey)).map((hold) => hold.holdId);

  let account: SubjectErasure['account'];
  let identityFailure: unknown;
  if (subject.account) {
    const { accountId, hasUser } = subject.account;
    const held = heldSubjects.has(subjectKey) || keptSubjects.has(subjectKey);
    let cognitoUser: CognitoUserOutcome = 'none';
    if (hasUser && held) cognitoUser = 'kept-under-hold';
    else if (hasUser) {
      try {
        // 'absent': the stream consumer was first, after the account item's deletion.
        await deps.accounts.removeUser(accountId);
        cognitoUser = 'deleted';
      } catch (error) {
        identityFailure = error;
        logger.error('Cognito user not deleted', { erasureId, error: errorFacts(error) });
      }
    }
    account = { accountId, cognitoUser };
  }

  await deps.holds.recordAction({
    action: 'subject-erased',
    at: now,
    actor: run.actor,
    subjectKey,
    erasureId,
    counts: {
      itemsErased,
      itemsUnderHold: keptByHold.length,
      ...(account?.cognitoUser === 'deleted' ? { cognitoUsersDeleted: 1 } : {}),
    },
  });
  if (itemsErased > 0 || keptByHold.length === 0) {
    try {
      await deps.events.publish(DataSubjectErased, { erasureId, itemsErased }, { correlationId: run.correlationId });
    } catch (error) {
      // Erased, logged and audited already: a lost announcement must not make the DPO erase twice.
      logger.error('Announcement failed', { what: DataSubjectErased.detailType, error: errorFacts(error) });
    }
  }
  return {
    subjectKey,
    erasureId,
    itemsErased,
    itemsUnderHold: keptByHold.length,
    holdIds,
    ...(account ? { account } : {}),
    ...(identityFailure ? { identityFailure } : {}),
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

/**
 * DeathRecorded with `erase` (ADR 0018): the deceased person's directive, or the heirs' rights
 * without one, erases everything of the account now (legal holds prevail, the proofs stay), as
 * the DPO's erasure does; DirectivesExecuted tells the privacy context it is done.
 */
export async function eraseDeceasedAccount(
  deps: ErasureDeps,
  death: { deathId: string; accountId: string },
  correlationId: string,
) {
  const result = await eraseDataSubject(
    deps,
    { subject: { accountId: death.accountId }, channel: 'post', requestReference: death.deathId },
    { userId: `death:${death.deathId}`, roles: [] },
    correlationId,
  );
  await deps.events.publish(
    DirectivesExecuted,
    { deathId: death.deathId, accountId: death.accountId, outcome: 'erased' },
    { correlationId },
  );
  return result;
}
