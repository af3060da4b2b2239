/** The retention context's published contract: the DPO's HTTP operations. */
import * as z from 'zod';
import { accountId } from '#events/catalogue.ts';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { type TableName, tables } from '#shared/tables.ts';

const dpoOnly: Access = { kind: 'role', roles: ['dpo'] };

/** A data subject, as a rights request or an authority names them; an account by its Cognito sub (a UUID). */
export const DataSubject = z
  .union([z.object({ email: z.email().max(254) }).strict(), z.object({ accountId }).strict()])
  .meta({ id: 'DataSubject', description: 'By email address or by account id (the Cognito sub, a UUID).' });

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
    /** The pseudonymous subject key the hold covers (shared/retention/subject.ts), never the email. */
    subjectKey: z.string(),
    status: z.enum(['active', 'lifted']),
    reason: z.enum(['authority-request', 'litigation']),
    authority: z.string(),
    reference: z.string(),
    placedAt: z.iso.datetime(),
    placedBy: z.string(),
    liftedAt: z.iso.datetime().optional(),
    liftedBy: z.string().optional(),
    /** Items whose expiry the hold suspended when it was placed (and by the daily re-sweeps). */
    itemsHeld: z.number().int(),
    /** Items given back their original expiry at the lift (0 while another hold covers the subject). */
    itemsReleased: z.number().int().optional(),
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

/** The erasure of one subject of the person: its own erasure id, erasure log and audit entry. */
export const SubjectErasure = z
  .object({
    /** The pseudonymous subject key erased (shared/retention/subject.ts), never the email. */
    subjectKey: z.string(),
    erasureId: z.string(),
    itemsErased: z.number().int(),
    itemsUnderHold: z.number().int(),
    /**
     * For an account: its Cognito user (the sign-in identity) `deleted`, `kept-under-hold` (a hold
     * on the account keeps it with the account item), or `none` (the account has no user).
     */
    cognitoUser: z.enum(['deleted', 'kept-under-hold', 'none']).optional(),
  })
  .meta({ id: 'SubjectErasure' });

export const ErasureResult = z
  .object({
    /** The erasure of the subject as named (`subjects[0]`). */
    erasureId: z.string(),
    /** Items erased, every subject of the person together. */
    itemsErased: z.number().int(),
    /** Items kept because an active legal hold covers them: the hold prevails over erasure. */
    itemsUnderHold: z.number().int(),
    /** What happened, in words the DPO can pass on (the hold, when there is one, is named here). */
    message: z.string(),
    /**
     * Every subject erased, the one named first: an email, then the accounts whose Cognito user
     * has that address as theirs (verified, or a sign-up never confirmed); an account, then the
     * address of its Cognito user (the same way theirs).
     */
    subjects: z.array(SubjectErasure),
  })
  .meta({ id: 'ErasureResult' });

const RegisterPurpose = z.object({
  /** The purpose's key in the retention catalogue. */
  id: z.string(),
  name: z.string(),
  /** Controller, or processor on behalf of the practitioners (appointments). */
  role: z.string(),
  legalBases: z.array(z.string()),
  dataCategories: z.array(z.string()),
  dataSubjects: z.array(z.string()),
  recipients: z.object({
    staff: z.array(z.string()),
    processors: z.array(z.string()),
    others: z.array(z.string()),
  }),
  retention: z.object({
    /** The whole rule in one sentence: "5 ans à compter de la dernière activité". */
    statement: z.string(),
    period: z.string(),
    clockStartsAt: z.string(),
    policyText: z.string().nullable(),
    rationale: z.string().nullable(),
  }),
  storage: z.array(z.object({ where: z.string(), what: z.string(), entity: z.string().nullable() })),
  transfersOutsideEu: z.string(),
});

export const RegisterOfProcessing = z
  .object({
    title: z.string(),
    generatedFrom: z.array(z.string()),
    policyVersion: z.string(),
    controller: z.object({
      name: z.string(),
      representative: z.string(),
      address: z.string(),
      contact: z.string(),
      dataProtectionOfficer: z.string(),
      rightsRequests: z.string(),
    }),
    purposes: z.array(RegisterPurpose),
    processors: z.array(
      z.object({ name: z.string(), service: z.string(), location: z.string(), guarantees: z.string() }),
    ),
    securityMeasures: z.array(z.string()),
    transfersOutsideEu: z.string(),
    backups: z.object({ pointInTimeRecoveryDays: z.number().int(), statement: z.string() }),
    legalHoldsAndErasure: z.array(z.string()),
    pointsToVerify: z.array(z.string()),
  })
  .meta({
    id: 'RegisterOfProcessing',
    description: 'The register of processing (GDPR art. 30), generated from the retention catalogue.',
  });

/**
 * The input of `replayErasures` (not an HTTP route: operations invoke it after a restore, or run
 * `npm run replay-erasures -- --since <ISO date>` locally). `tables` points logical tables at
 * their restored copies; the retention table, which holds the erasure log, is never restored.
 */
const restorableTables = (Object.keys(tables) as TableName[]).filter((name) => name !== 'retention') as [
  TableName,
  ...TableName[],
];

export const ReplayErasuresInput = z
  .object({
    since: z.iso.datetime({ offset: true }),
    tables: z.partialRecord(z.enum(restorableTables), z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/)).optional(),
  })
  .strict();

export const placeLegalHold = defineOperation({
  operationId: 'placeLegalHold',
  summary: 'Place a legal hold on a data subject (DPO)',
  tags: ['privacy'],
  access: dpoOnly,
  body: LegalHoldInput,
  responses: {
    201: { description: 'The hold is active; the subject’s data escapes TTL and purges.', schema: LegalHold },
    422: {
      description:
        'Unknown account: no item of any table names it (never existed, or nothing of it is left, not even an audit entry).',
    },
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
  responses: {
    200: {
      description:
        'Erased: the subject named and the rest of the person (an email’s accounts, an account’s email), ' +
        'their Cognito users included; items under a legal hold are kept and counted.',
      schema: ErasureResult,
    },
  },
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
