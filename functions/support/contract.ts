/**
 * Operations of the support context (ADR 0019): a signed-in person (client or practitioner) opens
 * a ticket (a question, or a complaint about a practitioner), lists, reads and answers their own
 * (anyone else's is a 404); support (Cognito group `support`) lists the queue, reads, assigns,
 * answers and closes. A closure deletes the ticket with its messages at once. Plain text only
 * (never interpreted as HTML: show it as text).
 */
import * as z from 'zod';
import {
  accountId,
  messageReportReasons,
  supportCategories,
  supportMessageId,
  ticketCategories,
  ticketId,
  ticketOutcomes,
} from '#events/catalogue.ts';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { pageOf, pageQueryFields } from '#shared/http/pagination.ts';
import {
  CLOSE_AFTER_DAYS,
  MAX_MESSAGES,
  staffOutcomes,
  TICKET_SUBJECT,
  TICKET_TEXT,
  ticketStatuses,
} from './domain/ticket.ts';

const users = { kind: 'role', roles: ['client', 'practitioner'] } as const satisfies Access;
const supportOnly = { kind: 'role', roles: ['support'] } as const satisfies Access;

/**
 * Lines of text: tabs and line breaks allowed, no other control character. Written without the
 * `u` flag (clients compile the document's patterns in `u` mode).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const lines = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const oneLine = /^[^\u0000-\u001F\u007F-\u009F]+$/;

const text = z
  .string()
  .trim()
  .min(TICKET_TEXT.min)
  .max(TICKET_TEXT.max)
  .regex(lines, 'text without control characters other than tabs and line breaks')
  .transform((value) => value.replace(/\r\n?/g, '\n'))
  .meta({ description: 'Plain text (never interpreted as HTML); line breaks kept.' });

const TicketCategory = z.enum(ticketCategories).meta({
  id: 'SupportTicketCategory',
  description:
    'question, booking, payment, account, privacy, or complaint (a complaint about a practitioner, « réclamation »).',
});
const TicketStatus = z.enum(ticketStatuses).meta({
  id: 'SupportTicketStatus',
  description: 'Whose turn it is: support’s, or the opener’s (support answered).',
});
const autoCloseAt = z.iso
  .datetime()
  .optional()
  .meta({
    description: `While the ticket waits for its opener: when it closes without their answer (${CLOSE_AFTER_DAYS} days after support’s last answer).`,
  });

export const OpenSupportTicketInput = z
  .object({
    category: TicketCategory,
    subject: z
      .string()
      .trim()
      .min(TICKET_SUBJECT.min)
      .max(TICKET_SUBJECT.max)
      .regex(oneLine, 'a subject line without control characters'),
    text,
  })
  .strict()
  .meta({ id: 'OpenSupportTicketInput' });

export const SupportMessageInput = z.object({ text }).strict().meta({ id: 'SupportMessageInput' });

export const MySupportMessage = z
  .object({
    id: supportMessageId,
    from: z.enum(['me', 'support']),
    sentAt: z.iso.datetime(),
    text: z.string().meta({ description: 'Plain text: show it as text, never as HTML.' }),
  })
  .meta({ id: 'MySupportMessage' });

const myTicketFields = {
  id: ticketId,
  category: TicketCategory,
  subject: z.string(),
  status: TicketStatus,
  openedAt: z.iso.datetime(),
  lastActivityAt: z.iso.datetime(),
  autoCloseAt,
  messageCount: z.number().int().min(1).max(MAX_MESSAGES),
  canAnswer: z.boolean().meta({ description: `False once the ticket holds ${MAX_MESSAGES} messages.` }),
};

export const MySupportTicketSummary = z.object(myTicketFields).meta({ id: 'MySupportTicketSummary' });
export const MySupportTicket = z
  .object({ ...myTicketFields, messages: z.array(MySupportMessage).meta({ description: 'Oldest first.' }) })
  .meta({ id: 'MySupportTicket' });

export const StaffSupportMessage = z
  .object({
    id: supportMessageId,
    from: z.enum(['user', 'support']),
    authorId: z.string().meta({ description: 'The opener’s account id, or the support member’s.' }),
    sentAt: z.iso.datetime(),
    text: z.string().meta({ description: 'Plain text: show it as text, never as HTML.' }),
  })
  .meta({ id: 'StaffSupportMessage' });

const staffTicketFields = {
  id: ticketId,
  kind: z.enum(['request', 'message-report']).meta({
    description: 'A person’s ticket, or a message report passed on by messaging (ids only, nobody to answer).',
  }),
  category: z.enum(supportCategories),
  subject: z.string().optional(),
  openerId: accountId.optional(),
  openerRole: z.enum(['client', 'practitioner']).optional(),
  status: TicketStatus,
  openedAt: z.iso.datetime(),
  lastActivityAt: z.iso.datetime(),
  waitingSince: z.iso.datetime().optional(),
  noticeSentAt: z.iso
    .datetime()
    .optional()
    .meta({ description: 'When the opener was told the ticket closes soon without their answer.' }),
  autoCloseAt,
  assigneeId: accountId.optional(),
  assignedAt: z.iso.datetime().optional(),
  messageCount: z.number().int().min(0).max(MAX_MESSAGES),
  report: z
    .object({
      reportId: z.string(),
      conversationId: z.string(),
      messageId: z.string(),
      reason: z.enum(messageReportReasons),
    })
    .optional()
    .meta({ description: 'A message report’s ids and reason code (never the message’s text).' }),
};

export const StaffSupportTicketSummary = z.object(staffTicketFields).meta({ id: 'StaffSupportTicketSummary' });
export const StaffSupportTicket = z
  .object({ ...staffTicketFields, messages: z.array(StaffSupportMessage).meta({ description: 'Oldest first.' }) })
  .meta({ id: 'StaffSupportTicket' });

const TicketPath = z.object({ ticketId }).strict();
const notMine = { description: 'No open ticket of the caller with this id (closed tickets are deleted).' } as const;
const noTicket = { description: 'No open ticket with this id (closed tickets are deleted).' } as const;
const thread = {
  description: `The ticket holds ${MAX_MESSAGES} messages already, or changed meanwhile (try again).`,
} as const;

export const openSupportTicket = defineOperation({
  operationId: 'openSupportTicket',
  summary: 'Open a support ticket or a complaint (its opener gets an acknowledgement by mail, without its text)',
  tags: ['support'],
  access: users,
  rateLimit: { perAccount: { requests: 10, windowSeconds: 86_400 } },
  body: OpenSupportTicketInput,
  responses: { 201: { description: 'The ticket, waiting for support.', schema: MySupportTicket } },
});

export const listMySupportTickets = defineOperation({
  operationId: 'listMySupportTickets',
  summary: 'The caller’s open tickets, newest first (a closed ticket is deleted)',
  tags: ['support'],
  access: users,
  query: z.object(pageQueryFields).strict(),
  responses: {
    200: {
      description: 'A page of tickets; follow `nextCursor` until it is absent.',
      schema: pageOf(MySupportTicketSummary, 'MySupportTicketPage'),
    },
  },
});

export const getMySupportTicket = defineOperation({
  operationId: 'getMySupportTicket',
  summary: 'One of the caller’s tickets with its messages',
  tags: ['support'],
  access: users,
  pathParameters: TicketPath,
  responses: { 200: { description: 'The ticket and its thread.', schema: MySupportTicket }, 404: notMine },
});

export const answerMySupportTicket = defineOperation({
  operationId: 'answerMySupportTicket',
  summary: 'Write in one’s own ticket: it is support’s turn again (the 30-day clock stops)',
  tags: ['support'],
  access: users,
  rateLimit: { perAccount: { requests: 30, windowSeconds: 3600 } },
  pathParameters: TicketPath,
  body: SupportMessageInput,
  responses: {
    201: { description: 'The message is in the ticket.', schema: MySupportMessage },
    404: notMine,
    409: thread,
  },
});

export const listSupportQueue = defineOperation({
  operationId: 'listSupportQueue',
  summary: 'Support: the open tickets in one state, oldest first (message reports included)',
  tags: ['support'],
  access: supportOnly,
  query: z
    .object({
      status: TicketStatus.default('waiting-for-support').meta({
        description: 'waiting-for-support (the default) or waiting-for-user.',
      }),
      ...pageQueryFields,
    })
    .strict(),
  responses: {
    200: {
      description: 'A page of tickets, oldest first; follow `nextCursor` until it is absent.',
      schema: pageOf(StaffSupportTicketSummary, 'StaffSupportTicketPage'),
    },
  },
});

export const getSupportTicket = defineOperation({
  operationId: 'getSupportTicket',
  summary: 'Support: one open ticket with its messages',
  tags: ['support'],
  access: supportOnly,
  pathParameters: TicketPath,
  responses: { 200: { description: 'The ticket and its thread.', schema: StaffSupportTicket }, 404: noTicket },
});

export const assignSupportTicket = defineOperation({
  operationId: 'assignSupportTicket',
  summary: 'Support: put a ticket in the hands of a support member (oneself by default)',
  tags: ['support'],
  access: supportOnly,
  pathParameters: TicketPath,
  body: z
    .object({
      assigneeId: accountId.optional().meta({ description: 'A support member’s account id; the caller when absent.' }),
    })
    .strict()
    .meta({ id: 'SupportAssignmentInput' }),
  responses: { 200: { description: 'The ticket, assigned.', schema: StaffSupportTicketSummary }, 404: noTicket },
});

export const answerSupportTicket = defineOperation({
  operationId: 'answerSupportTicket',
  summary: `Support: answer a ticket; it then waits for its opener (mailed, without the text), closed after ${CLOSE_AFTER_DAYS} days without their reply`,
  tags: ['support'],
  access: supportOnly,
  pathParameters: TicketPath,
  body: SupportMessageInput,
  responses: {
    201: { description: 'The answer is in the ticket.', schema: StaffSupportMessage },
    404: noTicket,
    409: {
      description: `A message report has nobody to answer; or the ticket holds ${MAX_MESSAGES} messages already, or changed meanwhile (try again).`,
    },
  },
});

export const SupportClosureInput = z
  .object({ outcome: z.enum(staffOutcomes) })
  .strict()
  .meta({ id: 'SupportClosureInput' });

export const closeSupportTicket = defineOperation({
  operationId: 'closeSupportTicket',
  summary:
    'Support: close a ticket, resolved or unresolved: it and its messages are deleted at once; an audit entry without text remains',
  tags: ['support'],
  access: supportOnly,
  pathParameters: TicketPath,
  body: SupportClosureInput,
  responses: {
    200: {
      description:
        'Closed and deleted; its opener is mailed the outcome (an unresolved complaint names the consumer mediator).',
      schema: z
        .object({
          ticketId,
          category: z.enum(supportCategories),
          outcome: z.enum(ticketOutcomes),
          closedAt: z.iso.datetime(),
        })
        .meta({ id: 'SupportTicketClosure' }),
    },
    404: noTicket,
    409: { description: 'The ticket changed meanwhile: try again.' },
  },
});
