/**
 * The use cases of the support context (ADR 0019): a person opens a ticket, lists, reads and
 * answers their own; support lists the queue, reads, assigns, answers and closes; a message report
 * becomes a ticket; the daily clock sends the day-23 notice and closes at day 30; the mails to
 * the opener. What the handlers run, with injected deps. A ticket is its opener's: to any other
 * person it does not exist (404); support reaches every ticket through its own routes.
 */
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { PersonDirectory } from '#shared/identity/people.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { TicketStore } from './adapters/ticket-store.ts';
import { answeredMail, closedMail, closingSoonMail, type Mediator, openedMail } from './domain/mails.ts';
import {
  type AnswerRefusal,
  afterMessage,
  autoCloseAfter,
  clockStep,
  closureOf,
  type MyMessageView,
  type MyTicketView,
  myTicketView,
  newSupportMessageId,
  noticeHorizon,
  type OpenerRole,
  openReport,
  openRequest,
  type ReportTicket,
  type RequestTicket,
  refusalToWrite,
  reportTicketIdFor,
  type StaffMessageView,
  type StaffOutcome,
  type StaffTicketView,
  type SupportCategory,
  sentAtOf,
  staffMessageView,
  staffTicketView,
  type Ticket,
  type TicketCategory,
  type TicketMessage,
  type TicketOutcome,
  type TicketStatus,
  waitingClock,
} from './domain/ticket.ts';

export interface SupportDeps {
  readonly store: TicketStore;
  readonly clock: Clock;
}

const notFound = () => new HttpProblem(404, 'Not found', 'No ticket of yours with this id');
const noTicket = () => new HttpProblem(404, 'Not found', 'No open ticket with this id');

const refusalDetail: Record<AnswerRefusal, string> = {
  'no-opener': 'A message report has nobody to answer: assign it, then close it',
  'thread-full': 'This ticket holds as many messages as it can: close it, or open a new one',
};

/** The caller's side when opening: a practitioner opens as a practitioner. */
export const openerRoleOf = (roles: readonly string[]): OpenerRole =>
  roles.includes('practitioner') ? 'practitioner' : 'client';

export async function openTicket(
  deps: SupportDeps,
  openerId: string,
  roles: readonly string[],
  input: { category: TicketCategory; subject: string; text: string },
): Promise<MyTicketView> {
  const { ticket, first } = openRequest({
    id: newId('tkt'),
    ...input,
    openerId,
    openerRole: openerRoleOf(roles),
    at: deps.clock.now(),
  });
  await deps.store.open(ticket, first);
  return myTicketView(ticket, [first]);
}

export async function listMyTickets(
  deps: SupportDeps,
  openerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: MyTicketView[]; nextCursor?: string }> {
  const found = await deps.store.listOf(openerId, page);
  return {
    items: found.items.map((t) => myTicketView(t)),
    ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
  };
}

/** The ticket if the account opened it; the 404 anyone else gets. */
async function ownTicket(deps: SupportDeps, openerId: string, ticketId: string): Promise<RequestTicket> {
  const ticket = await deps.store.get(ticketId);
  if (ticket?.kind !== 'request' || ticket.openerId !== openerId) throw notFound();
  return ticket;
}

export async function getMyTicket(deps: SupportDeps, openerId: string, ticketId: string): Promise<MyTicketView> {
  const ticket = await ownTicket(deps, openerId, ticketId);
  return myTicketView(ticket, await deps.store.messages(ticketId));
}

/**
 * A message in a ticket: read it, then one transaction (the message, and the ticket's new state
 * on condition that nothing changed since the read); a ticket changed meanwhile is read again.
 */
async function write(
  deps: SupportDeps,
  read: () => Promise<Ticket>,
  from: 'user' | 'support',
  authorId: string,
  text: string,
): Promise<TicketMessage> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ticket = await read();
    const refusal = refusalToWrite(ticket);
    if (refusal) throw new HttpProblem(409, 'Conflict', refusalDetail[refusal]);
    const request = ticket as RequestTicket;
    const now = deps.clock.now();
    const message: TicketMessage = {
      id: newSupportMessageId(now),
      ticketId: ticket.id,
      from,
      authorId,
      sentAt: now,
      text,
    };
    if ((await deps.store.addMessage(request, message, afterMessage(request, from, now))) === 'done') return message;
  }
  throw new HttpProblem(409, 'Conflict', 'The ticket changed meanwhile: try again');
}

export async function answerMyTicket(
  deps: SupportDeps,
  openerId: string,
  ticketId: string,
  text: string,
): Promise<MyMessageView> {
  const message = await write(deps, () => ownTicket(deps, openerId, ticketId), 'user', openerId, text);
  return { id: message.id, from: 'me', sentAt: message.sentAt.toISOString(), text: message.text };
}

// ---------------------------------------------------------------------------------------------
// Support.

export async function listQueue(
  deps: SupportDeps,
  query: { status: TicketStatus; limit: number; cursor?: string | undefined },
): Promise<{ items: StaffTicketView[]; nextCursor?: string }> {
  const found = await deps.store.queue(query.status, query);
  return {
    items: found.items.map((t) => staffTicketView(t)),
    ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
  };
}

async function anyTicket(deps: SupportDeps, ticketId: string): Promise<Ticket> {
  const ticket = await deps.store.get(ticketId);
  if (!ticket) throw noTicket();
  return ticket;
}

export async function getTicket(deps: SupportDeps, ticketId: string): Promise<StaffTicketView> {
  const ticket = await anyTicket(deps, ticketId);
  return staffTicketView(ticket, await deps.store.messages(ticketId));
}

