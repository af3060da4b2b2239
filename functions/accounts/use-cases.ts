/** The accounts context's use cases: what the handlers run. */
import { AccountDeletionRequested, AccountReinstated, AccountSuspended } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import { accountDeleted, accountSuspended } from '#shared/http/guards.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { newId } from '#shared/ids.ts';
import { errorFacts, logger } from '#shared/logger.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type {
  AccountStatus,
  AccountStatusChange,
  Me,
  ReinstateAccountInput,
  SuspendAccountInput,
  UpdateMeInput,
} from './contract.ts';
import {
  checkSignUp,
  type IdentityAttributes,
  identityChanges,
  meView,
  openAccount,
  SignUpRefused,
} from './domain/account.ts';
import { inactivityNotice, noticeDays } from './domain/inactivity-notice.ts';
import {
  type AccountRevocations,
  type AccountStaffAction,
  type AccountStatuses,
  type AccountStore,
  type ActivityOutcome,
  EmailTaken,
  type ExpiringAccount,
  type IdentityDirectory,
  type SignInSwitch,
  type StoredAccount,
} from './ports.ts';

export interface AccountsDeps {
  readonly store: AccountStore;
  readonly identities: IdentityDirectory;
  readonly revocations: AccountRevocations;
  readonly events: EventPublisher;
  readonly mailer: Mailer;
  readonly clock: Clock;
  /** The CGU version in force (CGU_VERSION). */
  readonly cguVersion: string;
  /** Where the inactivity notice sends people to sign in. */
  readonly signInUrl: string;
}

// ---------------------------------------------------------------- Cognito triggers

/**
 * PreSignUp: a self-service sign-up must accept the CGU in force and name its account type.
 * Staff are created by administrators (AdminCreateUser) and accept no CGU as users; federated
 * sign-in is not offered, so an external provider is refused.
 */
export function preSignUp(
  deps: Pick<AccountsDeps, 'cguVersion'>,
  /** Cognito's triggerSource: PreSignUp_SignUp, PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider. */
  source: string,
  attributes: IdentityAttributes,
) {
  if (source === 'PreSignUp_AdminCreateUser') return;
  if (source !== 'PreSignUp_SignUp') throw new SignUpRefused('Only sign-up with an email address is offered.');
  checkSignUp(attributes, deps.cguVersion);
}

export type ConfirmationOutcome = 'opened' | 'already-open' | 'ignored';

/**
 * PostConfirmation after ConfirmSignUp: opens the account item and puts the person in the group
 * of their account type. Both steps are idempotent, so a retried trigger changes nothing. A
 * confirmed password reset (PostConfirmation_ConfirmForgotPassword) opens nothing.
 */
export async function confirmSignUp(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'clock'>,
  source: string,
  accountId: string,
  attributes: IdentityAttributes,
): Promise<ConfirmationOutcome> {
  if (source !== 'PostConfirmation_ConfirmSignUp') return 'ignored';
  const now = deps.clock.now();
  const account = openAccount({ accountId, attributes }, now);
  const outcome = await deps.store.open(account, now);
  await deps.identities.addToGroup(accountId, account.type);
  return outcome;
}

// ---------------------------------------------------------------- /me

/**
 * The account item, refused when deleted (410). The guard refuses a deleted account's token on
 * every route (shared/http/guards.ts) within 30 s; this answers the same meanwhile.
 */
function liveAccount(stored: StoredAccount | undefined) {
  if (stored?.kind === 'deleted') throw accountDeleted();
  return stored?.account;
}

async function identityOf(deps: Pick<AccountsDeps, 'identities'>, accountId: string) {
  const identity = await deps.identities.get(accountId);
  if (!identity) throw new HttpProblem(404, 'No such account', 'No account matches this sign-in');
  return identity;
}

export async function getMe(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'clock' | 'cguVersion'>,
  caller: Caller,
): Promise<Me> {
  const [stored, identity] = await Promise.all([
    deps.store.get(caller.userId, deps.clock.now()),
    identityOf(deps, caller.userId),
  ]);
  return meView(identity, caller.roles, liveAccount(stored), deps.cguVersion);
}

/**
 * Rectification in Cognito, the one home of identity. An email change is sent with
 * email_verified=false: Cognito mails a code to the new address, and (keepOriginal) signs the
 * person in with the old one until the code is confirmed.
 */
