/**
 * Consents and objections (issue 15), pure: the closed catalogue of choices, the defaults of each
 * legal basis, what a change does (stale wording, a repeat, a real change), the change ids that
 * sort by time; the use cases on an in-memory store (404, 409, one log entry per change, the
 * event, concurrent writers); messaging's copy keeping the latest change whatever the order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsentChanged, consentChoices } from '#events/catalogue.ts';
import type { MailAlertStore } from '#functions/messaging/adapters/mail-alert-store.ts';
import { type MailAlertChoice, changeTimeOf as messagingChangeTime } from '#functions/messaging/domain/mail-alerts.ts';
import { recordMailAlertChoice, wantsMailAlerts } from '#functions/messaging/mail-alerts.ts';
import type { ConsentStore } from '#functions/privacy/adapters/consent-store.ts';
import { getMyConsents, putMyConsent } from '#functions/privacy/consents.ts';
import {
  type ConsentChange,
  type ConsentState,
  changeIdAt,
  changeTimeOf,
  choiceCatalogue,
  choices,
  decideChange,
  grantedByDefault,
  HISTORY_LIMIT,
  isConsentChoice,
  viewsOf,
} from '#functions/privacy/domain/consents.ts';
import { consentChangeEntity, consentStateEntity } from '#functions/privacy/entities.ts';
import { manualClock } from '#shared/clock.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';

const T0 = new Date('2027-03-01T09:00:00.000Z');
const hex = (n: number) => n.toString(16).padStart(20, '0');

const NEWSLETTER_WORDING = choiceCatalogue.newsletter.wordingVersion;
describe('the catalogue of choices', () => {
  it('is closed: the ids the event names, each with its basis, French wording and a dated version', () => {
    expect(choices.map((c) => c.id)).toEqual([...consentChoices]);
    expect(choiceCatalogue.newsletter.legalBasis).toBe('consent');
    expect(choiceCatalogue['message-mail-alerts'].legalBasis).toBe('legitimate-interest');
    for (const choice of choices) {
      expect(choice.wordingVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(choice.wording.length).toBeGreaterThan(50);
    }
    // The newsletter starts at the confirmation of the double opt-in mail: its wording says so.
    expect(choiceCatalogue.newsletter.wording).toContain('confirmer mon adresse');
    expect(choiceCatalogue['message-mail-alerts'].wording).toContain('vous y opposer');
    expect(isConsentChoice('newsletter')).toBe(true);
    expect(isConsentChoice('marketing')).toBe(false);
  });

  it('defaults: consent not given, legitimate interest in effect until objected', () => {
    expect(grantedByDefault('consent')).toBe(false);
    expect(grantedByDefault('legitimate-interest')).toBe(true);
    expect(viewsOf({})).toEqual([
      {
        choice: 'newsletter',
        legalBasis: 'consent',
        wording: choiceCatalogue.newsletter.wording,
        wordingVersion: NEWSLETTER_WORDING,
        granted: false,
      },
      {
        choice: 'message-mail-alerts',
        legalBasis: 'legitimate-interest',
        wording: choiceCatalogue['message-mail-alerts'].wording,
        wordingVersion: '2026-12-01',
        granted: true,
      },
    ]);
  });

  it('keeps its proof 5 years from each change, the state with its newest change', () => {
    expect(retentionCatalogue['consent-proof']).toMatchObject({
      legalBases: ['legal-obligation'],
      clockStart: 'action',
      keep: { years: 5 },
      policyText: null,
    });
    expect(consentChangeEntity.retention).toMatchObject({ purpose: 'consent-proof', sliding: false });
    expect(consentStateEntity.retention).toMatchObject({ purpose: 'consent-proof', sliding: true });
    expect(consentChangeEntity.export.part).toBe('consents');
    expect(Object.keys(consentChangeEntity.export.fields).sort()).toEqual(
      ['changeId', 'changedAt', 'choice', 'granted', 'source', 'wordingVersion'].sort(),
    );
  });
});

describe('change ids', () => {
  it('begin with their time, so they sort as the changes were made', () => {
    const id = changeIdAt(T0, hex(7));
    expect(id).toMatch(/^cch_[0-9a-f]{32}$/);
    expect(ConsentChanged.data.shape.changeId.safeParse(id).success).toBe(true);
    expect(changeTimeOf(id)).toEqual(T0);
    expect(messagingChangeTime(id)).toEqual(T0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 44 }),
        fc.integer({ min: 0, max: 2 ** 44 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e9 }),
        (a, b, ra, rb) => {
          fc.pre(a !== b);
          const [x, y] = [changeIdAt(new Date(a), hex(ra)), changeIdAt(new Date(b), hex(rb))];
          expect(x < y).toBe(a < b);
        },
      ),
    );
  });

  it('refuses a tail that is not 20 hex digits', () => {
    expect(() => changeIdAt(T0, 'xyz')).toThrow();
  });
});

describe('a change', () => {
  const id = changeIdAt(T0, hex(1));

  it('is refused on a wording that is not the current one', () => {
    expect(decideChange({}, 'newsletter', { granted: true, wordingVersion: '2020-01-01' }, T0, id)).toEqual({
      kind: 'stale-wording',
      currentVersion: NEWSLETTER_WORDING,
    });
  });

  it('records the choice with its wording version, time and source', () => {
    const decision = decideChange({}, 'newsletter', { granted: true, wordingVersion: NEWSLETTER_WORDING }, T0, id);
    expect(decision).toEqual({
      kind: 'change',
      change: {
        changeId: id,
        choice: 'newsletter',
        granted: true,
        wordingVersion: NEWSLETTER_WORDING,
        changedAt: T0.toISOString(),
        source: 'app',
      },
      state: {
        newsletter: { changeId: id, granted: true, wordingVersion: NEWSLETTER_WORDING, changedAt: T0.toISOString() },
      },
    });
    if (decision.kind !== 'change') return;
    expect(viewsOf(decision.state)[0]).toMatchObject({ granted: true, changedAt: T0.toISOString() });
    // The other choice keeps its default.
    expect(viewsOf(decision.state)[1]).not.toHaveProperty('changedAt');
  });

  it('records an explicit choice equal to the default; the same choice again is no change', () => {
    const first = decideChange({}, 'message-mail-alerts', { granted: true, wordingVersion: '2026-12-01' }, T0, id);
    expect(first.kind).toBe('change');
    if (first.kind !== 'change') return;
    const again = decideChange(
      first.state,
      'message-mail-alerts',
      { granted: true, wordingVersion: '2026-12-01' },
      T0,
      changeIdAt(T0, hex(2)),
    );
    expect(again).toEqual({ kind: 'unchanged', recorded: first.state['message-mail-alerts'] });
    const objection = decideChange(
      first.state,
      'message-mail-alerts',
      { granted: false, wordingVersion: '2026-12-01' },
      T0,
      changeIdAt(T0, hex(3)),
    );
    expect(objection.kind).toBe('change');
  });
});

/** The store's contract in memory: a versioned state and a log, conditional like DynamoDB's transaction. */
function memoryConsentStore(): ConsentStore & { log: ConsentChange[]; interfere?: () => void } {
  let current: { state: ConsentState; version: number } = { state: {}, version: 0 };
  const log: ConsentChange[] = [];
  const store = {
    log,
    interfere: undefined as (() => void) | undefined,
    async read() {
      return current;
    },
    async history(_accountId: string, limit: number) {
      return [...log].sort((a, b) => (a.changeId < b.changeId ? 1 : -1)).slice(0, limit);
    },
    async record(_accountId: string, change: ConsentChange, state: ConsentState, readVersion: number) {
      store.interfere?.();
      if (current.version !== readVersion) return false;
      current = { state, version: readVersion + 1 };
      log.push(change);
      return true;
    },
    bump() {
      current = { ...current, version: current.version + 1 };
    },
    async slide() {},
  };
  return store;
}

