/**
 * Staff suspension and reinstatement of accounts, with plain in-memory fakes: the status and its
 * audit entry together, the revocation of the account's tokens and Cognito following the status,
 * the events (identifiers only), 404/409/403, a failed step completed by repeating the call, a
 * deletion racing a reinstatement; what the use cases answer a suspended person whose token the
 * guard has not refused yet; the contracts; the audit item as stored; and the register of
 * processing naming the Cognito user pool with the accounts context's own numbers.
 */
import { describe, expect, it } from 'vitest';
import { AccountReinstated, AccountSuspended } from '#events/catalogue.ts';
import type { EventContract } from '#events/envelope.ts';
import { staffActionItem, staffActionsKey } from '#functions/accounts/adapters/account-store.ts';
import {
  AccountIdPath,
  type AccountStatus,
  accountStaff,
  DEFAULT_CGU_VERSION,
  ReinstateAccountInput,
  SuspendAccountInput,
} from '#functions/accounts/contract.ts';
import type { Account, Identity } from '#functions/accounts/domain/account.ts';
import { accountStaffActionEntity } from '#functions/accounts/entities.ts';
import type {
  AccountRevocations,
  AccountStaffAction,
  AccountStatuses,
  AccountStore,
  IdentityDirectory,
  SignInSwitch,
  StoredAccount,
} from '#functions/accounts/ports.ts';
import {
  deleteMe,
  getMe,
  reinstateAccount,
  type StaffActionDeps,
  suspendAccount,
  UNCONFIRMED_SIGN_UP_DAYS,
  updateMe,
} from '#functions/accounts/use-cases.ts';
import { UNCONFIRMED_SIGN_UP_DAYS_STATED } from '#functions/retention/domain/register.ts';
import { registerOfProcessing } from '#functions/retention/register.ts';
import { routes } from '#functions/routes.ts';
import { manualClock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import type { Caller } from '#shared/http/caller.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { addPeriod, epochSeconds } from '#shared/retention/expiry.ts';
import type { RevocationReason } from '#shared/security/revocations.ts';

const CLIENT = '11111111-2222-4333-8444-555555555555';
const SUPPORT = '99999999-8888-4777-8666-555555555555';
const support: Caller = { userId: SUPPORT, roles: ['support'] };
const moderator: Caller = { userId: '77777777-8888-4777-8666-555555555555', roles: ['moderator'] };
const client: Caller = { userId: CLIENT, roles: ['client'] };
const AT = '2026-05-04T09:30:00.000Z';

// ------------------------------------------------------------------ fakes

interface MemoryItem {
  entity: 'account' | 'deleted-account';
  account: Account;
}

/** The account items and the audit entries, as the DynamoDB adapter keeps them: both or neither. */
function memoryAccounts(initial: Record<string, AccountStatus | 'deleted'> = { [CLIENT]: 'active' }) {
  const items = new Map<string, MemoryItem>();
  for (const [accountId, status] of Object.entries(initial)) {
    items.set(accountId, {
      entity: status === 'deleted' ? 'deleted-account' : 'account',
      account: {
        accountId,
        type: 'client',
        status: status === 'deleted' ? 'deletion-requested' : status,
        cgu: { version: DEFAULT_CGU_VERSION, acceptedAt: new Date('2026-01-01T00:00:00Z') },
        createdAt: new Date('2026-01-01T00:00:00Z'),
      },
    });
  }
  const audit: AccountStaffAction[] = [];
  const calls: string[] = [];
  const get = async (accountId: string): Promise<StoredAccount | undefined> => {
    const item = items.get(accountId);
    if (!item) return undefined;
    if (item.entity === 'deleted-account') {
      return { kind: 'deleted', requestedAt: new Date('2026-04-01T00:00:00Z'), keptUntil: undefined };
    }
    return { kind: 'account', account: { ...item.account } };
  };
  const accounts: AccountStatuses = {
    get,
    async changeStatus({ from, to, action }) {
      calls.push('changeStatus');
      const item = items.get(action.accountId);
      if (!item) return { kind: 'missing' };
      if (item.entity === 'deleted-account') return { kind: 'deleted' };
      if (item.account.status !== from) return { kind: 'conflict', status: item.account.status };
      item.account = { ...item.account, status: to };
      audit.push(action);
      return { kind: 'changed' };
    },
  };
  const deleteAccount = (accountId: string) => {
    const item = items.get(accountId)!;
    item.entity = 'deleted-account';
    item.account = { ...item.account, status: 'deletion-requested' };
  };
  return { accounts, items, audit, calls, get, deleteAccount };
}

/** The revocation list as the DynamoDB adapter keeps it: a deletion is final, a lift takes only earlier suspensions. */
function memoryRevocations(calls: string[]) {
  const revoked = new Map<string, { reason: RevocationReason; at: Date }>();
  const revocations: AccountRevocations = {
    async revoke(accountId, reason, at) {
      calls.push(`revoke:${reason}`);
      if (reason === 'suspended' && revoked.get(accountId)?.reason === 'deleted') return;
      revoked.set(accountId, { reason, at });
    },
    async liftSuspension(accountId, upTo) {
      calls.push('lift');
      const current = revoked.get(accountId);
      if (current?.reason === 'suspended' && current.at <= upTo) revoked.delete(accountId);
    },
  };
  return { revocations, revoked };
}

function memorySignIn(calls: string[], options: { failOnce?: 'disable' | 'enable'; onEnable?: () => void } = {}) {
  const disabled = new Set<string>();
  const signedOut = new Set<string>();
  let fail = options.failOnce;
  const signIn: SignInSwitch = {
    async signOutEverywhere(accountId) {
      calls.push('signOut');
      signedOut.add(accountId);
    },
    async disable(accountId) {
      calls.push('disable');
      if (fail === 'disable') {
        fail = undefined;
        throw new Error('Cognito unavailable');
      }
      disabled.add(accountId);
    },
    async enable(accountId) {
      calls.push('enable');
      if (fail === 'enable') {
        fail = undefined;
        throw new Error('Cognito unavailable');
      }
      disabled.delete(accountId);
      options.onEnable?.();
    },
  };
  return { signIn, disabled, signedOut };
}

function recordingEvents(calls: string[], options: { fail?: boolean } = {}) {
  const published: { contract: EventContract; data: unknown; correlationId: string | undefined }[] = [];
  const events: EventPublisher = {
    async publish(contract, data, publishOptions) {
      calls.push('publish');
      if (options.fail) throw new Error('bus down');
      published.push({ contract, data, correlationId: publishOptions?.correlationId });
      return 'evt_1';
    },
  };
  return { events, published };
}

function setup(
  initial?: Record<string, AccountStatus | 'deleted'>,
  options: { failOnce?: 'disable' | 'enable'; busDown?: boolean; onEnable?: () => void } = {},
) {
  const memory = memoryAccounts(initial);
  const { signIn, disabled, signedOut } = memorySignIn(memory.calls, options);
  const { revocations, revoked } = memoryRevocations(memory.calls);
  const { events, published } = recordingEvents(memory.calls, { fail: options.busDown ?? false });
  const clock = manualClock(AT);
  const deps: StaffActionDeps = { accounts: memory.accounts, signIn, revocations, events, clock };
  return { deps, clock, disabled, signedOut, revoked, published, ...memory };
}

async function problemOf(promise: Promise<unknown>): Promise<HttpProblem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpProblem);
  return error as HttpProblem;
}