export async function updateMe(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'clock' | 'cguVersion'>,
  caller: Caller,
  input: UpdateMeInput,
): Promise<Me> {
  const account = liveAccount(await deps.store.get(caller.userId, deps.clock.now()));
  if (account?.status === 'suspended') {
    // The guard refuses a suspended account's token on every route within 30 s of the suspension
    // (shared/http/guards.ts); until then a change is refused here. Rectification goes through support.
    throw accountSuspended();
  }
  const identity = await identityOf(deps, caller.userId);
  const changes = identityChanges(input, identity.attributes);
  try {
    await deps.identities.update(caller.userId, changes);
  } catch (error) {
    if (error instanceof EmailTaken) {
      throw new HttpProblem(409, 'Email unavailable', 'This email address cannot be used for this account');
    }
    throw error;
  }
  const updated = await identityOf(deps, caller.userId);
  return {
    ...meView(updated, caller.roles, account, deps.cguVersion),
    ...(changes.set.email !== undefined ? { emailVerificationPending: true } : {}),
  };
}

/**
 * DELETE /me. In this order, each step idempotent, so that a failed call can be repeated:
 * 1. the account item becomes a deleted account, kept 6 months from the request (a repeat keeps
 *    the first request's date);
 * 2. AccountDeletionRequested, for the booking context to cancel future appointments (if the bus
 *    refuses, a 503: the person is still able to sign in and retry);
 * 3. the Cognito user is signed out everywhere (its refresh tokens die), then disabled: no more
 *    sign-in;
 * 4. the account's tokens are revoked: every signed-in route answers 410 to the token the person
 *    holds (and to any other issued before). Last, because it ends the person's ability to retry.
 */
export async function deleteMe(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'revocations' | 'events' | 'clock'>,
  caller: Caller,
  correlationId: string,
) {
  const now = deps.clock.now();
  const outcome = await deps.store.requestDeletion(caller.userId, now);
  if (outcome.kind === 'missing') {
    throw new HttpProblem(409, 'No account to delete', 'Staff accounts are closed by an administrator');
  }
  try {
    await deps.events.publish(AccountDeletionRequested, { accountId: caller.userId }, { correlationId });
  } catch {
    throw new HttpProblem(503, 'Service unavailable', 'The deletion could not be completed; please try again', {
      headers: { 'Retry-After': '30' },
    });
  }
  await deps.identities.signOutEverywhere(caller.userId);
  await deps.identities.disable(caller.userId);
  await deps.revocations.revoke(caller.userId, 'deleted', now);
  return {
    status: 'deletion-requested' as const,
    requestedAt: outcome.requestedAt.toISOString(),
    dataKeptUntil: outcome.keptUntil.toISOString(),
  };
}

// ---------------------------------------------------------------- staff: suspension

export interface StaffActionDeps {
  readonly accounts: AccountStatuses;
  readonly signIn: SignInSwitch;
  readonly revocations: AccountRevocations;
  readonly events: EventPublisher;
  readonly clock: Clock;
}

const transitions = {
  'account-suspended': {
    from: 'active',
    to: 'suspended',
    event: AccountSuspended,
    conflict: 'The account is not active',
    same: 'The account is already suspended',
  },
  'account-reinstated': {
    from: 'suspended',
    to: 'active',
    event: AccountReinstated,
    conflict: 'The account is not suspended',
    same: 'The account is already active',
  },
} as const satisfies Record<
  AccountStaffAction['action'],
  { from: AccountStatus; to: AccountStatus; event: unknown; conflict: string; same: string }
>;

/**
 * The tokens and Cognito follow the account's status. A suspension revokes the account's tokens
 * first (every signed-in route refuses them: the suspension's effect starts there), then signs
 * the user out everywhere (refresh tokens die: a reinstatement does not revive a stolen session)
 * and disables it (no sign-in). A reinstatement enables the user, checks the item afterwards (if
 * a deletion or another suspension came in meanwhile, the user is disabled again: a deleted or
 * suspended account never stays enabled), and only then lifts the revocation, up to `at`: a
 * later suspension's stays.
 */
