/** The contact context's published contract: its HTTP operations. */
import * as z from 'zod';
import { defineOperation, publicAccess } from '#shared/http/contract.ts';

/**
 * One line of text: no control character (Unicode Cc), so no NUL and no CR/LF (the subject ends up
 * in a mail's Subject header). Written without the `u` flag: clients compile the document's
 * patterns in `u` mode (see test/unit/openapi-patterns.test.ts).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const oneLine = /^[^\u0000-\u001F\u007F-\u009F]+$/;
/** Lines of text: tabs and line breaks allowed, no other control character (no NUL). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const lines = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;
const noControl = 'text without control characters';

export const ContactRequestInput = z
  .object({
    name: z.string().trim().min(1).max(120).regex(oneLine, noControl),
    email: z.email().max(254),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .()-]{6,20}$/, 'a phone number (digits, spaces, dots, dashes, optional +)')
      .optional(),
    subject: z.string().trim().min(1).max(150).regex(oneLine, noControl),
    /** Line breaks are kept as LF (CRLF and CR become LF). */
    message: z
      .string()
      .trim()
      .min(10)
      .max(5000)
      .regex(lines, 'text without control characters other than tabs and line breaks')
      .transform((text) => text.replace(/\r\n?/g, '\n')),
  })
  .strict()
  .meta({ id: 'ContactRequestInput', description: 'The public contact form.' });

export type ContactRequestInput = z.infer<typeof ContactRequestInput>;

export const ContactRequestAccepted = z
  .object({ id: z.string(), receivedAt: z.iso.datetime() })
  .meta({ id: 'ContactRequestAccepted' });

export const submitContactRequest = defineOperation({
  operationId: 'submitContactRequest',
  summary: 'Send the contact form',
  tags: ['contact'],
  access: publicAccess,
  // A person writes a few messages at most; a script writes hundreds.
  rateLimit: { perIp: { requests: 10, windowSeconds: 600 } },
  recordConnection: true,
  body: ContactRequestInput,
  responses: {
    202: {
      description: 'The request is stored (kept 3 years) and the platform is notified.',
      schema: ContactRequestAccepted,
    },
    503: { description: 'The request could not be forwarded: send it again after Retry-After.' },
  },
});