const reason = 'Harassment of practitioners in messages (report 4512)';

// ------------------------------------------------------------------ suspension

describe('suspending an account', () => {
  it('moves it to suspended with its audit entry, revokes its tokens, signs the user out and disables it, then announces it', async () => {
    const { deps, items, audit, calls, disabled, signedOut, revoked, published } = setup();
    const result = await suspendAccount(deps, support, CLIENT, { reason, reference: 'REP-4512' }, 'req-1');

    expect(calls).toEqual(['changeStatus', 'revoke:suspended', 'signOut', 'disable', 'publish']);
    expect(items.get(CLIENT)?.account.status).toBe('suspended');
    expect(revoked.get(CLIENT)).toEqual({ reason: 'suspended', at: new Date(AT) });
    expect(signedOut.has(CLIENT)).toBe(true);
    expect(disabled.has(CLIENT)).toBe(true);
    expect(audit).toHaveLength(1);
    const entry = audit[0]!;
    expect(entry).toEqual({
      actionId: expect.stringMatching(/^action_[0-9a-f]{32}$/),
      action: 'account-suspended',
      accountId: CLIENT,
      actor: SUPPORT,
      reason,
      reference: 'REP-4512',
      at: new Date(AT),
    });
    expect(published).toEqual([
      { contract: AccountSuspended, data: { accountId: CLIENT, actionId: entry.actionId }, correlationId: 'req-1' },
    ]);
    expect(result).toEqual({ accountId: CLIENT, status: 'suspended', actionId: entry.actionId, at: AT });
  });

  it('is open to moderators too, and records which staff member acted', async () => {
    const { deps, audit } = setup();
    await suspendAccount(deps, moderator, CLIENT, { reason }, 'req-1');
    expect(audit[0]?.actor).toBe(moderator.userId);
    expect(audit[0]).not.toHaveProperty('reference');
  });

  it('answers 404 for an unknown account (or a staff member, who has no account item)', async () => {
    const { deps, calls } = setup();
    const problem = await problemOf(
      suspendAccount(deps, support, '00000000-0000-4000-8000-000000000000', { reason }, 'r'),
    );
    expect(problem.status).toBe(404);
    expect(calls).toEqual(['changeStatus']);
  });

  it('answers 409 for an account in deletion, without touching Cognito or the revocation list', async () => {
    const { deps, calls, audit } = setup({ [CLIENT]: 'deleted' });
    const problem = await problemOf(suspendAccount(deps, support, CLIENT, { reason }, 'r'));
    expect(problem.status).toBe(409);
    expect(problem.title).toBe('Account in deletion');
    expect(calls).toEqual(['changeStatus']);
    expect(audit).toEqual([]);
  });

  it('answers 409 to a second suspension: no second audit entry, no second event', async () => {
    const { deps, audit, published } = setup();
    await suspendAccount(deps, support, CLIENT, { reason }, 'r1');
    const problem = await problemOf(suspendAccount(deps, moderator, CLIENT, { reason }, 'r2'));
    expect(problem.status).toBe(409);
    expect(audit).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('is completed by repeating it when Cognito failed after the audit entry', async () => {
    const { deps, items, audit, calls, disabled, revoked, published } = setup(undefined, { failOnce: 'disable' });
    await expect(suspendAccount(deps, support, CLIENT, { reason }, 'r1')).rejects.toThrow('Cognito unavailable');
    expect(items.get(CLIENT)?.account.status).toBe('suspended'); // audited: the intent is on record
    expect(revoked.has(CLIENT)).toBe(true); // the tokens are refused already
    expect(disabled.has(CLIENT)).toBe(false);

    calls.length = 0;
    const problem = await problemOf(suspendAccount(deps, support, CLIENT, { reason }, 'r2'));
    expect(problem.status).toBe(409);
    expect(calls).toEqual(['changeStatus', 'revoke:suspended', 'signOut', 'disable']);
    expect(disabled.has(CLIENT)).toBe(true);
    expect(audit).toHaveLength(1);
    expect(published).toHaveLength(0);
  });

  it('stays done when the bus refuses the announcement (a repeat would only answer 409)', async () => {
    const { deps, items, disabled } = setup(undefined, { busDown: true });
    const result = await suspendAccount(deps, support, CLIENT, { reason }, 'r1');
    expect(result.status).toBe('suspended');
    expect(items.get(CLIENT)?.account.status).toBe('suspended');
    expect(disabled.has(CLIENT)).toBe(true);
  });

  it('refuses a staff member acting on their own account (403), writing nothing', async () => {
    const { deps, calls } = setup({ [SUPPORT]: 'active' });
    const problem = await problemOf(suspendAccount(deps, support, SUPPORT, { reason }, 'r'));
    expect(problem.status).toBe(403);
    expect(calls).toEqual([]);
  });
});

// ------------------------------------------------------------------ reinstatement

describe('reinstating an account', () => {
  it('moves a suspended account back to active with its audit entry, enables the user, lifts the revocation, announces it', async () => {
    const { deps, items, audit, calls, disabled, revoked, published } = setup();
    await suspendAccount(deps, support, CLIENT, { reason }, 'r1');
    calls.length = 0;
    const result = await reinstateAccount(deps, moderator, CLIENT, { reason: 'Appeal upheld' }, 'r2');

    expect(calls).toEqual(['changeStatus', 'enable', 'lift', 'publish']);
    expect(items.get(CLIENT)?.account.status).toBe('active');
    expect(disabled.has(CLIENT)).toBe(false);
    expect(revoked.has(CLIENT)).toBe(false);
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['account-suspended', SUPPORT],
      ['account-reinstated', moderator.userId],
    ]);
    expect(published.at(-1)).toEqual({
      contract: AccountReinstated,
      data: { accountId: CLIENT, actionId: audit[1]!.actionId },
      correlationId: 'r2',
    });
    expect(result).toEqual({ accountId: CLIENT, status: 'active', actionId: audit[1]!.actionId, at: AT });
  });

  it('answers 409 for an active account and for an account in deletion, 404 for an unknown one', async () => {
    const { deps } = setup({ [CLIENT]: 'active', '22222222-2222-4333-8444-555555555555': 'deleted' });
    expect((await problemOf(reinstateAccount(deps, support, CLIENT, { reason }, 'r'))).status).toBe(409);
    const deleted = await problemOf(
      reinstateAccount(deps, support, '22222222-2222-4333-8444-555555555555', { reason }, 'r'),
    );
    expect([deleted.status, deleted.title]).toEqual([409, 'Account in deletion']);
    const unknown = await problemOf(
      reinstateAccount(deps, support, '00000000-0000-4000-8000-000000000000', { reason }, 'r'),
    );
    expect(unknown.status).toBe(404);
  });

  it('disables the user again, and lifts no revocation, when a deletion came in while it was being enabled', async () => {
    let deleteNow = () => {};
    const ctx = setup({ [CLIENT]: 'suspended' }, { onEnable: () => deleteNow() });
    ctx.disabled.add(CLIENT);
    ctx.revoked.set(CLIENT, { reason: 'suspended', at: new Date('2026-05-01T00:00:00Z') });
    deleteNow = () => {
      ctx.deleteAccount(CLIENT);
      ctx.revoked.set(CLIENT, { reason: 'deleted', at: new Date(AT) });
    };
    await reinstateAccount(ctx.deps, support, CLIENT, { reason }, 'r');
    expect(ctx.calls).toEqual(['changeStatus', 'enable', 'disable', 'publish']);
    expect(ctx.disabled.has(CLIENT)).toBe(true);
    expect(ctx.revoked.get(CLIENT)?.reason).toBe('deleted');
  });

  it('keeps a deletion’s revocation when a suspension races it, and lifts only suspensions up to its own time', async () => {
    const ctx = setup({ [CLIENT]: 'active' });
    ctx.revoked.set(CLIENT, { reason: 'deleted', at: new Date('2026-05-01T00:00:00Z') });
    await suspendAccount(ctx.deps, support, CLIENT, { reason }, 'r1');
    expect(ctx.revoked.get(CLIENT)?.reason).toBe('deleted');

    const later = setup({ [CLIENT]: 'suspended' });
    later.revoked.set(CLIENT, { reason: 'suspended', at: new Date('2026-05-04T09:30:00.001Z') });
    await reinstateAccount(later.deps, support, CLIENT, { reason }, 'r2');
    expect(later.revoked.has(CLIENT)).toBe(true); // written after this reinstatement's time: a new suspension's
  });

  it('is completed by repeating it when Cognito failed after the audit entry', async () => {
    const ctx = setup({ [CLIENT]: 'suspended' }, { failOnce: 'enable' });
    ctx.disabled.add(CLIENT);
    ctx.revoked.set(CLIENT, { reason: 'suspended', at: new Date('2026-05-01T00:00:00Z') });
    await expect(reinstateAccount(ctx.deps, support, CLIENT, { reason }, 'r1')).rejects.toThrow();
    expect(ctx.disabled.has(CLIENT)).toBe(true);
    expect(ctx.revoked.has(CLIENT)).toBe(true); // still refused: the reinstatement is not complete
    expect((await problemOf(reinstateAccount(ctx.deps, support, CLIENT, { reason }, 'r2'))).status).toBe(409);
    expect(ctx.disabled.has(CLIENT)).toBe(false);
    expect(ctx.revoked.has(CLIENT)).toBe(false);
    expect(ctx.audit).toHaveLength(1);
  });
});