export async function assignTicket(deps: SupportDeps, ticketId: string, assigneeId: string): Promise<StaffTicketView> {
  const assigned = await deps.store.assign(ticketId, assigneeId, deps.clock.now());
  if (!assigned) throw noTicket();
  return staffTicketView(assigned);
}

export async function answerTicket(
  deps: SupportDeps,
  staffId: string,
  ticketId: string,
  text: string,
): Promise<StaffMessageView> {
  return staffMessageView(await write(deps, () => anyTicket(deps, ticketId), 'support', staffId, text));
}

export interface ClosureView {
  readonly ticketId: string;
  readonly category: SupportCategory;
  readonly outcome: TicketOutcome;
  readonly closedAt: string;
}

/** Support closes a ticket: it and its messages are deleted at once; the audit entry and the count remain. */
export async function closeTicket(
  deps: SupportDeps,
  staffId: string,
  ticketId: string,
  outcome: StaffOutcome,
): Promise<ClosureView> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ticket = await anyTicket(deps, ticketId);
    const closure = closureOf(ticket, outcome, deps.clock.now(), staffId);
    const closed = await deps.store.close(ticket, closure, deps.clock.now());
    if (closed === 'gone') throw noTicket();
    if (closed === 'done') {
      return { ticketId, category: ticket.category, outcome, closedAt: closure.closedAt.toISOString() };
    }
  }
  throw new HttpProblem(409, 'Conflict', 'The ticket changed meanwhile: try again');
}

/** MessageReported: a ticket of ids for support (once per report). */
export async function openReportTicket(
  deps: SupportDeps,
  report: ReportTicket['report'],
): Promise<{ ticketId: string; opened: boolean }> {
  const ticketId = reportTicketIdFor(report.reportId);
  const opened = await deps.store.openReport(openReport(ticketId, report, deps.clock.now()));
  return { ticketId, opened };
}

// ---------------------------------------------------------------------------------------------
// The clock of tickets waiting for their opener, and the mails.

export interface MailDeps {
  readonly people: PersonDirectory;
  readonly mailer: Mailer;
}

export interface ClockDeps extends SupportDeps, MailDeps {}

export interface ClockOutcome {
  readonly noticed: number;
  readonly closed: number;
  /** Tickets that changed while the job ran (their opener answered): left for the next run. */
  readonly changed: number;
}

/**
 * Daily: every ticket waiting for its opener since 23 days or more (index `byWaiting`, never a
 * scan) gets its notice once; at 30 days it is closed `no-reply` (TicketClosed mails the opener),
 * unless its opener answered in between (the closure is conditioned on the waiting stretch read).
 */
export async function runTicketClock(deps: ClockDeps): Promise<ClockOutcome> {
  const now = deps.clock.now();
  let noticed = 0;
  let closed = 0;
  let changed = 0;
  for (const ticket of await deps.store.waitingSince(noticeHorizon(now))) {
    const step = clockStep(ticket, now);
    if (step === 'close') {
      const outcome = await deps.store.close(ticket, closureOf(ticket, 'no-reply', now), now);
      if (outcome === 'done') closed++;
      else changed++;
    } else if (step === 'notice') {
      if (!(await deps.store.claimNotice(ticket, now))) {
        changed++;
        continue;
      }
      try {
        const identity = await deps.people.identityOf(ticket.openerId);
        const clock = waitingClock(ticket);
        if (identity?.email && clock) {
          await deps.mailer.send(
            closingSoonMail(identity.email, identity.firstName, { id: ticket.id, autoCloseAt: clock.closeAt }),
          );
        }
        noticed++;
      } catch (error) {
        await deps.store.releaseNotice(ticket);
        throw error;
      }
    }
  }
  return { noticed, closed, changed };
}

export interface OpenerMailDeps extends MailDeps {
  readonly mediator: Mediator;
}

export type OpenerMailOutcome = 'mailed' | 'no-opener' | 'no-address';

async function mailOpener(
  deps: OpenerMailDeps,
  openerId: string | undefined,
  build: (to: string, firstName: string | undefined) => Parameters<Mailer['send']>[0],
): Promise<OpenerMailOutcome> {
  if (!openerId) return 'no-opener';
  const identity = await deps.people.identityOf(openerId);
  if (!identity?.email) return 'no-address';
  await deps.mailer.send(build(identity.email, identity.firstName));
  return 'mailed';
}

export const mailTicketOpened = (
  deps: OpenerMailDeps,
  data: { ticketId: string; category: SupportCategory; openerId?: string | undefined },
) =>
  mailOpener(deps, data.openerId, (to, name) => openedMail(to, name, { id: data.ticketId, category: data.category }));

/** TicketAnswered: the 30 days of the waiting clock run from the answer (its id tells its time). */
export const mailTicketAnswered = (
  deps: OpenerMailDeps,
  data: { ticketId: string; messageId: string; openerId: string },
) =>
  mailOpener(deps, data.openerId, (to, name) =>
    answeredMail(to, name, { id: data.ticketId, autoCloseAt: autoCloseAfter(sentAtOf(data.messageId)) }),
  );

export const mailTicketClosed = (
  deps: OpenerMailDeps,
  data: { ticketId: string; category: SupportCategory; outcome: TicketOutcome; openerId?: string | undefined },
) =>
  mailOpener(deps, data.openerId, (to, name) =>
    closedMail(to, name, { id: data.ticketId, category: data.category, outcome: data.outcome }, deps.mediator),
  );
