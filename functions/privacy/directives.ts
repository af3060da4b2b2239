/**
 * Post-mortem directives and recorded deaths (Loi Informatique et Libertés, art. 85; ADR 0018).
 * A person records, changes or revokes their directive; the DPO records a death (the proof
 * checked, never kept) and the plan runs: DeathRecorded closes the account (accounts context) and,
 * when it erases, the retention context erases everything (legal holds prevail) and announces
 * DirectivesExecuted; a communication is an export mailed to the designee; keeping needs nothing
 * more. Each step is in the death record and the events (identifiers only).
 */
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { AccountResolver } from '#shared/identity/account-resolver.ts';
import type { PersonDirectory } from '#shared/identity/people.ts';
import { newId } from '#shared/ids.ts';
import { subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import { parisDate } from '#shared/time-zone.ts';
import type { ConsentStore } from './adapters/consent-store.ts';
import type { DirectiveStore } from './adapters/directive-store.ts';
import {
  type DeathRecord,
  type DeathReporter,
  type Directive,
  type DirectiveAction,
  DirectiveRefused,
  directiveOf,
  erases,
  planOf,
} from './domain/directives.ts';
import { expectedParts } from './domain/export-document.ts';
import { type ExportDeps, startExport } from './exports.ts';

export interface DeathEvents {
  recorded(deathId: string, accountId: string, erase: boolean): Promise<void>;
  executed(deathId: string, accountId: string, outcome: NonNullable<DeathRecord['outcome']>): Promise<void>;
}

export interface DirectiveDeps {
  readonly directives: DirectiveStore;
  readonly clock: Clock;
  readonly entities: ExportDeps['entities'];
}

export interface DeathDeps extends ExportDeps {
  readonly directives: DirectiveStore;
  readonly deaths: DeathEvents;
  readonly people: PersonDirectory;
  /** The account of an address (proven theirs: verified, or a sign-up never confirmed). */
  readonly accounts: Pick<AccountResolver, 'withEmail'>;
}

export async function getMyDirective(deps: DirectiveDeps, accountId: string): Promise<{ directive?: Directive }> {
  const directive = await deps.directives.directive(accountId, deps.clock.now());
  return directive ? { directive } : {};
}

export async function setMyDirective(
  deps: DirectiveDeps,
  accountId: string,
  input: {
    action: DirectiveAction;
    scope: 'general' | 'specific';
    parts?: string[];
    designee?: { name: string; email: string };
    note?: string;
  },
): Promise<{ directive: Directive }> {
  const now = deps.clock.now();
  let directive: Directive;
  try {
    directive = directiveOf(accountId, input, expectedParts(deps.entities), now);
  } catch (error) {
    if (error instanceof DirectiveRefused) throw new HttpProblem(422, 'Unprocessable', error.message);
    throw error;
  }
  await deps.directives.saveDirective(directive, now);
  return { directive };
}

export async function revokeMyDirective(deps: DirectiveDeps, accountId: string): Promise<void> {
  if (!(await deps.directives.revokeDirective(accountId))) {
    throw new HttpProblem(404, 'Not found', 'No directive to revoke');
  }
}

/**
 * The DPO records a death reported by an heir or the designated person, the proof checked: the
 * directive (or the heirs' rights) gives the plan, announced by DeathRecorded.
 */
export async function recordDeath(
  deps: DeathDeps,
  dpoId: string,
  input: {
    subject: { accountId: string } | { email: string };
    reportedBy: DeathReporter;
    dateOfDeath: string;
    proofChecked: true;
  },
): Promise<DeathRecord> {
  const now = deps.clock.now();
  if (input.dateOfDeath > parisDate(now)) {
    throw new HttpProblem(422, 'Unprocessable', 'A death cannot be dated after today', {
      errors: [{ field: 'dateOfDeath', message: 'after today' }],
    });
  }
  const accountId =
    'accountId' in input.subject ? input.subject.accountId : (await deps.accounts.withEmail(input.subject.email))[0];
  const identity = accountId ? await deps.people.identityOf(accountId) : undefined;
  if (!accountId || !identity) throw new HttpProblem(404, 'Not found', 'No account for this subject');
  const directive = await deps.directives.directive(accountId, now);
  const plan = planOf(directive);
  const record: DeathRecord = {
    deathId: newId('dth'),
    accountId,
    reportedBy: input.reportedBy,
    proofChecked: true,
    dateOfDeath: input.dateOfDeath,
    recordedBy: dpoId,
    recordedAt: now.toISOString(),
    plan,
  };
  if (!(await deps.directives.recordDeath(record, now))) {
    throw new HttpProblem(409, 'Conflict', 'A death is recorded for this account already');
  }
  // The communication is taken before the account closes; an erasure comes after DeathRecorded.
  if (plan === 'communicate' && directive?.designee) {
    await startExport(deps, {
      accountId,
      subjectKeys: [subjectKeyForAccount(accountId), ...(identity.email ? [subjectKeyForEmail(identity.email)] : [])],
      destination: { kind: 'designee', deathId: record.deathId, email: directive.designee.email },
      ...(directive.parts?.length ? { parts: directive.parts } : {}),
    });
  }
  await deps.deaths.recorded(record.deathId, accountId, erases(plan));
  if (plan === 'keep' && (await deps.directives.markExecuted(accountId, 'kept', now))) {
    await deps.deaths.executed(record.deathId, accountId, 'kept');
    return { ...record, executedAt: now.toISOString(), outcome: 'kept' };
  }
  return record;
}

export async function getDeath(deps: DirectiveDeps, accountId: string): Promise<DeathRecord> {
  const death = await deps.directives.death(accountId, deps.clock.now());
  if (!death) throw new HttpProblem(404, 'Not found', 'No death recorded for this account');
  return death;
}

/** DirectivesExecuted from the erasure: the death record notes it (once). */
export async function noteDirectivesExecuted(
  deps: Pick<DirectiveDeps, 'directives' | 'clock'>,
  accountId: string,
  outcome: NonNullable<DeathRecord['outcome']>,
): Promise<boolean> {
  return deps.directives.markExecuted(accountId, outcome, deps.clock.now());
}

/** The person deleted their account: their directive goes with it (nothing is left to direct). */
export async function forgetDirectiveOfDeletedAccount(deps: Pick<DirectiveDeps, 'directives'>, accountId: string) {
  return deps.directives.revokeDirective(accountId);
}

/** The account was active: the directive and the consent choices live as long as the account. */
export async function slideChoices(
  deps: Pick<DirectiveDeps, 'directives' | 'clock'> & { consents: Pick<ConsentStore, 'slide'> },
  accountId: string,
  day: string,
) {
  const activeAt = new Date(`${day}T12:00:00Z`);
  await deps.directives.slideDirective(accountId, activeAt, deps.clock.now());
  await deps.consents.slide(accountId, activeAt, deps.clock.now());
}
