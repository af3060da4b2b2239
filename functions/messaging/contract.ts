/**
 * Operations of the messaging context (ADR 0016): conversations between a client and a
 * practitioner, their messages (plain text, never HTML: clients show it as text), read marks,
 * blocks, closure and reports to support. Only the two parties reach a conversation: anyone else
 * gets a 404, staff included (no route shows message text to staff).
 */
import * as z from 'zod';
import { conversationId, messageId } from '#events/catalogue.ts';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { pageOf, pageQueryFields } from '#shared/http/pagination.ts';
import { MESSAGE_TEXT, messageReportReasons, sides } from './domain/conversation.ts';

const clientOnly = { kind: 'role', roles: ['client'] } as const satisfies Access;
const practitionerOnly = { kind: 'role', roles: ['practitioner'] } as const satisfies Access;
const parties = { kind: 'role', roles: ['client', 'practitioner'] } as const satisfies Access;

/**
 * Lines of text: tabs and line breaks allowed, no other control character. Written without the
 * `u` flag (clients compile the document's patterns in `u` mode).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const lines = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;

export const MessageInput = z
  .object({
    text: z
      .string()
      .trim()
      .min(MESSAGE_TEXT.min)
      .max(MESSAGE_TEXT.max)
      .regex(lines, 'text without control characters other than tabs and line breaks')
      .transform((text) => text.replace(/\r\n?/g, '\n'))
      .meta({ description: 'Plain text (never interpreted as HTML); line breaks kept.' }),
  })
  .strict()
  .meta({ id: 'MessageInput' });

export const OpenConversationInput = z
  .object({ practitionerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
  .strict()
  .meta({ id: 'OpenConversationInput' });

export const ConversationView = z
  .object({
    id: conversationId,
    practitionerId: z.string(),
    otherParty: z.object({
      side: z.enum(sides),
      name: z.string().meta({ description: 'Display name; "compte supprimé" once their account is deleted.' }),
      deleted: z.boolean(),
    }),
    openedAt: z.string(),
    lastMessageAt: z.string().optional(),
    unreadCount: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: 'Messages of the other party the caller has not read.' }),
    blockedByMe: z.boolean(),
    blockedByOtherParty: z.boolean(),
    closedAt: z.string().optional().meta({ description: 'Set once the practitioner closed the conversation.' }),
    canSend: z.boolean().meta({ description: 'Whether the caller may send a message now.' }),
  })
  .meta({ id: 'Conversation' });

export const ConversationPage = pageOf(ConversationView, 'ConversationPage');

export const MessageView = z
  .object({
    id: messageId,
    conversationId,
    from: z.enum(['me', 'other']),
    sentAt: z.string(),
    text: z.string().meta({ description: 'Plain text: show it as text, never as HTML.' }),
  })
  .meta({ id: 'Message' });

export const MessagePage = z
  .object({
    items: z.array(MessageView).meta({ description: 'Oldest first.' }),
    olderCursor: z
      .string()
      .optional()
      .meta({ description: 'Present while older messages exist: pass it as `before`.' }),
    newerCursor: z
      .string()
      .optional()
      .meta({ description: 'Pass it as `after` to get the messages sent since (absent on pages read with `before`).' }),
  })
  .meta({ id: 'MessagePage' });

const ConversationPath = z.object({ conversationId }).strict();
const notFound = { description: 'No conversation of the caller with this id.' } as const;

export const openConversation = defineOperation({
  operationId: 'openConversation',
  summary: 'Open the caller’s conversation with a published practitioner (one per pair: the existing one if any)',
  tags: ['messaging'],
  access: clientOnly,
  rateLimit: { perAccount: { requests: 30, windowSeconds: 3600 } },
  body: OpenConversationInput,
  responses: {
    200: { description: 'The conversation the caller already has with this practitioner.', schema: ConversationView },
    201: { description: 'A new conversation.', schema: ConversationView },
    404: { description: 'No published practitioner with this id.' },
    409: { description: 'The previous conversation with this practitioner is being deleted (its 5 years ran out).' },
  },
});

export const listMyConversations = defineOperation({
  operationId: 'listMyConversations',
  summary: 'The caller’s conversations, latest activity first, with unread counts',
  tags: ['messaging'],
  access: parties,
  query: z.object(pageQueryFields).strict(),
  responses: {
    200: {
      description: 'A page of conversations; follow `nextCursor` until it is absent.',
      schema: ConversationPage,
    },
  },
});

export const listMessages = defineOperation({
  operationId: 'listMessages',
  summary: 'Messages of a conversation: the latest, those before a cursor, or those after one',
  tags: ['messaging'],
  access: parties,
  pathParameters: ConversationPath,
  query: z
    .object({
      limit: pageQueryFields.limit,
      before: z.string().max(256).optional().meta({ description: 'An `olderCursor`: the messages before it.' }),
      after: z.string().max(256).optional().meta({ description: 'A `newerCursor`: the messages after it.' }),
    })
    .strict()
    .refine((q) => q.before === undefined || q.after === undefined, {
      message: 'before and after cannot be used together',
      path: ['after'],
    }),
  responses: {
    200: { description: 'Messages, oldest first, and the cursors to read on.', schema: MessagePage },
    404: notFound,
  },
});

export const sendMessage = defineOperation({
  operationId: 'sendMessage',
  summary: 'Send a text message in a conversation (the other party is told, never by mail with the text)',
  tags: ['messaging'],
  access: parties,
  rateLimit: { perAccount: { requests: 60, windowSeconds: 300 } },
  pathParameters: ConversationPath,
  body: MessageInput,
  responses: {
    201: { description: 'The message is stored and delivered.', schema: MessageView },
    404: notFound,
    409: {
      description: 'The conversation is closed, a party blocked the other, or the other party deleted their account.',
    },
  },
});

export const markConversationRead = defineOperation({
  operationId: 'markConversationRead',
  summary: 'Mark the conversation read: the caller’s unread count drops to 0',
  tags: ['messaging'],
  access: parties,
  pathParameters: ConversationPath,
  responses: { 200: { description: 'The conversation, read.', schema: ConversationView }, 404: notFound },
});

export const setConversationBlock = defineOperation({
  operationId: 'setConversationBlock',
  summary: 'Block (or unblock) the other party: no new message either way while blocked, the history is kept',
  tags: ['messaging'],
  access: parties,
  pathParameters: ConversationPath,
  body: z.object({ blocked: z.boolean() }).strict().meta({ id: 'ConversationBlockInput' }),
  responses: { 200: { description: 'The conversation, as it is now.', schema: ConversationView }, 404: notFound },
});

export const closeConversation = defineOperation({
  operationId: 'closeConversation',
  summary: 'Close a conversation (the practitioner): no new message, the history is kept',
  tags: ['messaging'],
  access: practitionerOnly,
  pathParameters: ConversationPath,
  responses: { 200: { description: 'The conversation, closed.', schema: ConversationView }, 404: notFound },
});

export const MessageReportInput = z
  .object({ reason: z.enum(messageReportReasons) })
  .strict()
  .meta({ id: 'MessageReportInput' });

export const reportMessage = defineOperation({
  operationId: 'reportMessage',
  summary: 'Report a message of the other party to support (support is told which message, not its text)',
  tags: ['messaging'],
  access: parties,
  rateLimit: { perAccount: { requests: 20, windowSeconds: 3600 } },
  pathParameters: z.object({ conversationId, messageId }).strict(),
  body: MessageReportInput,
  responses: {
    202: {
      description: 'The report is passed to support.',
      schema: z.object({ reportId: z.string() }).meta({ id: 'MessageReportReceipt' }),
    },
    403: { description: 'One’s own message cannot be reported.' },
    404: { description: 'No such message in a conversation of the caller.' },
    409: { description: 'The caller reported this message already.' },
  },
});
