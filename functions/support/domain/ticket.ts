/**
 * Support tickets (ADR 0019), pure: what a ticket is, who may write in it, its states, the clock
 * of a ticket waiting for its opener (a notice at day 23, closed at day 30), the closure's audit
 * entry and what the opener and support see. A ticket lives until its closure, which deletes it
 * with its messages (the policy's rule); only the closure's audit entry (no text) and a count
 * remain.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { messageReportReasons, supportCategories, ticketCategories, ticketOutcomes } from '#events/catalogue.ts';

export type TicketCategory = (typeof ticketCategories)[number];
export type SupportCategory = (typeof supportCategories)[number];
export type TicketOutcome = (typeof ticketOutcomes)[number];
/** What support closes with; `no-reply` is the clock's. */
export type StaffOutcome = Exclude<TicketOutcome, 'no-reply'>;
export const staffOutcomes = ['resolved', 'unresolved'] as const satisfies readonly StaffOutcome[];

/** Whose turn it is: support's (a new ticket, the opener answered) or the opener's (support answered). */
export const ticketStatuses = ['waiting-for-support', 'waiting-for-user'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

export type Author = 'user' | 'support';
export type OpenerRole = 'client' | 'practitioner';

export const TICKET_SUBJECT = { min: 3, max: 120 } as const;
export const TICKET_TEXT = { min: 1, max: 4000 } as const;
/**
 * Messages a ticket may hold (its first included): the closure deletes the ticket and every
 * message in one transaction (100 items at most, with the audit entry and the count).
 */
export const MAX_MESSAGES = 60;
/** A ticket waiting for its opener this many days is announced to close… */
export const NOTICE_AFTER_DAYS = 23;
/** …and is closed (`no-reply`) after this many. */
export const CLOSE_AFTER_DAYS = 30;

const DAY_MS = 86_400_000;

interface TicketBase {
  readonly id: string;
  readonly status: TicketStatus;
  readonly openedAt: Date;
  readonly lastActivityAt: Date;
  /** The support member in charge, and since when. */
  readonly assigneeId?: string;
  readonly assignedAt?: Date;
  readonly messageCount: number;
}

/** A ticket a person opened: their subject line and the thread with support. */
export interface RequestTicket extends TicketBase {
  readonly kind: 'request';
  readonly category: TicketCategory;
  readonly subject: string;
  readonly openerId: string;
  readonly openerRole: OpenerRole;
  /** While waiting for the opener: since when (support's last answer). */
  readonly waitingSince?: Date;
  /** The day-23 notice of this waiting stretch, once sent. */
  readonly noticeSentAt?: Date;
}

/** A message report passed on by the messaging context: identifiers and a reason code, no text, no person. */
export interface ReportTicket extends TicketBase {
  readonly kind: 'message-report';
  readonly category: 'message-report';
  readonly report: {
    readonly reportId: string;
    readonly conversationId: string;
    readonly messageId: string;
    readonly reason: (typeof messageReportReasons)[number];
  };
}

export type Ticket = RequestTicket | ReportTicket;

export interface TicketMessage {
  readonly id: string;
  readonly ticketId: string;
  readonly from: Author;
  /** The opener's account id, or the support member's. */
  readonly authorId: string;
  readonly sentAt: Date;
  readonly text: string;
}

/** A message id begins with its time (12 hex digits of milliseconds): ids sort as messages were written. */
export function newSupportMessageId(at: Date): string {
  return `smg_${at.getTime().toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

/** When a message was written, from its id. */
export const sentAtOf = (messageId: string): Date => new Date(Number.parseInt(messageId.slice(4, 16), 16));

/** The ticket of a message report: its id derives from the report's, so a redelivered event opens none. */
export function reportTicketIdFor(reportId: string): string {
  return `tkt_${createHash('sha256').update(`support-ticket\u0000message-report\u0000${reportId}`).digest('hex').slice(0, 32)}`;
}

/** A new ticket, waiting for support, with its first message. */
export function openRequest(input: {
  id: string;
  category: TicketCategory;
  subject: string;
  text: string;
  openerId: string;
  openerRole: OpenerRole;
  at: Date;
}): { ticket: RequestTicket; first: TicketMessage } {
  const ticket: RequestTicket = {
    kind: 'request',
    id: input.id,
    category: input.category,
    subject: input.subject,
    openerId: input.openerId,
    openerRole: input.openerRole,
    status: 'waiting-for-support',
    openedAt: input.at,
    lastActivityAt: input.at,
    messageCount: 1,
  };
  const first: TicketMessage = {
    id: newSupportMessageId(input.at),
    ticketId: input.id,
    from: 'user',
    authorId: input.openerId,
    sentAt: input.at,
    text: input.text,
  };
  return { ticket, first };
}

export function openReport(id: string, report: ReportTicket['report'], at: Date): ReportTicket {
  return {
    kind: 'message-report',
    id,
    category: 'message-report',
    report,
    status: 'waiting-for-support',
    openedAt: at,
    lastActivityAt: at,
    messageCount: 0,
  };
}

export type AnswerRefusal = 'no-opener' | 'thread-full';

/** Why nobody may write in this ticket now: a message report has nobody to answer; a thread is capped. */
export function refusalToWrite(ticket: Ticket): AnswerRefusal | undefined {
  if (ticket.kind !== 'request') return 'no-opener';
  if (ticket.messageCount >= MAX_MESSAGES) return 'thread-full';
  return undefined;
}

/**
 * The ticket after a message: the opener's makes it support's turn (the waiting clock stops);
 * support's makes it the opener's turn, and the 30 days start again from it.
 */
export function afterMessage(ticket: RequestTicket, from: Author, at: Date): RequestTicket {
  const { waitingSince: _waiting, noticeSentAt: _notice, ...rest } = ticket;
  return {
    ...rest,
    status: from === 'user' ? 'waiting-for-support' : 'waiting-for-user',
    lastActivityAt: at,
    messageCount: ticket.messageCount + 1,
    ...(from === 'support' ? { waitingSince: at } : {}),
  };
}

/** When a ticket that began to wait for its opener at `since` closes without their answer. */
export const autoCloseAfter = (since: Date): Date => new Date(since.getTime() + CLOSE_AFTER_DAYS * DAY_MS);

/** When the day-23 notice is due and when the ticket closes, for a ticket waiting for its opener. */
export function waitingClock(ticket: Ticket): { noticeAt: Date; closeAt: Date } | undefined {
  if (ticket.kind !== 'request' || ticket.status !== 'waiting-for-user' || !ticket.waitingSince) return undefined;
  return {
    noticeAt: new Date(ticket.waitingSince.getTime() + NOTICE_AFTER_DAYS * DAY_MS),
    closeAt: autoCloseAfter(ticket.waitingSince),
  };
}

/** The instant before which a ticket must have begun waiting to be due for the notice (the daily job's index range). */
export const noticeHorizon = (now: Date): Date => new Date(now.getTime() - NOTICE_AFTER_DAYS * DAY_MS);

export type ClockStep = 'close' | 'notice' | 'none';

/** What the daily job does with a ticket now: close it (30 days), send the notice (23 days, once), or nothing. */
export function clockStep(ticket: Ticket, now: Date): ClockStep {
  const clock = waitingClock(ticket);
  if (!clock) return 'none';
  if (now.getTime() >= clock.closeAt.getTime()) return 'close';
  if (now.getTime() >= clock.noticeAt.getTime() && ticket.kind === 'request' && !ticket.noticeSentAt) return 'notice';
  return 'none';
}

/** What remains of a closed ticket: identifiers, times and the outcome; never its subject or a message. */
export interface Closure {
  readonly ticketId: string;
  readonly kind: Ticket['kind'];
  readonly category: SupportCategory;
  readonly outcome: TicketOutcome;
  readonly openedAt: Date;
  readonly closedAt: Date;
  /** The support member who closed it; absent when the clock did (`no-reply`). */
  readonly closedBy?: string;
  readonly assigneeId?: string;
  readonly openerId?: string;
  readonly messageCount: number;
  /** A message report's ids. */
  readonly report?: ReportTicket['report'];
}

export function closureOf(ticket: Ticket, outcome: TicketOutcome, at: Date, closedBy?: string): Closure {
  return {
    ticketId: ticket.id,
    kind: ticket.kind,
    category: ticket.category,
    outcome,
    openedAt: ticket.openedAt,
    closedAt: at,
    ...(closedBy ? { closedBy } : {}),
    ...(ticket.assigneeId ? { assigneeId: ticket.assigneeId } : {}),
    ...(ticket.kind === 'request' ? { openerId: ticket.openerId } : { report: ticket.report }),
    messageCount: ticket.messageCount,
  };
}

/** The month a closure counts in (UTC), `YYYY-MM`. */
export const closureMonth = (at: Date): string => at.toISOString().slice(0, 7);

/** Code de la consommation L612-1 and L616-1: a complaint support could not resolve names the consumer mediator. */
export const namesMediator = (category: SupportCategory, outcome: TicketOutcome): boolean =>
  category === 'complaint' && outcome === 'unresolved';

// ---------------------------------------------------------------------------------------------
// What the opener and support see.

export interface MyMessageView {
  readonly id: string;
  readonly from: 'me' | 'support';
  readonly sentAt: string;
  readonly text: string;
}

export interface MyTicketView {
  readonly id: string;
  readonly category: TicketCategory;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly openedAt: string;
  readonly lastActivityAt: string;
  readonly autoCloseAt?: string;
  readonly messageCount: number;
  readonly canAnswer: boolean;
  readonly messages?: readonly MyMessageView[];
}

const clockView = (ticket: Ticket) => {
  const clock = waitingClock(ticket);
  return clock ? { autoCloseAt: clock.closeAt.toISOString() } : {};
};

export function myTicketView(ticket: RequestTicket, messages?: readonly TicketMessage[]): MyTicketView {
  return {
    id: ticket.id,
    category: ticket.category,
    subject: ticket.subject,
    status: ticket.status,
    openedAt: ticket.openedAt.toISOString(),
    lastActivityAt: ticket.lastActivityAt.toISOString(),
    ...clockView(ticket),
    messageCount: ticket.messageCount,
    canAnswer: refusalToWrite(ticket) === undefined,
    ...(messages
      ? {
          messages: messages.map((m) => ({
            id: m.id,
            from: m.from === 'user' ? ('me' as const) : ('support' as const),
            sentAt: m.sentAt.toISOString(),
            text: m.text,
          })),
        }
      : {}),
  };
}

export interface StaffMessageView {
  readonly id: string;
  readonly from: Author;
  readonly authorId: string;
  readonly sentAt: string;
  readonly text: string;
}

export interface StaffTicketView {
  readonly id: string;
  readonly kind: Ticket['kind'];
  readonly category: SupportCategory;
  readonly subject?: string;
  readonly openerId?: string;
  readonly openerRole?: OpenerRole;
  readonly status: TicketStatus;
  readonly openedAt: string;
  readonly lastActivityAt: string;
  readonly waitingSince?: string;
  readonly noticeSentAt?: string;
  readonly autoCloseAt?: string;
  readonly assigneeId?: string;
  readonly assignedAt?: string;
  readonly messageCount: number;
  readonly report?: ReportTicket['report'];
  readonly messages?: readonly StaffMessageView[];
}

export const staffMessageView = (m: TicketMessage): StaffMessageView => ({
  id: m.id,
  from: m.from,
  authorId: m.authorId,
  sentAt: m.sentAt.toISOString(),
  text: m.text,
});

export function staffTicketView(ticket: Ticket, messages?: readonly TicketMessage[]): StaffTicketView {
  return {
    id: ticket.id,
    kind: ticket.kind,
    category: ticket.category,
    ...(ticket.kind === 'request'
      ? {
          subject: ticket.subject,
          openerId: ticket.openerId,
          openerRole: ticket.openerRole,
          ...(ticket.waitingSince ? { waitingSince: ticket.waitingSince.toISOString() } : {}),
          ...(ticket.noticeSentAt ? { noticeSentAt: ticket.noticeSentAt.toISOString() } : {}),
        }
      : { report: ticket.report }),
    status: ticket.status,
    openedAt: ticket.openedAt.toISOString(),
    lastActivityAt: ticket.lastActivityAt.toISOString(),
    ...clockView(ticket),
    ...(ticket.assigneeId ? { assigneeId: ticket.assigneeId } : {}),
    ...(ticket.assignedAt ? { assignedAt: ticket.assignedAt.toISOString() } : {}),
    messageCount: ticket.messageCount,
    ...(messages ? { messages: messages.map(staffMessageView) } : {}),
  };
}