// ------------------------------------------------------------------ the suspended person on /me

// The guard refuses a suspended account on every route (test/unit/account-revocations.test.ts);
// an instance that let the account in less than 30 s before the suspension still runs the use
// cases, which answer as follows.
describe('a suspended person on /me, before the guard refuses their token', () => {
  const identity: Identity = {
    accountId: CLIENT,
    attributes: { sub: CLIENT, email: 'zoe@example.test', email_verified: 'true', given_name: 'Zoé' },
    enabled: false,
    status: 'CONFIRMED',
  };
  const notUsed = async () => {
    throw new Error('not used');
  };

  function profileDeps(status: AccountStatus) {
    const memory = memoryAccounts({ [CLIENT]: status });
    const calls: string[] = [];
    const store: AccountStore = {
      get: memory.get,
      open: notUsed,
      recordActivity: notUsed,
      expiringOn: notUsed,
      claimNotice: notUsed,
      releaseNotice: notUsed,
      async requestDeletion(accountId, now) {
        calls.push('requestDeletion');
        memory.deleteAccount(accountId);
        return { kind: 'requested', requestedAt: now, keptUntil: addPeriod(now, { months: 6 }) };
      },
    };
    const identities: IdentityDirectory = {
      get: async () => identity,
      update: async () => {
        calls.push('update');
      },
      disable: async () => {
        calls.push('disable');
      },
      signOutEverywhere: async () => {
        calls.push('signOut');
      },
      remove: notUsed,
      addToGroup: notUsed,
      unconfirmedSince: () => {
        throw new Error('not used');
      },
    };
    const { events } = recordingEvents(calls);
    const { revocations, revoked } = memoryRevocations(calls);
    return {
      deps: { store, identities, revocations, events, clock: manualClock(AT), cguVersion: DEFAULT_CGU_VERSION },
      calls,
      revoked,
    };
  }

  it('still reads their data, and sees the status suspended', async () => {
    const { deps } = profileDeps('suspended');
    const me = await getMe(deps, client);
    expect(me.account?.status).toBe('suspended');
    expect(me.email).toBe('zoe@example.test');
  });

  it('may not change their identity (403; rectification goes through support)', async () => {
    const { deps, calls } = profileDeps('suspended');
    const problem = await problemOf(updateMe(deps, client, { firstName: 'Zoe' }));
    expect(problem.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('may still delete their account: the deletion’s revocation replaces the suspension’s', async () => {
    const { deps, calls, revoked } = profileDeps('suspended');
    revoked.set(CLIENT, { reason: 'suspended', at: new Date('2026-05-01T00:00:00Z') });
    const deletion = await deleteMe(deps, client, 'r');
    expect(deletion.status).toBe('deletion-requested');
    expect(calls).toEqual(['requestDeletion', 'publish', 'signOut', 'disable', 'revoke:deleted']);
    expect(revoked.get(CLIENT)).toEqual({ reason: 'deleted', at: new Date(AT) });
  });
});

// ------------------------------------------------------------------ contracts and the stored audit item

describe('the staff routes’ contracts', () => {
  it('are reserved to support and moderators', () => {
    expect(accountStaff).toEqual({ kind: 'role', roles: ['support', 'moderator'] });
    const staffRoutes = routes.filter((r) => r.path.startsWith('/staff/accounts/'));
    expect(staffRoutes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /staff/accounts/{accountId}/suspend',
      'POST /staff/accounts/{accountId}/reinstate',
    ]);
    for (const route of staffRoutes) expect(route.operation.access).toEqual(accountStaff);
  });

  it('take a strict body: a reason of 1 to 500 characters, a reference on suspension only', () => {
    expect(SuspendAccountInput.parse({ reason: ' Spam ', reference: 'T-1' })).toEqual({
      reason: 'Spam',
      reference: 'T-1',
    });
    for (const bad of [
      {},
      { reason: '' },
      { reason: 'x'.repeat(501) },
      { reason: 'ok', status: 'active' },
      { reason: 'ok', reference: '' },
      { reason: 'Complaint from zoe@example.test' },
      { reason: 'line\nbreak' },
    ]) {
      expect(SuspendAccountInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(SuspendAccountInput.safeParse({ reason: 'x'.repeat(500) }).success).toBe(true);
    expect(ReinstateAccountInput.safeParse({ reason: 'Appeal upheld' }).success).toBe(true);
    expect(ReinstateAccountInput.safeParse({ reason: 'Appeal upheld', reference: 'T-1' }).success).toBe(false);
  });

  it('name the account by its Cognito id only', () => {
    expect(AccountIdPath.safeParse({ accountId: CLIENT }).success).toBe(true);
    expect(AccountIdPath.safeParse({ accountId: 'zoe@example.test' }).success).toBe(false);
  });

  it('announce identifiers only', () => {
    const actionId = 'action_0123456789abcdef0123456789abcdef';
    for (const event of [AccountSuspended, AccountReinstated]) {
      expect(event.data.safeParse({ accountId: CLIENT, actionId }).success).toBe(true);
      expect(event.data.safeParse({ accountId: CLIENT, actionId, reason }).success).toBe(false);
    }
  });
});

describe('the audit entry as stored', () => {
  it('is an account-staff-action of the account’s subject, kept 5 years from the action, outside the account’s partition', () => {
    const at = new Date(AT);
    const item = staffActionItem(
      {
        actionId: 'action_0123456789abcdef0123456789abcdef',
        action: 'account-suspended',
        accountId: CLIENT,
        actor: SUPPORT,
        reason,
        reference: 'REP-4512',
        at,
      },
      at,
    );
    expect(item).toEqual({
      pk: staffActionsKey(CLIENT),
      sk: `${AT}#action_0123456789abcdef0123456789abcdef`,
      entity: accountStaffActionEntity.name,
      subjectKey: `account#${CLIENT}`,
      actionId: 'action_0123456789abcdef0123456789abcdef',
      action: 'account-suspended',
      accountId: CLIENT,
      actor: SUPPORT,
      reason,
      reference: 'REP-4512',
      at: AT,
      retentionPurpose: 'retention-audit',
      expiresAt: epochSeconds(addPeriod(at, { years: 5 })),
      expiryDay: '2031-05-04',
    });
    expect(item.pk.startsWith('ACCOUNT#')).toBe(false);
    expect(accountStaffActionEntity).toMatchObject({ personalData: true, retention: { purpose: 'retention-audit' } });
  });
});

// ------------------------------------------------------------------ the register of processing

describe('the register of processing, for accounts', () => {
  const register = registerOfProcessing();
  const purpose = (id: string) => register.purposes.find((p) => p.id === id)!;

  it('lists the Cognito user pool as storage of the account and account-deletion purposes', () => {
    for (const id of ['account', 'account-deletion']) {
      const cognito = purpose(id).storage.find((s) => s.where.includes('Cognito'));
      expect(cognito, id).toBeDefined();
      for (const word of ['email', 'prénom', 'nom', 'téléphone', 'mot de passe', 'MFA']) {
        expect(cognito?.what, `${id}: ${word}`).toContain(word);
      }
    }
  });

  it('states the deletion of unconfirmed sign-ups with the accounts context’s own number of days', () => {
    expect(UNCONFIRMED_SIGN_UP_DAYS_STATED).toBe(UNCONFIRMED_SIGN_UP_DAYS);
    const cognito = purpose('account').storage.find((s) => s.where.includes('Cognito'));
    expect(cognito?.what).toContain(`supprimé ${UNCONFIRMED_SIGN_UP_DAYS} jours après l’inscription`);
  });

  it('lists the staff actions on accounts under the audit purpose', () => {
    expect(purpose('retention-audit').storage.map((s) => s.entity)).toContain('account-staff-action');
  });
});
