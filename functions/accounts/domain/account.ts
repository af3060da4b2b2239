/**
 * The account, pure: what a sign-up must carry, the account a confirmed sign-up opens, the
 * profile a person sees and may rectify. No AWS here; identity attributes are plain records.
 */
import type { Role } from '#shared/http/contract.ts';
import {
  type AccountStatus,
  type AccountType,
  accountTypes,
  type Me,
  signUpAttributes,
  type UpdateMeInput,
} from '../contract.ts';

export interface CguAcceptance {
  readonly version: string;
  readonly acceptedAt: Date;
}

export interface Account {
  /** The Cognito user's sub. */
  readonly accountId: string;
  readonly type: AccountType;
  readonly status: AccountStatus;
  readonly cgu: CguAcceptance;
  readonly createdAt: Date;
  /** The retention expiry (5 years from the last activity), absent while a legal hold stands. */
  readonly retainedUntil?: Date;
  readonly deletionRequestedAt?: Date;
}

/** The identity Cognito holds, as attribute name → value. */
export type IdentityAttributes = Readonly<Record<string, string | undefined>>;

export interface Identity {
  readonly accountId: string;
  readonly attributes: IdentityAttributes;
  readonly enabled: boolean;
  /** Cognito's user status: UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD… */
  readonly status: string;
  readonly createdAt?: Date;
}

/** Why a sign-up is refused; the message reaches the frontend through Cognito, never personal data. */
export class SignUpRefused extends Error {
  override readonly name = 'SignUpRefused';
}

const isAccountType = (value: string | undefined): value is AccountType =>
  (accountTypes as readonly string[]).includes(value ?? '');

/**
 * A self-service sign-up must accept the CGU in force and say which kind of account it opens.
 * The names are required by the pool's schema in AWS; checked here too, so that the local
 * emulator (which does not enforce required attributes) refuses what Cognito would.
 */
export function checkSignUp(attributes: IdentityAttributes, currentCguVersion: string): AccountType {
  const cgu = attributes[signUpAttributes.cguVersion];
  if (cgu !== currentCguVersion) {
    throw new SignUpRefused(
      `The terms of use in force must be accepted: send ${signUpAttributes.cguVersion}=${currentCguVersion}.`,
    );
  }
  const type = attributes[signUpAttributes.accountType];
  if (!isAccountType(type)) {
    throw new SignUpRefused(`Say which account to open: ${signUpAttributes.accountType}=${accountTypes.join('|')}.`);
  }
  for (const required of ['given_name', 'family_name'] as const) {
    if (!attributes[required]?.trim()) throw new SignUpRefused(`${required} is required.`);
  }
  return type;
}

/**
 * The account a confirmed sign-up opens. The CGU version is the immutable attribute PreSignUp
 * checked; the acceptance is dated at the confirmation, when the contract starts (Cognito keeps
 * no trace of the sign-up request itself, and an unconfirmed sign-up opens nothing).
 */
export function openAccount(identity: Pick<Identity, 'accountId' | 'attributes'>, confirmedAt: Date): Account {
  const type = identity.attributes[signUpAttributes.accountType];
  const version = identity.attributes[signUpAttributes.cguVersion];
  if (!isAccountType(type) || !version) {
    throw new Error('The confirmed user carries no account type or CGU version');
  }
  return {
    accountId: identity.accountId,
    type,
    status: 'active',
    cgu: { version, acceptedAt: confirmedAt },
    createdAt: confirmedAt,
  };
}

/** The profile the signed-in person sees: their identity, roles and account. */
export function meView(
  identity: Identity,
  roles: readonly Role[],
  account: Account | undefined,
  currentCguVersion: string,
): Me {
  const a = identity.attributes;
  return {
    accountId: identity.accountId,
    roles: [...roles],
    email: a.email ?? '',
    emailVerified: a.email_verified === 'true',
    ...(a.given_name ? { firstName: a.given_name } : {}),
    ...(a.family_name ? { lastName: a.family_name } : {}),
    ...(a.phone_number ? { phone: a.phone_number } : {}),
    account: account
      ? {
          type: account.type,
          status: account.status,
          cgu: {
            version: account.cgu.version,
            acceptedAt: account.cgu.acceptedAt.toISOString(),
            current: account.cgu.version === currentCguVersion,
          },
          createdAt: account.createdAt.toISOString(),
          ...(account.retainedUntil ? { retainedUntil: account.retainedUntil.toISOString() } : {}),
        }
      : null,
  };
}

export interface IdentityChanges {
  /** Attributes to set (an email change comes with email_verified=false: Cognito sends a code). */
  readonly set: Readonly<Record<string, string>>;
  /** Attributes to remove. */
  readonly remove: readonly string[];
}

/** What a rectification changes in Cognito; an unchanged email is no change. */
export function identityChanges(input: UpdateMeInput, current: IdentityAttributes): IdentityChanges {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  if (input.firstName !== undefined) set.given_name = input.firstName;
  if (input.lastName !== undefined) set.family_name = input.lastName;
  if (input.phone === null) {
    if (current.phone_number) remove.push('phone_number');
  } else if (input.phone !== undefined) set.phone_number = input.phone;
  if (input.email !== undefined && input.email.toLowerCase() !== current.email?.toLowerCase()) {
    set.email = input.email;
    set.email_verified = 'false';
  }
  return { set, remove };
}
