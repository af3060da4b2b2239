/** The accounts context's use cases: what the handlers run. */
import { AccountDeletionRequested } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { Me, UpdateMeInput } from './contract.ts';
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
  type AccountStore,
  type ActivityOutcome,
  EmailTaken,
  type ExpiringAccount,
  type IdentityDirectory,
  type StoredAccount,
} from './ports.ts';

export interface AccountsDeps {
  readonly store: AccountStore;
  readonly identities: IdentityDirectory;
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

const gone = () =>
  new HttpProblem(410, 'Account deleted', 'This account was deleted at its owner’s request and can no longer be used');

function liveAccount(stored: StoredAccount | undefined) {
  if (stored?.kind === 'deleted') throw gone();
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
 * 3. the Cognito user is disabled: no more sign-in. Last, because it ends the person's ability to
 *    retry.
 */
export async function deleteMe(
  deps: Pick<AccountsDeps, 'store' | 'identities' | 'events' | 'clock'>,
  caller: Caller,
  correlationId: string,
) {
  const outcome = await deps.store.requestDeletion(caller.userId, deps.clock.now());
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
  await deps.identities.disable(caller.userId);
  return {
    status: 'deletion-requested' as const,
    requestedAt: outcome.requestedAt.toISOString(),
    dataKeptUntil: outcome.keptUntil.toISOString(),
  };
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
