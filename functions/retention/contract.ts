/** The retention context's published contract: the DPO's HTTP operations. */
import * as z from 'zod';
import { type Access, defineOperation } from '#shared/http/contract.ts';

const dpoOnly: Access = { kind: 'role', roles: ['dpo'] };

/** A data subject, as a rights request or an authority names them. */
export const DataSubject = z
  .union([
    z.object({ email: z.email().max(254) }).strict(),
    z.object({ accountId: z.string().min(1).max(128) }).strict(),
  ])
  .meta({ id: 'DataSubject', description: 'By email address or by account id.' });

export const LegalHoldInput = z
  .object({
    subject: DataSubject,
    reason: z.enum(['authority-request', 'litigation']),
    /** Who asked (a court, the police, a lawyer…). */
    authority: z.string().trim().min(1).max(200),
    /** The reference of their request. */
    reference: z.string().trim().min(1).max(100),
  })
  .strict()
  .meta({ id: 'LegalHoldInput' });

export const LegalHold = z
  .object({
    id: z.string(),
    status: z.enum(['active', 'lifted']),
    reason: z.enum(['authority-request', 'litigation']),
    authority: z.string(),
    reference: z.string(),
    placedAt: z.iso.datetime(),
    placedBy: z.string(),
    liftedAt: z.iso.datetime().optional(),
    liftedBy: z.string().optional(),
    itemsHeld: z.number().int(),
  })
  .meta({ id: 'LegalHold' });

export const HoldIdPath = z.object({ holdId: z.string().regex(/^hold_[0-9a-f]{32}$/) }).strict();

export const ErasureInput = z
  .object({
    subject: DataSubject,
    /** How the request arrived; post and email need a verified identity proof (MISSION.md). */
    channel: z.enum(['post', 'email', 'account']),
    requestReference: z.string().trim().min(1).max(100),
  })
  .strict()
  .meta({ id: 'ErasureInput' });

export const ErasureResult = z
  .object({ erasureId: z.string(), itemsErased: z.number().int(), itemsUnderHold: z.number().int() })
  .meta({ id: 'ErasureResult' });

export const RegisterOfProcessing = z.record(z.string(), z.unknown()).meta({
  id: 'RegisterOfProcessing',
  description: 'The register of processing (GDPR art. 30), generated from the retention catalogue.',
});

export const placeLegalHold = defineOperation({
  operationId: 'placeLegalHold',
  summary: 'Place a legal hold on a data subject (DPO)',
  tags: ['privacy'],
  access: dpoOnly,
  body: LegalHoldInput,
  responses: {
    201: { description: 'The hold is active; the subject’s data escapes TTL and purges.', schema: LegalHold },
  },
});

export const listLegalHolds = defineOperation({
  operationId: 'listLegalHolds',
  summary: 'List legal holds (DPO)',
  tags: ['privacy'],
  access: dpoOnly,
  responses: { 200: { description: 'Active holds first.', schema: z.object({ items: z.array(LegalHold) }) } },
});

export const liftLegalHold = defineOperation({
  operationId: 'liftLegalHold',
  summary: 'Lift a legal hold (DPO)',
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: HoldIdPath,
  responses: {
    200: { description: 'Lifted; the data resumes its original expiry.', schema: LegalHold },
    404: { description: 'No such hold.' },
    409: { description: 'Already lifted.' },
  },
});

export const eraseDataSubject = defineOperation({
  operationId: 'eraseDataSubject',
  summary: "Erase a data subject's data (DPO, for a verified rights request)",
  tags: ['privacy'],
  access: dpoOnly,
  body: ErasureInput,
  responses: { 200: { description: 'Erased; items under a legal hold are kept and counted.', schema: ErasureResult } },
});

export const getRegisterOfProcessing = defineOperation({
  operationId: 'getRegisterOfProcessing',
  summary: 'The register of processing (DPO)',
  tags: ['privacy'],
  access: dpoOnly,
  responses: {
    200: {
      description: 'Purposes, legal bases, data, recipients, retention, storage, security.',
      schema: RegisterOfProcessing,
    },
  },
});