async function applyStatus(deps: StaffActionDeps, accountId: string, status: 'active' | 'suspended', at: Date) {
  if (status === 'suspended') {
    await deps.revocations.revoke(accountId, 'suspended', at);
    await deps.signIn.signOutEverywhere(accountId);
    await deps.signIn.disable(accountId);
    return;
  }
  await deps.signIn.enable(accountId);
  const current = await deps.accounts.get(accountId, deps.clock.now());
  if (current?.kind !== 'account' || current.account.status !== 'active') {
    await deps.signIn.disable(accountId);
    return;
  }
  await deps.revocations.liftSuspension(accountId, at);
}

/**
 * A staff action on a client's or practitioner's account, in this order:
 * 1. the status change and its audit entry, in one conditional transaction (404 for no account,
 *    409 for an account in deletion or not in the status the action starts from);
 * 2. the tokens and Cognito (`applyStatus`): revocation, global sign-out and AdminDisableUser, or
 *    AdminEnableUser and the revocation lifted;
 * 3. the event (identifiers only); a lost announcement is logged, not failed: the action is done
 *    and audited, and repeating it would only answer 409.
 * If step 2 fails, the request fails; repeating it answers 409 (the status is already the target)
 * after applying step 2 again, which completes the first call.
 */
async function staffAction(
  deps: StaffActionDeps,
  caller: Caller,
  accountId: string,
  kind: AccountStaffAction['action'],
  input: { reason: string; reference?: string | undefined },
  correlationId: string,
): Promise<AccountStatusChange> {
  if (accountId === caller.userId) {
    throw new HttpProblem(403, 'Own account', 'A staff member cannot act on their own account');
  }
  const transition = transitions[kind];
  const now = deps.clock.now();
  const action: AccountStaffAction = {
    actionId: newId('action'),
    action: kind,
    accountId,
    actor: caller.userId,
    reason: input.reason,
    ...(input.reference !== undefined ? { reference: input.reference } : {}),
    at: now,
  };
  const outcome = await deps.accounts.changeStatus({ from: transition.from, to: transition.to, action }, now);
  switch (outcome.kind) {
    case 'missing':
      throw new HttpProblem(404, 'No such account', 'No client or practitioner account has this id');
    case 'deleted':
      throw new HttpProblem(409, 'Account in deletion', 'Its owner asked for its deletion; it can no longer change');
    case 'conflict':
      if (outcome.status === transition.to) {
        await applyStatus(deps, accountId, transition.to, now); // completes a first call that failed after its audit
        throw new HttpProblem(409, 'Nothing to change', transition.same);
      }
      throw new HttpProblem(409, 'Status conflict', transition.conflict);
    case 'changed':
      break;
  }
  await applyStatus(deps, accountId, transition.to, now);
  try {
    await deps.events.publish(transition.event, { accountId, actionId: action.actionId }, { correlationId });
  } catch (error) {
    logger.error('Announcement failed', { what: transition.event.detailType, error: errorFacts(error) });
  }
  return { accountId, status: transition.to, actionId: action.actionId, at: now.toISOString() };
}

/** POST /staff/accounts/{accountId}/suspend: no more sign-in, until a reinstatement. */
export function suspendAccount(
  deps: StaffActionDeps,
  caller: Caller,
  accountId: string,
  input: SuspendAccountInput,
  correlationId: string,
) {
  return staffAction(deps, caller, accountId, 'account-suspended', input, correlationId);
}

/** POST /staff/accounts/{accountId}/reinstate: a suspended account is active again. */
export function reinstateAccount(
  deps: StaffActionDeps,
  caller: Caller,
  accountId: string,
  input: ReinstateAccountInput,
  correlationId: string,
) {
  return staffAction(deps, caller, accountId, 'account-reinstated', input, correlationId);
}

// ---------------------------------------------------------------- activity

/**
 * Every signed-in call announces the caller's activity (at most once a day per Lambda instance):
 * the account's expiry slides to 5 years after it, with at most one write a day per account.
 * An account item missing for a confirmed person (a PostConfirmation that failed: Cognito keeps
 * the user confirmed) is opened here, so that no Cognito user lives on without the item that
 * carries its retention.
 */
export async function recordActivity(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'clock'>,
  accountId: string,
  at: Date,
): Promise<ActivityOutcome | 'opened'> {
  const now = deps.clock.now();
  const outcome = await deps.store.recordActivity(accountId, at, now);
  if (outcome !== 'missing') return outcome;
  const identity = await deps.identities.get(accountId);
  if (!identity?.enabled || identity.status !== 'CONFIRMED') return 'missing';
  let account: ReturnType<typeof openAccount>;
  try {
    account = openAccount(identity, identity.createdAt ?? now);
  } catch {
    return 'missing'; // staff: no account type, no account item
  }
  await deps.store.open(account, now);
  await deps.identities.addToGroup(accountId, account.type);
  return 'opened';
}

