/** The contact context's published contract: its HTTP operations. */
import * as z from 'zod';
import { defineOperation, publicAccess } from '#shared/http/contract.ts';

export const ContactRequestInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    email: z.email().max(254),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .()-]{6,20}$/, 'a phone number (digits, spaces, dots, dashes, optional +)')
      .optional(),
    subject: z.string().trim().min(1).max(150),
    message: z.string().trim().min(10).max(5000),
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
  },
});
