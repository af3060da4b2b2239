/**
 * The privacy context's HTTP operations (ADR 0017): the DPO's register of rights requests received
 * by post or email, with their one-month deadline (GDPR art. 12(3)).
 */
import * as z from 'zod';
import { accountId } from '#events/catalogue.ts';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { answerOutcomes, channels, identityMethods, rightsRequestTypes } from './domain/rights-request.ts';

const dpoOnly: Access = { kind: 'role', roles: ['dpo'] };

const day = z.iso.date().meta({ description: 'A date, YYYY-MM-DD (Paris).' });

export const RightsRequestInput = z
  .object({
    type: z.enum(rightsRequestTypes),
    channel: z.enum(channels),
    receivedOn: day,
    subject: z
      .union([z.object({ email: z.email().max(254) }).strict(), z.object({ accountId }).strict()])
      .meta({ description: 'By email address or by account id (the Cognito sub).' }),
  })
  .strict()
  .meta({ id: 'RightsRequestInput' });

export const RightsRequestView = z
  .object({
    id: z.string(),
    type: z.enum(rightsRequestTypes),
    channel: z.enum(channels),
    receivedOn: day,
    subject: z.object({ email: z.string().optional(), accountId: z.string().optional() }),
    state: z.enum(['open', 'answered']),
    deadline: day.meta({ description: 'One month from the receipt, plus the extension.' }),
    identity: z
      .object({ verified: z.boolean(), method: z.enum(identityMethods), checkedOn: day, checkedBy: z.string() })
      .optional(),
    extension: z.object({ months: z.number().int(), reason: z.string(), decidedOn: day, by: z.string() }).optional(),
    answer: z.object({ answeredOn: day, outcome: z.enum(answerOutcomes), by: z.string() }).optional(),
    recordedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'RightsRequest' });

const RequestPath = z.object({ requestId: z.string().regex(/^rrq_[0-9a-f]{32}$/) }).strict();
const notFound = { description: 'No rights request with this id.' } as const;
const changed = { description: 'The request is answered already, or changed meanwhile (read it again).' } as const;

export const recordRightsRequest = defineOperation({
  operationId: 'recordRightsRequest',
  summary: 'Record a rights request received by post or email (its deadline: one month from the receipt)',
  tags: ['privacy'],
  access: dpoOnly,
  body: RightsRequestInput,
  responses: {
    201: { description: 'The request is recorded.', schema: RightsRequestView },
    422: { description: 'Received after today.' },
  },
});

export const listOpenRightsRequests = defineOperation({
  operationId: 'listOpenRightsRequests',
  summary: 'The open rights requests, the nearest deadline first',
  tags: ['privacy'],
  access: dpoOnly,
  responses: {
    200: {
      description: 'Every open request.',
      schema: z.object({ items: z.array(RightsRequestView) }).meta({ id: 'RightsRequestList' }),
    },
  },
});

export const getRightsRequest = defineOperation({
  operationId: 'getRightsRequest',
  summary: 'One rights request',
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: RequestPath,
  responses: { 200: { description: 'The request.', schema: RightsRequestView }, 404: notFound },
});

export const checkRightsRequestIdentity = defineOperation({
  operationId: 'checkRightsRequestIdentity',
  summary: "Record the identity check's outcome (the proof itself is never kept)",
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: RequestPath,
  body: z
    .object({ verified: z.boolean(), method: z.enum(identityMethods) })
    .strict()
    .meta({ id: 'IdentityCheckInput' }),
  responses: { 200: { description: 'The request.', schema: RightsRequestView }, 404: notFound, 409: changed },
});

export const extendRightsRequest = defineOperation({
  operationId: 'extendRightsRequest',
  summary: 'Extend the deadline by one or two months, with the reason (the subject is told by mail)',
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: RequestPath,
  body: z
    .object({
      months: z.union([z.literal(1), z.literal(2)]),
      reason: z.string().trim().min(10).max(1000).meta({ description: 'Told to the subject (French).' }),
    })
    .strict()
    .meta({ id: 'RightsRequestExtensionInput' }),
  responses: {
    200: { description: 'The request, with its new deadline.', schema: RightsRequestView },
    404: notFound,
    409: { description: 'Answered, extended already, or more than a month after the receipt.' },
  },
});

export const answerRightsRequest = defineOperation({
  operationId: 'answerRightsRequest',
  summary: 'Record the answer: the request is closed and kept 5 years from the answer',
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: RequestPath,
  body: z
    .object({ answeredOn: day, outcome: z.enum(answerOutcomes) })
    .strict()
    .meta({ id: 'RightsRequestAnswerInput' }),
  responses: {
    200: { description: 'The request, answered.', schema: RightsRequestView },
    404: notFound,
    409: { description: 'Answered already, or the identity is not verified (answer `identity-not-verified`).' },
    422: { description: 'Answered after today.' },
  },
});