// ---------------------------------------------------------------- inactivity notice

export interface NoticeReport {
  sent: number;
  /** Already noticed for this expiry, no longer active, or no address to write to. */
  skipped: number;
  failed: number;
  /** False when the run stopped before its end (time budget); the next run goes on. */
  complete: boolean;
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/**
 * Daily: every active account whose expiry falls in the next 30 days and that was not noticed
 * for that expiry gets the French notice (normally on the 30th day before; a run missed or cut
 * short is caught up by the next). The claim is a conditional write made before the mail, so a
 * notice is never sent twice; a mail that fails is released for the next run.
 */
export async function warnInactiveAccounts(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'mailer' | 'clock' | 'signInUrl'>,
  budget: { exhausted(): boolean } = { exhausted: () => false },
  concurrency = 4,
): Promise<NoticeReport> {
  const report: NoticeReport = { sent: 0, skipped: 0, failed: 0, complete: true };
  const now = deps.clock.now();
  const notice = async (account: ExpiringAccount) => {
    if (budget.exhausted()) {
      report.complete = false;
      return;
    }
    if (!(await deps.store.claimNotice(account, deps.clock.now()))) {
      report.skipped++;
      return;
    }
    const identity = await deps.identities.get(account.accountId);
    const to = identity?.enabled ? identity.attributes.email : undefined;
    if (!to) {
      report.skipped++;
      return;
    }
    try {
      await deps.mailer.send(
        inactivityNotice({
          to,
          ...(identity?.attributes.given_name ? { firstName: identity.attributes.given_name } : {}),
          deletionAt: new Date(account.expiresAt * 1000),
          signInUrl: deps.signInUrl,
        }),
      );
      report.sent++;
    } catch {
      report.failed++;
      await deps.store.releaseNotice(account);
    }
  };
  for (const day of noticeDays(now)) {
    if (budget.exhausted()) {
      report.complete = false;
      break;
    }
    await forEachLimited(await deps.store.expiringOn(day, now), concurrency, notice);
  }
  return report;
}

// ---------------------------------------------------------------- Cognito user removal

/**
 * The account item is gone (purge, TTL or erasure): its Cognito user goes too. A user already
 * deleted is fine (the stream may deliver a record twice).
 */
export function removeIdentity(deps: Pick<AccountsDeps, 'identities'>, accountId: string) {
  return deps.identities.remove(accountId);
}

/**
 * A sign-up never confirmed opens no account, yet Cognito keeps its email, names and phone for
 * ever. Its code lives 24 hours; a week after the sign-up (room to ask for a new code) the user is
 * deleted. Daily, through ListUsers filtered on the status, never a read of every user.
 */
export const UNCONFIRMED_SIGN_UP_DAYS = 7;

export async function removeUnconfirmedSignUps(
  deps: Pick<AccountsDeps, 'identities' | 'clock'>,
  budget: { exhausted(): boolean } = { exhausted: () => false },
) {
  const cutoff = new Date(deps.clock.now().getTime() - UNCONFIRMED_SIGN_UP_DAYS * 24 * 3600 * 1000);
  let removed = 0;
  for await (const page of deps.identities.unconfirmedSince(cutoff)) {
    for (const accountId of page) {
      if (budget.exhausted()) return { removed, complete: false };
      if ((await deps.identities.remove(accountId)) === 'deleted') removed++;
    }
  }
  return { removed, complete: true };
}

// ---------------------------------------------------------------- a recorded death

/**
 * DeathRecorded (ADR 0018): nobody signs in to a deceased person's account any more: signed out
 * everywhere, disabled, its tokens refused. Its data is left to the directives (kept, sent to the
 * designee, or erased by the retention context). A user already gone (erased) is no error.
 */
export async function closeDeceasedAccount(
  deps: Pick<AccountsDeps, 'identities' | 'revocations' | 'clock'>,
  accountId: string,
): Promise<void> {
  await deps.revocations.revoke(accountId, 'deleted', deps.clock.now());
  await deps.identities.signOutEverywhere(accountId);
  await deps.identities.disable(accountId);
}
