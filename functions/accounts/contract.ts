/**
 * The accounts context's published contract: what frontends send to Cognito at sign-up, the
 * verification email Cognito sends, and the HTTP operations on the signed-in person's own account.
 */
import * as z from 'zod';
import { accountId } from '#events/catalogue.ts';
import { type Access, defineOperation, roles } from '#shared/http/contract.ts';

/**
 * The version of the terms of use (CGU) a sign-up must accept: the date of the policy in force
 * ("Dernière mise à jour : 21/10/2023"). Deployments set it with `-c cguVersion=…`; the local
 * cloud uses this one.
 */
export const DEFAULT_CGU_VERSION = '2023-10-21';
export const cguVersionPattern = /^[A-Za-z0-9._-]{1,32}$/;

export const accountTypes = ['client', 'practitioner'] as const;
export type AccountType = (typeof accountTypes)[number];

export const accountStatuses = ['active', 'suspended', 'deletion-requested'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/**
 * Cognito attributes a sign-up sends besides email, given_name, family_name and phone_number.
 * Both are immutable custom attributes: set once at sign-up, never changed by the person.
 */
export const signUpAttributes = {
  /** The CGU version the person accepted; must be the current one (PreSignUp refuses others). */
  cguVersion: 'custom:cgu_version',
  /** `client` or `practitioner`; PostConfirmation puts the person in that group. */
  accountType: 'custom:account_type',
} as const;

/** The email Cognito sends with a verification code (sign-up, email change); `{####}` is the code. */
export const verificationEmail = {
  subject: 'Mon Pro du Bien-Être : votre code de vérification',
  // One paragraph: Cognito sends it as an HTML body, where line breaks would be lost.
  body: 'Votre code de vérification Mon Pro du Bien-Être est {####}. Il expire dans 24 heures. Si vous n’êtes pas à l’origine de cette demande, ignorez ce message.',
} as const;

const signedIn: Access = { kind: 'authenticated' };

/**
 * No control character (Unicode Cc: U+0000–U+001F, U+007F–U+009F) and no angle bracket. Written
 * without the `u` flag: the OpenAPI document carries the pattern's source only, which clients
 * compile as an ECMA-262 `u`-mode regex (zod would append the flag to the pattern otherwise).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const plainText = /^[^\u0000-\u001F\u007F-\u009F<>]+$/;

const name = z.string().trim().min(1).max(100).regex(plainText, 'a name without control characters or angle brackets');

/** E.164, as Cognito stores phone numbers: + then 8 to 15 digits. */
const phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{7,14}$/, 'a phone number in international format (+33612345678)');

export const AccountView = z
  .object({
    type: z.enum(accountTypes),
    status: z.enum(accountStatuses),
    cgu: z.object({
      version: z.string(),
      acceptedAt: z.iso.datetime(),
      /** False once a newer version is in force: the frontend asks the person to accept it. */
      current: z.boolean(),
    }),
    createdAt: z.iso.datetime(),
    /** When the account and its data are deleted unless the person signs in again (5 years from the last activity). */
    retainedUntil: z.iso.datetime().optional(),
  })
  .meta({ id: 'AccountView' });

