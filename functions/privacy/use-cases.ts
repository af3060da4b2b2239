/**
 * The use cases of the privacy context (ADR 0017): the DPO's register of rights requests received
 * by post or email. What the handlers run, with injected deps.
 */
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { PersonDirectory } from '#shared/identity/people.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import { parisDate } from '#shared/time-zone.ts';
import type { RightsRequestStore } from './adapters/request-store.ts';
import { deadlineMail, extensionMail } from './domain/request-mail.ts';
import {
  type AnswerOutcome,
  answer,
  type Channel,
  checkIdentity,
  deadlineOf,
  extend,
  type IdentityMethod,
  type RightsRequest,
  RightsRequestRefused,
  type RightsRequestType,
  warningDue,
} from './domain/rights-request.ts';

/** What the handlers announce (RightsRequestRecorded, …Closed, …DeadlineNear): identifiers only. */
export interface RightsRequestEvents {
  recorded(requestId: string): Promise<void>;
  closed(requestId: string): Promise<void>;
  deadlineNear(requestId: string, deadline: string, overdue: boolean): Promise<void>;
}

export interface RequestDeps {
  readonly store: RightsRequestStore;
  readonly clock: Clock;
  readonly events: RightsRequestEvents;
}

export interface WarningDeps extends RequestDeps {
  readonly mailer: Mailer;
  /** Where the DPO's warnings go. */
  readonly dpoInbox: string;
}

export interface ExtensionDeps extends RequestDeps {
  readonly mailer: Mailer;
  /** The address of a subject known by account only. */
  readonly people: PersonDirectory;
}

export interface RightsRequestView extends Omit<RightsRequest, 'warned'> {
  readonly state: 'open' | 'answered';
  readonly deadline: string;
  readonly version: number;
}

/** The request as the DPO reads it (which warnings went out is the job's own bookkeeping). */
function viewOf(request: RightsRequest, version: number): RightsRequestView {
  const { warned: _warned, ...shown } = request;
  return { ...shown, state: request.answer ? 'answered' : 'open', deadline: deadlineOf(request), version };
}

const notFound = () => new HttpProblem(404, 'Not found', 'No rights request with this id');
const changedMeanwhile = () => new HttpProblem(409, 'Conflict', 'The request changed meanwhile: read it again');

export async function recordRightsRequest(
  deps: RequestDeps,
  dpoId: string,
  input: {
    type: RightsRequestType;
    channel: Channel;
    receivedOn: string;
    subject: { email: string } | { accountId: string };
  },
): Promise<RightsRequestView> {
  const today = parisDate(deps.clock.now());
  if (input.receivedOn > today) {
    throw new HttpProblem(422, 'Unprocessable', 'A request cannot be received after today', {
      errors: [{ field: 'receivedOn', message: 'after today' }],
    });
  }
  const request: RightsRequest = {
    id: newId('rrq'),
    type: input.type,
    channel: input.channel,
    receivedOn: input.receivedOn,
    subject: input.subject,
    recordedBy: dpoId,
  };
  if (!(await deps.store.create(request, deps.clock.now()))) throw changedMeanwhile();
  await deps.events.recorded(request.id);
  return viewOf(request, 1);
}

export async function getRightsRequest(deps: RequestDeps, id: string): Promise<RightsRequestView> {
  const found = await deps.store.get(id, deps.clock.now());
  if (!found) throw notFound();
  return viewOf(found.value, found.version);
}

export async function listOpenRightsRequests(deps: RequestDeps): Promise<{ items: RightsRequestView[] }> {
  return { items: (await deps.store.open()).map((found) => viewOf(found.value, found.version)) };
}

/** Reads, changes with a pure rule, writes on condition of the version read; a rule's refusal is a 409. */
async function change(
  deps: RequestDeps,
  id: string,
  rule: (request: RightsRequest, today: string) => RightsRequest,
): Promise<{ before: RightsRequest; after: RightsRequest; version: number }> {
  const found = await deps.store.get(id, deps.clock.now());
  if (!found) throw notFound();
  let after: RightsRequest;
  try {
    after = rule(found.value, parisDate(deps.clock.now()));
  } catch (error) {
    if (error instanceof RightsRequestRefused) throw new HttpProblem(409, 'Conflict', error.message);
    throw error;
  }
  if (!(await deps.store.save(after, found.version, deps.clock.now()))) throw changedMeanwhile();
  return { before: found.value, after, version: found.version + 1 };
}

export async function checkRightsRequestIdentity(
  deps: RequestDeps,
  dpoId: string,
  id: string,
  input: { verified: boolean; method: IdentityMethod },
): Promise<RightsRequestView> {
  const { after, version } = await change(deps, id, (r, today) =>
    checkIdentity(r, input.verified, input.method, today, dpoId),
  );
  return viewOf(after, version);
}

/** Extends the deadline and tells the subject, with the reason, at their address (or their account's). */
export async function extendRightsRequest(
  deps: ExtensionDeps,
  dpoId: string,
  id: string,
  input: { months: 1 | 2; reason: string },
): Promise<RightsRequestView> {
  const { after, version } = await change(deps, id, (r, today) => extend(r, input.months, input.reason, today, dpoId));
  const to =
    after.subject.email ??
    (after.subject.accountId ? (await deps.people.identityOf(after.subject.accountId))?.email : undefined);
  if (to) await deps.mailer.send(extensionMail(after, to));
  return viewOf(after, version);
}

export async function answerRightsRequest(
  deps: RequestDeps,
  dpoId: string,
  id: string,
  input: { answeredOn: string; outcome: AnswerOutcome },
): Promise<RightsRequestView> {
  if (input.answeredOn > parisDate(deps.clock.now())) {
    throw new HttpProblem(422, 'Unprocessable', 'An answer cannot be dated after today', {
      errors: [{ field: 'answeredOn', message: 'after today' }],
    });
  }
  const { after, version } = await change(deps, id, (r) => answer(r, input.answeredOn, input.outcome, dpoId));
  await deps.events.closed(id);
  return viewOf(after, version);
}

/**
 * The daily job: the DPO is mailed about each open request due within 7 days, and about each one
 * past its deadline, once per deadline (an extension moves it, and warns again).
 */
export async function warnRightsRequestDeadlines(deps: WarningDeps): Promise<{ near: number; overdue: number }> {
  const now = deps.clock.now();
  const today = parisDate(now);
  let near = 0;
  let overdue = 0;
  for (const listed of await deps.store.open()) {
    // The index may lag: only a request it shows due is read again, consistently, to decide.
    if (!warningDue(listed.value, today)) continue;
    const found = await deps.store.get(listed.value.id, now);
    const warning = found && warningDue(found.value, today);
    if (!found || !warning) continue;
    const deadline = deadlineOf(found.value);
    const warned = { ...found.value, warned: { ...found.value.warned, [warning]: deadline } };
    // Marked first: a concurrent run or a retry never mails twice (a failed mail is not resent).
    if (!(await deps.store.save(warned, found.version, now))) continue;
    await deps.mailer.send(deadlineMail(found.value, deadline, warning, deps.dpoInbox));
    await deps.events.deadlineNear(found.value.id, deadline, warning === 'overdue');
    if (warning === 'near') near++;
    else overdue++;
  }
  return { near, overdue };
}