function setUp() {
  const store = memoryConsentStore();
  const clock = manualClock(T0);
  const published: { accountId: string; choice: string; granted: boolean; changeId: string }[] = [];
  let n = 0;
  const deps = {
    store,
    clock,
    events: {
      changed: async (accountId: string, choice: string, granted: boolean, changeId: string) =>
        void published.push({ accountId, choice, granted, changeId }),
    },
    randomHex: () => hex(++n),
  };
  return { store, clock, published, deps };
}

const ACCOUNT = '0b7c2a52-2d1e-4c5f-9a53-6f4f3c1d2e10';
const current = NEWSLETTER_WORDING;
const alerts = choiceCatalogue['message-mail-alerts'].wordingVersion;

describe('the use cases', () => {
  it('shows the defaults, then each change newest first, with its wording version', async () => {
    const t = setUp();
    expect(await getMyConsents(t.deps, ACCOUNT)).toEqual({ items: viewsOf({}), history: [] });
    await putMyConsent(t.deps, ACCOUNT, 'newsletter', { granted: true, wordingVersion: current });
    t.clock.advance(60_000);
    const withdrawn = await putMyConsent(t.deps, ACCOUNT, 'newsletter', { granted: false, wordingVersion: current });
    expect(withdrawn).toMatchObject({ choice: 'newsletter', granted: false });
    const mine = await getMyConsents(t.deps, ACCOUNT);
    expect(mine.history).toEqual([
      {
        choice: 'newsletter',
        granted: false,
        wordingVersion: current,
        changedAt: new Date(T0.getTime() + 60_000).toISOString(),
        source: 'app',
      },
      { choice: 'newsletter', granted: true, wordingVersion: current, changedAt: T0.toISOString(), source: 'app' },
    ]);
    expect(mine.items[0]).toMatchObject({ granted: false, changedAt: mine.history[0]!.changedAt });
    expect(t.published.map((p) => [p.choice, p.granted])).toEqual([
      ['newsletter', true],
      ['newsletter', false],
    ]);
  });

  it('answers 404 for an unknown choice and 409 for a stale wording, recording nothing', async () => {
    const t = setUp();
    await expect(
      putMyConsent(t.deps, ACCOUNT, 'marketing', { granted: true, wordingVersion: current }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      putMyConsent(t.deps, ACCOUNT, 'newsletter', { granted: true, wordingVersion: '2025-01-01' }),
    ).rejects.toMatchObject({ status: 409, message: 'The wording changed: read it again' });
    expect(t.store.log).toHaveLength(0);
    expect(t.published).toHaveLength(0);
  });

  it('logs a repeat once, but announces it again with the recorded change id (a retry after a failed publish)', async () => {
    const t = setUp();
    await putMyConsent(t.deps, ACCOUNT, 'message-mail-alerts', { granted: false, wordingVersion: alerts });
    t.clock.advance(1000);
    await putMyConsent(t.deps, ACCOUNT, 'message-mail-alerts', { granted: false, wordingVersion: alerts });
    expect(t.store.log).toHaveLength(1);
    expect(t.published).toHaveLength(2);
    expect(t.published[1]).toEqual(t.published[0]);
  });

  it('reads again and applies again when the state changed meanwhile; 409 after 3 attempts', async () => {
    const t = setUp();
    let interferences = 1;
    t.store.interfere = () => {
      if (interferences-- > 0) (t.store as unknown as { bump(): void }).bump();
    };
    await putMyConsent(t.deps, ACCOUNT, 'newsletter', { granted: true, wordingVersion: current });
    expect(t.store.log).toHaveLength(1);
    interferences = 3;
    await expect(
      putMyConsent(t.deps, ACCOUNT, 'newsletter', { granted: false, wordingVersion: current }),
    ).rejects.toMatchObject({ status: 409 });
    expect(t.store.log).toHaveLength(1);
  });

  it('shows at most the last HISTORY_LIMIT changes', async () => {
    const t = setUp();
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      t.clock.advance(1000);
      await putMyConsent(t.deps, ACCOUNT, 'newsletter', { granted: i % 2 === 0, wordingVersion: current });
    }
    const { history } = await getMyConsents(t.deps, ACCOUNT);
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]!.changedAt > history[1]!.changedAt).toBe(true);
  });
});

