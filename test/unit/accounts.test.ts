/**
 * The accounts use cases and Cognito triggers with plain in-memory fakes: sign-up rules, the
 * account a confirmation opens, the profile and its rectification, deletion (order and
 * idempotence), the activity clock's repair, the inactivity notice (French, never twice).
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { AccountDeletionRequested } from '#events/catalogue.ts';
import type { EventContract } from '#events/envelope.ts';
import type { AccountType } from '#functions/accounts/contract.ts';
import { DEFAULT_CGU_VERSION, signUpAttributes } from '#functions/accounts/contract.ts';
import {
  type Account,
  checkSignUp,
  type Identity,
  identityChanges,
  SignUpRefused,
} from '#functions/accounts/domain/account.ts';
import { frenchDate, inactivityNotice, noticeDays } from '#functions/accounts/domain/inactivity-notice.ts';
import {
  type AccountRevocations,
  type AccountStore,
  type ActivityOutcome,
  EmailTaken,
  type ExpiringAccount,
  type IdentityDirectory,
  type StoredAccount,
} from '#functions/accounts/ports.ts';
import {
  confirmSignUp,
  deleteMe,
  getMe,
  preSignUp,
  recordActivity,
  removeIdentity,
  removeUnconfirmedSignUps,
  updateMe,
  warnInactiveAccounts,
} from '#functions/accounts/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { Mail, Mailer } from '#shared/mail/mail.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import type { RevocationReason } from '#shared/security/revocations.ts';

const CGU = DEFAULT_CGU_VERSION;
const ID = '11111111-2222-4333-8444-555555555555';
const caller: Caller = { userId: ID, roles: ['client'] };

const signUpOf = (overrides: Record<string, string | undefined> = {}) => ({
  sub: ID,
  email: 'zoe@example.test',
  given_name: 'Zoé',
  family_name: 'Martin',
  [signUpAttributes.cguVersion]: CGU,
  [signUpAttributes.accountType]: 'client',
  ...overrides,
});

// ------------------------------------------------------------------ fakes

interface MemoryAccount {
  account: Account;
  entity: 'account' | 'deleted-account';
  expiresAt: number;
  noticeFor?: number;
}

function memoryStore() {
  const items = new Map<string, MemoryAccount>();
  const calls: string[] = [];
  const store: AccountStore = {
    async open(account, now) {
      calls.push('open');
      if (items.has(account.accountId)) return 'already-open';
      items.set(account.accountId, {
        account,
        entity: 'account',
        expiresAt: epochSeconds(addPeriod(now, { years: 5 })),
      });
      return 'opened';
    },
    async get(accountId, now): Promise<StoredAccount | undefined> {
      const item = items.get(accountId);
      if (!item || item.expiresAt <= epochSeconds(now)) return undefined;
      if (item.entity === 'deleted-account') {
        return {
          kind: 'deleted',
          requestedAt: item.account.deletionRequestedAt as Date,
          keptUntil: new Date(item.expiresAt * 1000),
        };
      }
      return { kind: 'account', account: { ...item.account, retainedUntil: new Date(item.expiresAt * 1000) } };
    },
    async requestDeletion(accountId, now) {
      calls.push('requestDeletion');
      const item = items.get(accountId);
      if (!item) return { kind: 'missing' };
      if (item.entity === 'deleted-account') {
        return {
          kind: 'already-requested',
          requestedAt: item.account.deletionRequestedAt as Date,
          keptUntil: new Date(item.expiresAt * 1000),
        };
      }
      item.entity = 'deleted-account';
      item.account = { ...item.account, status: 'deletion-requested', deletionRequestedAt: now };
      item.expiresAt = epochSeconds(addPeriod(now, { months: 6 }));
      return { kind: 'requested', requestedAt: now, keptUntil: new Date(item.expiresAt * 1000) };
    },
    async recordActivity(accountId, at): Promise<ActivityOutcome> {
      const item = items.get(accountId);
      if (!item) return 'missing';
      if (item.entity !== 'account') return 'not-an-account';
      const next = epochSeconds(addPeriod(at, { years: 5 }));
      if (item.expiresAt >= next - 86_400) return 'unchanged';
      item.expiresAt = next;
      return 'moved';
    },
    async expiringOn(day) {
      return [...items.values()]
        .filter((i) => i.entity === 'account' && new Date(i.expiresAt * 1000).toISOString().startsWith(day))
        .map((i) => ({ accountId: i.account.accountId, expiresAt: i.expiresAt }));
    },
    async claimNotice(account: ExpiringAccount) {
      const item = items.get(account.accountId);
      if (item?.entity !== 'account' || item.account.status !== 'active') return false;
      if (item.expiresAt !== account.expiresAt || item.noticeFor === account.expiresAt) return false;
      item.noticeFor = account.expiresAt;
      return true;
    },
    async releaseNotice(account) {
      const item = items.get(account.accountId);
      if (item?.noticeFor === account.expiresAt) delete item.noticeFor;
    },
  };
  return { store, items, calls };
}

function memoryDirectory(users: Identity[] = []) {
  const byId = new Map(users.map((u) => [u.accountId, { ...u, attributes: { ...u.attributes } }]));
  const groups: [string, AccountType][] = [];
  const calls: string[] = [];
  let emailTaken = false;
  const directory: IdentityDirectory = {
    async get(accountId) {
      const user = byId.get(accountId);
      return user ? { ...user, attributes: { ...user.attributes } } : undefined;
    },
    async update(accountId, changes) {
      if (emailTaken && changes.set.email) throw new EmailTaken('taken');
      const user = byId.get(accountId);
      if (!user) throw new Error('UserNotFoundException');
      user.attributes = { ...user.attributes, ...changes.set };
      for (const name of changes.remove) delete (user.attributes as Record<string, string>)[name];
    },
    async disable(accountId) {
      calls.push('disable');
      const user = byId.get(accountId);
      if (user) byId.set(accountId, { ...user, enabled: false });
    },
    async signOutEverywhere() {
      calls.push('signOut');
    },
    async remove(accountId) {
      return byId.delete(accountId) ? 'deleted' : 'absent';
    },
    async addToGroup(accountId, group) {
      groups.push([accountId, group]);
    },
    async *unconfirmedSince(cutoff) {
      yield [...byId.values()]
        .filter((u) => u.status === 'UNCONFIRMED' && u.createdAt !== undefined && u.createdAt < cutoff)
        .map((u) => u.accountId);
    },
  };
  return { directory, byId, groups, calls, takeEmails: () => (emailTaken = true) };
}

const confirmedUser = (attributes: Record<string, string | undefined> = signUpOf(), enabled = true): Identity => ({
  accountId: ID,
  attributes: { ...attributes, email_verified: 'true' },
  enabled,
  status: 'CONFIRMED',
  createdAt: new Date('2026-03-01T08:00:00Z'),
});

function recordingEvents(options: { fail?: boolean; calls?: string[] } = {}) {
  const published: { contract: EventContract; data: unknown }[] = [];
  const events: EventPublisher = {
    async publish(contract, data) {
      options.calls?.push('publish');
      if (options.fail) throw new Error('bus down');
      published.push({ contract, data });
      return 'evt_1';
    },
  };
  return { events, published };
}

function recordingMailer(options: { failFor?: string } = {}) {
  const sent: Mail[] = [];
  const mailer: Mailer = {
    async send(mail) {
      if (options.failFor && mail.to.includes(options.failFor)) throw new Error('SES refused');
      sent.push(mail);
      return { messageId: `m${sent.length}` };
    },
  };
  return { mailer, sent };
}

async function problemOf(promise: Promise<unknown>): Promise<HttpProblem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpProblem);
  return error as HttpProblem;
}

// ------------------------------------------------------------------ tests

describe('sign-up rules (PreSignUp)', () => {
  it('accepts a sign-up with the CGU in force and an account type', () => {
    expect(checkSignUp(signUpOf(), CGU)).toBe('client');
    expect(checkSignUp(signUpOf({ [signUpAttributes.accountType]: 'practitioner' }), CGU)).toBe('practitioner');
    expect(() => preSignUp({ cguVersion: CGU }, 'PreSignUp_SignUp', signUpOf())).not.toThrow();
  });

  it.each([
    ['an older CGU version', { [signUpAttributes.cguVersion]: '2020-01-01' }, /terms of use in force/],
    ['no CGU version', { [signUpAttributes.cguVersion]: undefined }, /terms of use in force/],
    ['no account type', { [signUpAttributes.accountType]: undefined }, /client\|practitioner/],
    ['a staff role as type', { [signUpAttributes.accountType]: 'dpo' }, /client\|practitioner/],
    ['no first name', { given_name: ' ' }, /given_name/],
    ['no last name', { family_name: undefined }, /family_name/],
  ])('refuses %s', (_, overrides, message) => {
    const attempt = () => preSignUp({ cguVersion: CGU }, 'PreSignUp_SignUp', signUpOf(overrides));
    expect(attempt).toThrow(SignUpRefused);
    expect(attempt).toThrow(message);
  });

  it('never names what was sent in its refusal', () => {
    const attempt = () => checkSignUp(signUpOf({ [signUpAttributes.cguVersion]: 'zoe@example.test' }), CGU);
    expect(attempt).toThrow(SignUpRefused);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('zoe@example.test');
    }
  });

  it('lets administrators create staff, refuses federated sign-up', () => {
    expect(() => preSignUp({ cguVersion: CGU }, 'PreSignUp_AdminCreateUser', { email: 's@x.test' })).not.toThrow();
    expect(() => preSignUp({ cguVersion: CGU }, 'PreSignUp_ExternalProvider', signUpOf())).toThrow(SignUpRefused);
  });
});

describe('confirmation (PostConfirmation)', () => {
  it('opens the account with the accepted CGU dated at the confirmation, and adds the person to their group', async () => {
    const { store, items } = memoryStore();
    const { directory, groups } = memoryDirectory();
    const clock = manualClock('2026-03-01T08:05:00Z');
    const outcome = await confirmSignUp(
      { store, identities: directory, clock },
      'PostConfirmation_ConfirmSignUp',
      ID,
      signUpOf({ [signUpAttributes.accountType]: 'practitioner' }),
    );
    expect(outcome).toBe('opened');
    expect(items.get(ID)?.account).toEqual({
      accountId: ID,
      type: 'practitioner',
      status: 'active',
      cgu: { version: CGU, acceptedAt: new Date('2026-03-01T08:05:00Z') },
      createdAt: new Date('2026-03-01T08:05:00Z'),
    });
    expect(groups).toEqual([[ID, 'practitioner']]);
  });

  it('is idempotent (a retried trigger) and ignores a confirmed password reset', async () => {
    const { store, items } = memoryStore();
    const { directory, groups } = memoryDirectory();
    const deps = { store, identities: directory, clock: manualClock('2026-03-01T08:05:00Z') };
    await confirmSignUp(deps, 'PostConfirmation_ConfirmSignUp', ID, signUpOf());
    expect(await confirmSignUp(deps, 'PostConfirmation_ConfirmSignUp', ID, signUpOf())).toBe('already-open');
    expect(await confirmSignUp(deps, 'PostConfirmation_ConfirmForgotPassword', ID, signUpOf())).toBe('ignored');
    expect(items.size).toBe(1);
    expect(groups).toEqual([
      [ID, 'client'],
      [ID, 'client'],
    ]);
  });
});

describe('GET /me and PATCH /me', () => {
  const setup = async () => {
    const { store } = memoryStore();
    const { directory, takeEmails } = memoryDirectory([confirmedUser({ ...signUpOf(), phone_number: '+33612345678' })]);
    const clock = manualClock('2026-03-01T08:05:00Z');
    await confirmSignUp({ store, identities: directory, clock }, 'PostConfirmation_ConfirmSignUp', ID, signUpOf());
    return { deps: { store, identities: directory, clock, cguVersion: CGU }, takeEmails };
  };

  it('shows the identity from Cognito, the roles and the account', async () => {
    const { deps } = await setup();
    expect(await getMe(deps, caller)).toEqual({
      accountId: ID,
      roles: ['client'],
      email: 'zoe@example.test',
      emailVerified: true,
      firstName: 'Zoé',
      lastName: 'Martin',
      phone: '+33612345678',
      account: {
        type: 'client',
        status: 'active',
        cgu: { version: CGU, acceptedAt: '2026-03-01T08:05:00.000Z', current: true },
        createdAt: '2026-03-01T08:05:00.000Z',
        retainedUntil: '2031-03-01T08:05:00.000Z',
      },
    });
    const later = await getMe({ ...deps, cguVersion: '2027-01-01' }, caller);
    expect(later.account?.cgu.current).toBe(false);
  });

  it('shows staff without an account, and answers 404 when Cognito has no such user', async () => {
    const { directory } = memoryDirectory([confirmedUser({ sub: ID, email: 'dpo@example.test' })]);
    const deps = {
      store: memoryStore().store,
      identities: directory,
      clock: manualClock('2026-03-01'),
      cguVersion: CGU,
    };
    expect((await getMe(deps, { userId: ID, roles: ['dpo'] })).account).toBeNull();
    const empty = { ...deps, identities: memoryDirectory().directory };
    expect((await problemOf(getMe(empty, caller))).status).toBe(404);
  });

  it('rectifies names and phone; an email change is sent unverified, so that Cognito mails a code', async () => {
    const { deps } = await setup();
    const renamed = await updateMe(deps, caller, { firstName: 'Zoë', phone: null });
    expect(renamed).toMatchObject({ firstName: 'Zoë', lastName: 'Martin' });
    expect(renamed.phone).toBeUndefined();
    expect(renamed.emailVerificationPending).toBeUndefined();
    const moved = await updateMe(deps, caller, { email: 'zoe.martin@example.test' });
    expect(moved).toMatchObject({
      email: 'zoe.martin@example.test',
      emailVerified: false,
      emailVerificationPending: true,
    });
  });

  it('maps a rectification to Cognito attributes', () => {
    const current = { email: 'zoe@example.test', phone_number: '+33612345678' };
    expect(identityChanges({ email: 'ZOE@example.test' }, current)).toEqual({ set: {}, remove: [] });
    expect(identityChanges({ email: 'new@example.test', lastName: 'Durand' }, current)).toEqual({
      set: { family_name: 'Durand', email: 'new@example.test', email_verified: 'false' },
      remove: [],
    });
    expect(identityChanges({ phone: null }, current)).toEqual({ set: {}, remove: ['phone_number'] });
    expect(identityChanges({ phone: null }, {})).toEqual({ set: {}, remove: [] });
  });

  it('answers 409 for an address another account uses', async () => {
    const { deps, takeEmails } = await setup();
    takeEmails();
    expect((await problemOf(updateMe(deps, caller, { email: 'taken@example.test' }))).status).toBe(409);
  });

  it('answers 410 once the account is deleted', async () => {
    const { deps } = await setup();
    await deps.store.requestDeletion(ID, deps.clock.now());
    expect((await problemOf(getMe(deps, caller))).status).toBe(410);
    expect((await problemOf(updateMe(deps, caller, { firstName: 'X' }))).status).toBe(410);
  });
});

describe('DELETE /me', () => {
  const setup = async (options: { busFails?: boolean } = {}) => {
    const { store, calls } = memoryStore();
    const { directory, byId, calls: directoryCalls } = memoryDirectory([confirmedUser()]);
    const clock = manualClock('2026-03-01T08:05:00Z');
    await confirmSignUp({ store, identities: directory, clock }, 'PostConfirmation_ConfirmSignUp', ID, signUpOf());
    calls.length = 0;
    const order: string[] = [];
    const { events, published } = recordingEvents({ fail: options.busFails, calls: order });
    const tracked: AccountStore = {
      ...store,
      requestDeletion: async (...args) => {
        order.push('requestDeletion');
        return store.requestDeletion(...args);
      },
    };
    const identities: IdentityDirectory = {
      ...directory,
      disable: async (id) => {
        order.push('disable');
        return directory.disable(id);
      },
      signOutEverywhere: async () => {
        order.push('signOut');
      },
    };
    const revoked: [string, RevocationReason, string][] = [];
    const revocations: AccountRevocations = {
      revoke: async (accountId, reason, at) => {
        order.push('revoke');
        revoked.push([accountId, reason, at.toISOString()]);
      },
      liftSuspension: async () => {
        throw new Error('not used');
      },
    };
    clock.set('2026-09-10T12:00:00Z');
    return {
      deps: { store: tracked, identities, revocations, events, clock },
      published,
      byId,
      order,
      revoked,
      directoryCalls,
    };
  };

  it('keeps the data 6 months, announces the deletion, signs the user out and disables it, then revokes its tokens, in that order', async () => {
    const { deps, published, byId, order, revoked } = await setup();
    expect(await deleteMe(deps, caller, 'req-1')).toEqual({
      status: 'deletion-requested',
      requestedAt: '2026-09-10T12:00:00.000Z',
      dataKeptUntil: '2027-03-10T12:00:00.000Z',
    });
    expect(order).toEqual(['requestDeletion', 'publish', 'signOut', 'disable', 'revoke']);
    expect(published).toEqual([{ contract: AccountDeletionRequested, data: { accountId: ID } }]);
    expect(byId.get(ID)?.enabled).toBe(false);
    expect(revoked).toEqual([[ID, 'deleted', '2026-09-10T12:00:00.000Z']]);
  });

  it('can be repeated: the 6 months run from the first request', async () => {
    const { deps } = await setup();
    const first = await deleteMe(deps, caller, 'req-1');
    deps.clock.set('2026-09-10T12:30:00Z');
    expect(await deleteMe(deps, caller, 'req-2')).toEqual(first);
  });

  it('answers 503 when the bus refuses, leaving the person able to sign in and retry', async () => {
    const { deps, byId, order } = await setup({ busFails: true });
    const problem = await problemOf(deleteMe(deps, caller, 'req-1'));
    expect(problem.status).toBe(503);
    expect(problem.headers).toEqual({ 'Retry-After': '30' });
    expect(order).toEqual(['requestDeletion', 'publish']);
    expect(byId.get(ID)?.enabled).toBe(true);
  });

  it('answers 409 for a staff member (no account item)', async () => {
    const { deps } = await setup();
    const staff: Caller = { userId: '99999999-2222-4333-8444-555555555555', roles: ['support'] };
    expect((await problemOf(deleteMe(deps, staff, 'req-1'))).status).toBe(409);
  });
});

describe('activity', () => {
  it('slides the clock, at most once a day', async () => {
    const { store, items } = memoryStore();
    const { directory } = memoryDirectory([confirmedUser()]);
    const clock = manualClock('2026-03-01T08:05:00Z');
    const deps = { store, identities: directory, clock };
    await confirmSignUp(deps, 'PostConfirmation_ConfirmSignUp', ID, signUpOf());
    expect(await recordActivity(deps, ID, new Date('2026-03-01T20:00:00Z'))).toBe('unchanged');
    expect(await recordActivity(deps, ID, new Date('2026-03-03T09:00:00Z'))).toBe('moved');
    expect(items.get(ID)?.expiresAt).toBe(epochSeconds(new Date('2031-03-03T09:00:00Z')));
  });

  it('opens the account of a confirmed person whose PostConfirmation failed', async () => {
    const { store, items } = memoryStore();
    const { directory, groups } = memoryDirectory([confirmedUser()]);
    const deps = { store, identities: directory, clock: manualClock('2026-05-01T00:00:00Z') };
    expect(await recordActivity(deps, ID, new Date('2026-05-01T00:00:00Z'))).toBe('opened');
    expect(items.get(ID)?.account.cgu).toEqual({ version: CGU, acceptedAt: new Date('2026-03-01T08:00:00Z') });
    expect(groups).toEqual([[ID, 'client']]);
  });

  it('opens nothing for staff, a disabled person or an unknown user', async () => {
    const staff = confirmedUser({ sub: ID, email: 'dpo@example.test' });
    for (const users of [[staff], [confirmedUser(signUpOf(), false)], []]) {
      const { store, items } = memoryStore();
      const deps = { store, identities: memoryDirectory(users).directory, clock: manualClock('2026-05-01') };
      expect(await recordActivity(deps, ID, new Date('2026-05-01'))).toBe('missing');
      expect(items.size).toBe(0);
    }
  });
});

describe('inactivity notice', () => {
  it('looks at the 30 days ahead, and writes in French with the date in Paris', () => {
    const days = noticeDays(new Date('2031-01-31T09:00:00Z'));
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2031-02-01');
    expect(days.at(-1)).toBe('2031-03-02');
    expect(frenchDate(new Date('2031-03-01T23:30:00Z'))).toBe('2 mars 2031');
    const mail = inactivityNotice({
      to: 'zoe@example.test',
      firstName: 'Zoé',
      deletionAt: new Date('2031-03-01T08:05:00Z'),
      signInUrl: 'https://www.monprodubienetre.fr/',
    });
    expect(mail.to).toEqual(['zoe@example.test']);
    expect(mail.subject).toBe('Votre compte Mon Pro du Bien-Être sera supprimé le 1 mars 2031');
    expect(mail.text).toContain('Bonjour Zoé,');
    expect(mail.text).toContain('seront supprimés le 1 mars 2031');
    expect(mail.text).toContain('il vous suffit de vous connecter avant cette date');
  });

  const setup = async (failFor?: string) => {
    const { store, items } = memoryStore();
    const other = '22222222-2222-4333-8444-555555555555';
    const { directory } = memoryDirectory([
      confirmedUser(),
      { ...confirmedUser(signUpOf({ sub: other, email: 'leo@example.test', given_name: 'Léo' })), accountId: other },
    ]);
    const clock = manualClock('2026-03-01T08:05:00Z');
    const confirm = { store, identities: directory, clock };
    await confirmSignUp(confirm, 'PostConfirmation_ConfirmSignUp', ID, signUpOf());
    await confirmSignUp(confirm, 'PostConfirmation_ConfirmSignUp', other, signUpOf({ sub: other }));
    const { mailer, sent } = recordingMailer({ failFor });
    clock.set('2031-01-30T09:00:00Z'); // the expiry (2031-03-01) is 30 days ahead
    return {
      deps: { store, identities: directory, mailer, clock, signInUrl: 'https://www.monprodubienetre.fr/' },
      sent,
      items,
      other,
    };
  };

  it('mails every active account expiring within 30 days, once per expiry', async () => {
    const { deps, sent } = await setup();
    expect(await warnInactiveAccounts(deps)).toEqual({ sent: 2, skipped: 0, failed: 0, complete: true });
    expect(sent.map((m) => m.to[0]).sort()).toEqual(['leo@example.test', 'zoe@example.test']);
    deps.clock.set('2031-01-31T09:00:00Z');
    expect(await warnInactiveAccounts(deps)).toEqual({ sent: 0, skipped: 2, failed: 0, complete: true });
    expect(sent).toHaveLength(2);
  });

  it('leaves suspended and deleted accounts alone', async () => {
    const { deps, items, sent, other } = await setup();
    const zoe = items.get(ID) as MemoryAccount;
    zoe.account = { ...zoe.account, status: 'suspended' };
    (items.get(other) as MemoryAccount).entity = 'deleted-account';
    expect(await warnInactiveAccounts(deps)).toMatchObject({ sent: 0, skipped: 1 });
    expect(sent).toEqual([]);
  });

  it('releases a notice whose mail failed, and sends it on the next run', async () => {
    const { deps, sent } = await setup('leo@example.test');
    expect(await warnInactiveAccounts(deps)).toMatchObject({ sent: 1, failed: 1 });
    const retry = recordingMailer();
    expect(await warnInactiveAccounts({ ...deps, mailer: retry.mailer })).toMatchObject({ sent: 1, skipped: 1 });
    expect(retry.sent.map((m) => m.to[0])).toEqual(['leo@example.test']);
    expect(sent).toHaveLength(1);
  });

  it('stops when its time budget is spent, and says so', async () => {
    const { deps, sent } = await setup();
    expect(await warnInactiveAccounts(deps, { exhausted: () => true })).toMatchObject({ sent: 0, complete: false });
    expect(sent).toEqual([]);
  });

  it('a person who signs in again is noticed again only for the new expiry, 5 years later', async () => {
    const { deps, sent } = await setup();
    await warnInactiveAccounts(deps);
    await recordActivity({ ...deps }, ID, deps.clock.now());
    expect(await warnInactiveAccounts(deps)).toMatchObject({ sent: 0 });
    deps.clock.set('2036-01-01T09:00:00Z');
    expect(await warnInactiveAccounts(deps)).toMatchObject({ sent: 1 });
    expect(sent.filter((m) => m.to[0] === 'zoe@example.test')).toHaveLength(2);
  });
});

describe('unconfirmed sign-ups', () => {
  it('go 7 days after the sign-up; confirmed users and recent sign-ups stay', async () => {
    const pending = (id: string, createdAt: string): Identity => ({
      accountId: id,
      attributes: { sub: id, email: `${id}@example.test` },
      enabled: true,
      status: 'UNCONFIRMED',
      createdAt: new Date(createdAt),
    });
    const { directory, byId } = memoryDirectory([
      confirmedUser(),
      pending('old', '2026-03-01T08:00:00Z'),
      pending('recent', '2026-03-06T08:00:00Z'),
    ]);
    const clock = manualClock('2026-03-08T09:00:00Z');
    expect(await removeUnconfirmedSignUps({ identities: directory, clock })).toEqual({ removed: 1, complete: true });
    expect([...byId.keys()].sort()).toEqual([ID, 'recent']);
    expect(await removeUnconfirmedSignUps({ identities: directory, clock }, { exhausted: () => true })).toEqual({
      removed: 0,
      complete: true,
    });
  });
});

describe('Cognito user removal', () => {
  it('deletes the user once; a second delivery finds it absent', async () => {
    const { directory } = memoryDirectory([confirmedUser()]);
    expect(await removeIdentity({ identities: directory }, ID)).toBe('deleted');
    expect(await removeIdentity({ identities: directory }, ID)).toBe('absent');
  });
});

describe('the PreSignUp handler, with the event Cognito sends', () => {
  const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 5000 } as unknown as Context;
  const eventOf = (userAttributes: Record<string, string | undefined>) => ({
    version: '1',
    triggerSource: 'PreSignUp_SignUp',
    region: 'eu-west-3',
    userPoolId: 'eu-west-3_pool',
    userName: ID,
    callerContext: { awsSdkVersion: 'aws-sdk', clientId: 'client' },
    request: { userAttributes },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  });

  it('answers the event unchanged for a valid sign-up, and fails an invalid one', async () => {
    process.env.CGU_VERSION = CGU;
    const { handler } = await import('#functions/accounts/handlers/pre-sign-up.ts');
    const valid = eventOf(signUpOf());
    expect(await handler(valid as never, context)).toEqual(valid);
    await expect(
      handler(eventOf(signUpOf({ [signUpAttributes.cguVersion]: '2020-01-01' })) as never, context),
    ).rejects.toThrow(SignUpRefused);
  });
});
