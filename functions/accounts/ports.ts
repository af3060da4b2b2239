/**
 * What the accounts use cases need from the outside world: the account items (DynamoDB, see
 * adapters/account-store.ts), the identity directory (Cognito, adapters/cognito-directory.ts) and
 * the revocation list every signed-in route checks (shared/security/revocations.ts).
 * Unit tests pass plain in-memory fakes.
 */
import type { RevocationWriter } from '#shared/security/revocations.ts';
import type { AccountStatus, AccountType } from './contract.ts';
import type { Account, Identity } from './domain/account.ts';

/** Suspended and deleted accounts' tokens, refused on every signed-in route. */
export type AccountRevocations = RevocationWriter;

export type StoredAccount =
  | { readonly kind: 'account'; readonly account: Account }
  | { readonly kind: 'deleted'; readonly requestedAt: Date; readonly keptUntil: Date | undefined };

export type DeletionOutcome =
  | { readonly kind: 'requested' | 'already-requested'; readonly requestedAt: Date; readonly keptUntil: Date }
  | { readonly kind: 'missing' };

/**
 * - moved: the expiry slid to 5 years after the activity (under a legal hold, the held expiry did);
 * - unchanged: it was already within a day of that (at most one write a day per account);
 * - not-an-account: the item is a deleted account, whose clock does not slide;
 * - expired: the item is past its expiry: activity after the deadline does not revive it;
 * - missing: no item at all.
 */
export type ActivityOutcome = 'moved' | 'moved-under-hold' | 'unchanged' | 'not-an-account' | 'expired' | 'missing';

export interface ExpiringAccount {
  readonly accountId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** A staff action on an account, audited by identifiers only (no name, no email). */
export interface AccountStaffAction {
  /** Opaque id of the audit entry (`action_<hex>`), carried by the event. */
  readonly actionId: string;
  readonly action: 'account-suspended' | 'account-reinstated';
  readonly accountId: string;
  /** The staff member's user id (Cognito sub). */
  readonly actor: string;
  readonly reason: string;
  readonly reference?: string;
  readonly at: Date;
}

/**
 * - changed: the status moved and the audit entry was written, together;
 * - missing: no live account item (unknown id, a staff member, or past its expiry);
 * - deleted: the account is in deletion (its owner asked): no staff action applies;
 * - conflict: the account's status is not the one the action starts from.
 */
export type StatusChangeOutcome =
  | { readonly kind: 'changed' }
  | { readonly kind: 'missing' | 'deleted' }
  | { readonly kind: 'conflict'; readonly status: AccountStatus };

export interface AccountStore {
  /** Creates the account item once; a second call (a retried trigger) finds it open. */
  open(account: Account, now: Date): Promise<'opened' | 'already-open'>;
  /** The live account item, or undefined when there is none or it is past its expiry. */
  get(accountId: string, now: Date): Promise<StoredAccount | undefined>;
  /** Rewrites the account as a deleted account, kept 6 months from `now` (once: a retry changes nothing). */
  requestDeletion(accountId: string, now: Date): Promise<DeletionOutcome>;
  /** Slides the account's expiry to 5 years after `at`. */
  recordActivity(accountId: string, at: Date, now: Date): Promise<ActivityOutcome>;
  /** Active and suspended accounts whose expiry falls on `day` (UTC), through the expiry index. */
  expiringOn(day: string, now: Date): Promise<readonly ExpiringAccount[]>;
  /** Marks the account as noticed for this expiry; false if it is not an active account with that expiry, or was noticed. */
  claimNotice(account: ExpiringAccount, now: Date): Promise<boolean>;
  /** Undoes a claim whose mail could not be sent, so that the next run sends it. */
  releaseNotice(account: ExpiringAccount): Promise<void>;
}

/** What staff actions (suspension, reinstatement) need of the account items. */
export interface AccountStatuses {
  /** The live account item, as AccountStore.get. */
  get(accountId: string, now: Date): Promise<StoredAccount | undefined>;
  /**
   * Moves a live account from `from` to `to` and writes the audit entry of `action`, atomically
   * (both or neither): conditional on the item still being an account with status `from`.
   */
  changeStatus(
    change: { from: AccountStatus; to: AccountStatus; action: AccountStaffAction },
    now: Date,
  ): Promise<StatusChangeOutcome>;
}

/** Cognito refused an email address another account uses. */
export class EmailTaken extends Error {
  override readonly name = 'EmailTaken';
}

export interface IdentityDirectory {
  /** The user, or undefined when Cognito has none. */
  get(accountId: string): Promise<Identity | undefined>;
  /** Sets and removes attributes; throws EmailTaken for an address another user has. */
  update(
    accountId: string,
    changes: { set: Readonly<Record<string, string>>; remove: readonly string[] },
  ): Promise<void>;
  /** No more sign-in (idempotent; a missing user is fine). */
  disable(accountId: string): Promise<void>;
  /** AdminUserGlobalSignOut: the user's refresh tokens no longer work (a missing user is fine). */
  signOutEverywhere(accountId: string): Promise<void>;
  /** Deletes the user (idempotent: a missing user is 'absent'). */
  remove(accountId: string): Promise<'deleted' | 'absent'>;
  addToGroup(accountId: string, group: AccountType): Promise<void>;
  /** Users who signed up before `cutoff` and never confirmed, page by page. */
  unconfirmedSince(cutoff: Date): AsyncIterable<readonly string[]>;
}

/** What staff actions need of the identity directory: whether the person may sign in. */
export interface SignInSwitch {
  /** AdminDisableUser (idempotent; a missing user is fine). */
  disable(accountId: string): Promise<void>;
  /** AdminEnableUser (idempotent; a missing user is fine). */
  enable(accountId: string): Promise<void>;
  /** AdminUserGlobalSignOut: the user's refresh tokens no longer work (a missing user is fine). */
  signOutEverywhere(accountId: string): Promise<void>;
}