describe("messaging's copy of the mail choice", () => {
  function memoryAlerts(): MailAlertStore {
    const items = new Map<string, MailAlertChoice>();
    return {
      async record(accountId, choice) {
        const recorded = items.get(accountId);
        if (recorded && recorded.changeId > choice.changeId) return false;
        items.set(accountId, choice);
        return true;
      },
      async slide() {},
      async get(accountId) {
        return items.get(accountId);
      },
    };
  }

  it('keeps the latest change whatever the order of delivery; other choices are not its own', async () => {
    const deps = { alerts: memoryAlerts(), clock: manualClock(T0) };
    const objected = {
      accountId: ACCOUNT,
      choice: 'message-mail-alerts',
      granted: false,
      changeId: changeIdAt(T0, hex(1)),
    };
    const withdrawn = {
      ...objected,
      granted: true,
      changeId: changeIdAt(new Date(T0.getTime() + 1000), hex(2)),
    };
    expect(await wantsMailAlerts(deps, ACCOUNT)).toBe(true);
    expect(await recordMailAlertChoice(deps, withdrawn)).toBe('recorded');
    expect(await recordMailAlertChoice(deps, objected)).toBe('older-than-recorded');
    expect(await wantsMailAlerts(deps, ACCOUNT)).toBe(true);
    expect(
      await recordMailAlertChoice(deps, { ...objected, changeId: changeIdAt(new Date(T0.getTime() + 2000), hex(3)) }),
    ).toBe('recorded');
    expect(await wantsMailAlerts(deps, ACCOUNT)).toBe(false);
    expect(await recordMailAlertChoice(deps, { ...objected, choice: 'newsletter', granted: true })).toBe(
      'not-a-messaging-choice',
    );
    expect(await wantsMailAlerts(deps, ACCOUNT)).toBe(false);
  });
});
