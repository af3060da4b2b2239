import * as z from 'zod';
import { defineOperation, publicAccess } from '#shared/http/contract.ts';

export const Health = z
  .object({ status: z.literal('ok'), service: z.string(), time: z.iso.datetime() })
  .meta({ id: 'Health' });

export const getHealth = defineOperation({
  operationId: 'getHealth',
  summary: 'Liveness of the API',
  tags: ['platform'],
  access: publicAccess,
  responses: { 200: { description: 'The API answers.', schema: Health } },
});