export const Me = z
  .object({
    accountId: z.string(),
    /** The caller's roles (Cognito groups). */
    roles: z.array(z.enum(roles)),
    email: z.string(),
    emailVerified: z.boolean(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    phone: z.string().optional(),
    /** Null for staff, whose accounts are created by administrators. */
    account: AccountView.nullable(),
    /** After an email change: the new address is used once the code sent to it is confirmed. */
    emailVerificationPending: z.boolean().optional(),
  })
  .meta({ id: 'Me', description: 'The signed-in person: identity (from Cognito), roles and account.' });

export type Me = z.infer<typeof Me>;

/**
 * Rectification. Strict: a property a caller may not set (roles, status, type, cgu,
 * email_verified…) is refused with a 400, never ignored.
 */
export const UpdateMeInput = z
  .object({
    firstName: name.optional(),
    lastName: name.optional(),
    /** null removes the phone number. */
    phone: phone.nullable().optional(),
    /** Takes effect once verified with the code Cognito sends to the new address. */
    email: z.email().max(254).optional(),
  })
  .strict()
  .refine((input) => Object.keys(input).length > 0, 'at least one of firstName, lastName, phone, email')
  .meta({ id: 'UpdateMeInput' });

export type UpdateMeInput = z.infer<typeof UpdateMeInput>;

export const AccountDeletion = z
  .object({
    status: z.literal('deletion-requested'),
    requestedAt: z.iso.datetime(),
    /** The account's data is kept until then (6 months), then erased with the Cognito user. */
    dataKeptUntil: z.iso.datetime(),
  })
  .meta({ id: 'AccountDeletion' });

export const getMe = defineOperation({
  operationId: 'getMe',
  summary: 'The signed-in person: identity, roles and account',
  tags: ['accounts'],
  access: signedIn,
  responses: {
    200: { description: 'The profile.', schema: Me },
    404: { description: 'No account matches this sign-in (its Cognito user is gone).' },
    410: { description: 'The account was deleted at its owner’s request.' },
  },
});

export const updateMe = defineOperation({
  operationId: 'updateMe',
  summary: 'Rectify the signed-in person’s identity',
  tags: ['accounts'],
  access: signedIn,
  // Each email change sends a code to an address the caller chooses: a person changes it rarely.
  rateLimit: { perAccount: { requests: 10, windowSeconds: 3600 } },
  recordConnection: true,
  body: UpdateMeInput,
  responses: {
    200: { description: 'The profile after the change.', schema: Me },
    403: { description: 'The account is suspended: its tokens are refused (rectification goes through support).' },
    404: { description: 'No account matches this sign-in (its Cognito user is gone).' },
    409: { description: 'The email address is used by another account (which one is not said).' },
    410: { description: 'The account was deleted at its owner’s request.' },
  },
});

export const deleteMe = defineOperation({
  operationId: 'deleteMe',
  summary: 'Delete the signed-in person’s account',
  tags: ['accounts'],
  access: signedIn,
  rateLimit: { perAccount: { requests: 5, windowSeconds: 3600 } },
  recordConnection: true,
  responses: {
    202: {
      description:
        'The account is disabled at once (no more sign-in), its data is kept 6 months then erased; future appointments are cancelled.',
      schema: AccountDeletion,
    },
    409: { description: 'No account to delete: staff accounts are closed by an administrator.' },
    503: { description: 'The deletion could not be completed: the account is still usable, retry after Retry-After.' },
  },
});

// ---------------------------------------------------------------- staff: suspension

/**
 * Who may suspend and reinstate an account: support (complaints, fraud, payment disputes) and
 * moderators (abusive reviews, reports). Never the DPO (who controls processing and must not run
 * it, GDPR art. 38(6)), never a client or practitioner, never an automated job (issue 4: no
 * automated decision beyond temporary throttling).
 */
export const accountStaff: Access = { kind: 'role', roles: ['support', 'moderator'] };

/**
 * Whether the text holds something shaped like an email address (`a@b.c` within a word), in one
 * pass: the regex it replaces (`[^\s@]+@[^\s@]+\.[^\s@]+`, unanchored) took time growing with the
 * square of the text's length.
 */
export function containsEmailAddress(text: string): boolean {
  for (const word of text.split(/\s+/)) {
    const parts = word.split('@');
    for (let i = 1; i < parts.length; i++) {
      // Something before the @, and a dot with something on each side after it.
      if (parts[i - 1] !== '' && parts[i]!.slice(1, -1).includes('.')) return true;
    }
  }
  return false;
}

/**
 * Free text kept 5 years in the audit: control characters, angle brackets and email addresses are
 * refused. Too long a text stops there (`abort`): the other checks never see it.
 */
const auditText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max, { abort: true })
    .regex(plainText, 'text without control characters or angle brackets')
    .refine((text) => !containsEmailAddress(text), 'no email address: name the account by its id only');

export const AccountIdPath = z.object({ accountId }).strict();

export const SuspendAccountInput = z
  .object({
    /** Why, in the staff member's words: facts and rules, never a person's name or address (kept 5 years). */
    reason: auditText(500),
    /** A ticket, report or case number. */
    reference: auditText(100).optional(),
  })
  .strict()
  .meta({ id: 'SuspendAccountInput' });

export type SuspendAccountInput = z.infer<typeof SuspendAccountInput>;

export const ReinstateAccountInput = z
  .object({ reason: auditText(500) })
  .strict()
  .meta({ id: 'ReinstateAccountInput' });

export type ReinstateAccountInput = z.infer<typeof ReinstateAccountInput>;

export const AccountStatusChange = z
  .object({
    accountId: z.string(),
    status: z.enum(accountStatuses),
    /** The audit entry of the action (identifiers only, kept 5 years). */
    actionId: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AccountStatusChange' });

export type AccountStatusChange = z.infer<typeof AccountStatusChange>;

const staffActionResponses = (conflict: string) => ({
  403: { description: 'Not allowed: reserved to support and moderators, and never on one’s own account.' },
  404: { description: 'No client or practitioner account has this id (staff accounts are managed by administrators).' },
  409: { description: conflict },
});

export const suspendAccount = defineOperation({
  operationId: 'suspendAccount',
  summary: 'Suspend an account (staff): its owner can no longer sign in',
  tags: ['accounts', 'staff'],
  access: accountStaff,
  recordConnection: true,
  pathParameters: AccountIdPath,
  body: SuspendAccountInput,
  responses: {
    200: { description: 'The account is suspended, the action audited.', schema: AccountStatusChange },
    ...staffActionResponses('The account is not active: already suspended, or in deletion.'),
  },
});

export const reinstateAccount = defineOperation({
  operationId: 'reinstateAccount',
  summary: 'Reinstate a suspended account (staff): its owner can sign in again',
  tags: ['accounts', 'staff'],
  access: accountStaff,
  recordConnection: true,
  pathParameters: AccountIdPath,
  body: ReinstateAccountInput,
  responses: {
    200: { description: 'The account is active again, the action audited.', schema: AccountStatusChange },
    ...staffActionResponses('The account is not suspended.'),
  },
});
