/**
 * The use cases of consents and objections (issue 15): a signed-in person reads what rests on
 * their consent or on the platform's legitimate interest, and gives, withdraws or objects; each
 * change is logged with its time and the version of the wording shown. What the handlers run,
 * with injected deps.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { ConsentStore } from './adapters/consent-store.ts';
import {
  type ConsentChange,
  type ConsentChoice,
  type ConsentView,
  changeIdAt,
  decideChange,
  HISTORY_LIMIT,
  isConsentChoice,
  viewOf,
  viewsOf,
} from './domain/consents.ts';

/** What a change announces (ConsentChanged): identifiers and the choice, never a wording or a name. */
export interface ConsentEvents {
  changed(accountId: string, choice: ConsentChoice, granted: boolean, changeId: string): Promise<void>;
}

export interface ConsentDeps {
  readonly store: ConsentStore;
  readonly clock: Clock;
  readonly events: ConsentEvents;
  /** 20 random hex digits (a change id's tail); injected for tests. */
  readonly randomHex?: () => string;
}

export type ConsentHistoryEntry = Omit<ConsentChange, 'changeId'>;

export interface MyConsents {
  readonly items: ConsentView[];
  /** The last changes, newest first, at most HISTORY_LIMIT. */
  readonly history: ConsentHistoryEntry[];
}

const historyEntry = ({ changeId: _id, ...entry }: ConsentChange): ConsentHistoryEntry => entry;

export async function getMyConsents(deps: ConsentDeps, accountId: string): Promise<MyConsents> {
  const now = deps.clock.now();
  const [{ state }, history] = await Promise.all([
    deps.store.read(accountId, now),
    deps.store.history(accountId, HISTORY_LIMIT, now),
  ]);
  return { items: viewsOf(state), history: history.map(historyEntry) };
}

/** Concurrent changes of one person's choices: read again and apply again, a few times. */
const ATTEMPTS = 3;

/**
 * Gives, withdraws, objects or stops objecting: the new state and the change-log entry are
 * written together, then ConsentChanged is published. The same choice on the same wording again
 * logs nothing new but publishes ConsentChanged again with the recorded change id: a retry after
 * a failed publish still reaches the consumers (they keep the latest change id, so a repeat is
 * harmless).
 */
export async function putMyConsent(
  deps: ConsentDeps,
  accountId: string,
  choiceId: string,
  input: { readonly granted: boolean; readonly wordingVersion: string },
): Promise<ConsentView> {
  if (!isConsentChoice(choiceId)) throw new HttpProblem(404, 'Not found', 'No such consent or objection choice');
  const choice = choiceId;
  const random = deps.randomHex ?? (() => randomBytes(10).toString('hex'));
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const { state, version } = await deps.store.read(accountId, now);
    const decision = decideChange(state, choice, input, now, changeIdAt(now, random()));
    if (decision.kind === 'stale-wording') {
      throw new HttpProblem(409, 'Conflict', 'The wording changed: read it again', {
        errors: [{ field: 'wordingVersion', message: `the current version is ${decision.currentVersion}` }],
      });
    }
    if (decision.kind === 'unchanged') {
      await deps.events.changed(accountId, choice, decision.recorded.granted, decision.recorded.changeId);
      return viewOf(state, choice);
    }
    if (await deps.store.record(accountId, decision.change, decision.state, version)) {
      await deps.events.changed(accountId, choice, decision.change.granted, decision.change.changeId);
      return viewOf(decision.state, choice);
    }
  }
  throw new HttpProblem(409, 'Conflict', 'Your choices changed meanwhile: read them again');
}
