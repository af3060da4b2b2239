/** The practitioners context's published contract: its HTTP operations. */
import * as z from 'zod';
import { defineOperation, publicAccess } from '#shared/http/contract.ts';
import { specialties } from './domain/specialties.ts';

export const PractitionerSummary = z
  .object({
    id: z.string(),
    displayName: z.string(),
    specialties: z.array(z.enum(specialties)),
    city: z.string().optional(),
    postcode: z.string().optional(),
    offersVideo: z.boolean(),
    headline: z.string(),
  })
  .meta({ id: 'PractitionerSummary' });

export const ListPractitionersQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(50).default(20),
    cursor: z.string().max(1024).optional(),
  })
  .strict();

export const PractitionerPage = z
  .object({ items: z.array(PractitionerSummary), nextCursor: z.string().optional() })
  .meta({ id: 'PractitionerPage' });

export const listPractitioners = defineOperation({
  operationId: 'listPractitioners',
  summary: 'List published practitioners',
  tags: ['practitioners'],
  access: publicAccess,
  query: ListPractitionersQuery,
  responses: { 200: { description: 'A page of practitioners, by name.', schema: PractitionerPage } },
});
