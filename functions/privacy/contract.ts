/**
 * The privacy context's HTTP operations (ADR 0017): the DPO's register of rights requests received
 * by post or email, with their one-month deadline (GDPR art. 12(3)).
 */
import * as z from 'zod';
import { accountId } from '#events/catalogue.ts';
import { type Access, defineOperation } from '#shared/http/contract.ts';
import { changeSources, consentChoices, consentLegalBases, HISTORY_LIMIT } from './domain/consents.ts';
import { deathReporters, directiveActions } from './domain/directives.ts';
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

// Consents and objections (issue 15): any signed-in person, on their own choices only.
const signedIn: Access = { kind: 'authenticated' };

const ConsentChoiceId = z.enum(consentChoices).meta({ id: 'ConsentChoice' });
const wordingVersion = z.string().meta({ description: 'The version (date) of a choice’s wording.' });

export const ConsentView = z
  .object({
    choice: ConsentChoiceId,
    legalBasis: z.enum(consentLegalBases),
    wording: z.string().meta({ description: 'What the person reads (French).' }),
    wordingVersion: wordingVersion.meta({ description: 'The current wording’s version: send it back with a change.' }),
    granted: z.boolean().meta({
      description:
        'Consent: given or not (not given by default). Legitimate interest: true until the person objects (false: objected).',
    }),
    changedAt: z.iso.datetime().optional().meta({ description: 'The last change; absent while the default applies.' }),
  })
  .meta({ id: 'Consent' });

export const ConsentChangeView = z
  .object({
    choice: ConsentChoiceId,
    granted: z.boolean(),
    wordingVersion: wordingVersion.meta({ description: 'The version of the wording the person was shown.' }),
    changedAt: z.iso.datetime(),
    source: z.enum(changeSources),
  })
  .meta({ id: 'ConsentChange' });

export const getMyConsents = defineOperation({
  operationId: 'getMyConsents',
  summary: 'What rests on my consent or on legitimate interest, my choices and their last changes',
  tags: ['privacy'],
  access: signedIn,
  responses: {
    200: {
      description: `Every choice (the default where none was made), and the last ${HISTORY_LIMIT} changes, newest first.`,
      schema: z
        .object({ items: z.array(ConsentView), history: z.array(ConsentChangeView).max(HISTORY_LIMIT) })
        .meta({ id: 'MyConsents' }),
    },
  },
});

export const putMyConsent = defineOperation({
  operationId: 'putMyConsent',
  summary: 'Give or withdraw a consent, object or stop objecting; logged with the wording’s version',
  tags: ['privacy'],
  access: signedIn,
  // A shape, not the closed list: a well-formed choice that does not exist is a 404, like any
  // unknown object; a malformed one is a 400.
  pathParameters: z
    .object({
      choice: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,39}$/)
        .meta({ description: `One of: ${consentChoices.join(', ')}.` }),
    })
    .strict(),
  body: z
    .object({
      granted: z.boolean().meta({ description: 'Consent given, or (legitimate interest) no objection.' }),
      wordingVersion: z
        .string()
        .min(1)
        .max(32)
        .meta({ description: 'The `wordingVersion` the person was shown (GET /me/consents).' }),
    })
    .strict()
    .meta({ id: 'ConsentInput' }),
  responses: {
    200: {
      description: 'The choice as it stands now (the same choice sent again logs nothing new).',
      schema: ConsentView,
    },
    404: { description: 'No such choice.' },
    409: {
      description:
        'The wording changed: read it again (`wordingVersion` is not the current one); or the choices changed meanwhile.',
    },
  },
});

// Data exports (ADR 0018): the person's own, and the DPO's answer to an access or portability request.

const ExportPath = z.object({ exportId: z.string().regex(/^exp_[0-9a-f]{32}$/) }).strict();

export const ExportView = z
  .object({
    exportId: z.string(),
    state: z.enum(['collecting', 'ready']).meta({ description: 'Ready when every expected part is in.' }),
    requestedAt: z.iso.datetime(),
    readyAt: z.iso.datetime().optional(),
    expectedParts: z.array(z.string()).meta({ description: 'One part per context holding personal data.' }),
    receivedParts: z.array(z.string()),
    document: z
      .object({
        format: z.literal('mpbe-export/1'),
        exportId: z.string(),
        requestedAt: z.iso.datetime(),
        generatedAt: z.iso.datetime(),
        readme: z
          .object({
            introduction: z.string(),
            keptUntil: z.string(),
            parts: z.record(
              z.string(),
              z.object({
                description: z.string(),
                records: z.record(
                  z.string(),
                  z.object({ description: z.string(), fields: z.record(z.string(), z.string()) }),
                ),
              }),
            ),
            withheld: z.record(z.string(), z.string()),
          })
          .meta({ description: 'What each part, kind of record and field means (French).' }),
        parts: z
          .record(z.string(), z.record(z.string(), z.array(z.record(z.string(), z.unknown()))))
          .meta({ description: 'Part → kind of record → the records.' }),
      })
      .optional()
      .meta({ description: 'The machine-readable document, once the export is ready.' }),
  })
  .meta({ id: 'DataExport' });

export const requestMyExport = defineOperation({
  operationId: 'requestMyExport',
  summary: 'Export my data (GDPR access and portability): every context adds its part; a mail says when it is ready',
  tags: ['privacy'],
  access: { kind: 'authenticated' },
  rateLimit: { perAccount: { requests: 3, windowSeconds: 86_400 } },
  responses: {
    202: { description: 'The export is under way; read it at GET /me/exports/{exportId}.', schema: ExportView },
  },
});

export const getMyExport = defineOperation({
  operationId: 'getMyExport',
  summary: 'My export: its progress, and once ready the JSON document (kept 7 days)',
  tags: ['privacy'],
  access: { kind: 'authenticated' },
  pathParameters: ExportPath,
  responses: {
    200: { description: 'The export; with `document` once ready.', schema: ExportView },
    404: { description: 'No export of yours with this id (or it is past its 7 days).' },
  },
});

export const exportForRightsRequest = defineOperation({
  operationId: 'exportForRightsRequest',
  summary: 'Answer an access or portability request: the subject’s data is mailed to the verified address',
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: RequestPath,
  responses: {
    202: {
      description: 'The export is under way; it is mailed as a JSON attachment when every part is in.',
      schema: ExportView.extend({ requestId: z.string() }).meta({ id: 'RightsRequestExport' }),
    },
    404: notFound,
    409: {
      description:
        'The request is answered, is not an access or portability request, its identity is not verified, or no address is known.',
    },
  },
});

// Post-mortem directives and recorded deaths (Loi Informatique et Libertés art. 85; ADR 0018).

const DesigneeInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\r\n]*$/, 'one line'),
    email: z.email().max(254),
  })
  .strict();

export const DirectiveInput = z
  .object({
    action: z.enum(directiveActions),
    scope: z.enum(['general', 'specific']),
    parts: z.array(z.string().max(40)).max(20).optional().meta({ description: 'For a specific directive only.' }),
    designee: DesigneeInput.optional().meta({ description: 'Who receives the data (`communicate` only).' }),
    note: z.string().trim().max(1000).optional(),
  })
  .strict()
  .meta({ id: 'DirectiveInput' });

const DirectiveView = z
  .object({
    accountId: z.string(),
    action: z.enum(directiveActions),
    scope: z.enum(['general', 'specific']),
    parts: z.array(z.string()).optional(),
    designee: z.object({ name: z.string(), email: z.string() }).optional(),
    note: z.string().optional(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Directive' });

const MyDirective = z
  .object({ directive: DirectiveView.optional().meta({ description: 'None: the heirs’ rights apply.' }) })
  .meta({ id: 'MyDirective' });

export const getMyDirective = defineOperation({
  operationId: 'getMyDirective',
  summary: 'My directive for my data after my death (none: the heirs’ rights apply)',
  tags: ['privacy'],
  access: { kind: 'authenticated' },
  responses: { 200: { description: 'The directive, if any.', schema: MyDirective } },
});

export const setMyDirective = defineOperation({
  operationId: 'setMyDirective',
  summary: 'Record or change my directive: erase, keep, or communicate to a designated person',
  tags: ['privacy'],
  access: { kind: 'authenticated' },
  body: DirectiveInput,
  responses: {
    200: { description: 'The directive as recorded.', schema: MyDirective },
    422: {
      description:
        'Incoherent: a designee without communication (or the reverse), parts for a general directive, or unknown parts.',
    },
  },
});

export const revokeMyDirective = defineOperation({
  operationId: 'revokeMyDirective',
  summary: 'Revoke my directive (the heirs’ rights then apply)',
  tags: ['privacy'],
  access: { kind: 'authenticated' },
  responses: { 204: { description: 'Revoked.' }, 404: { description: 'No directive to revoke.' } },
});

const DeathView = z
  .object({
    deathId: z.string(),
    accountId: z.string(),
    reportedBy: z.enum(deathReporters),
    proofChecked: z.literal(true),
    dateOfDeath: day,
    recordedBy: z.string(),
    recordedAt: z.iso.datetime(),
    plan: z.enum(['erase', 'keep', 'communicate', 'heirs-erase']).meta({
      description: 'From the directive; `heirs-erase` without one (the account is closed and erased).',
    }),
    executedAt: z.iso.datetime().optional(),
    outcome: z.enum(['erased', 'communicated', 'kept']).optional(),
  })
  .meta({ id: 'DeathRecord' });

export const recordDeath = defineOperation({
  operationId: 'recordDeath',
  summary:
    'Record a death reported by an heir or the designated person (proof checked, never kept); the directives run',
  tags: ['privacy'],
  access: dpoOnly,
  body: z
    .object({
      subject: z
        .union([z.object({ email: z.email().max(254) }).strict(), z.object({ accountId }).strict()])
        .meta({ description: 'By email address or by account id.' }),
      reportedBy: z.enum(deathReporters),
      dateOfDeath: day,
      proofChecked: z.literal(true).meta({ description: 'The DPO checked the proof; it is not kept.' }),
    })
    .strict()
    .meta({ id: 'DeathInput' }),
  responses: {
    201: { description: 'Recorded; the plan runs.', schema: DeathView },
    404: { description: 'No account for this subject.' },
    409: { description: 'A death is recorded for this account already.' },
    422: { description: 'Dated after today.' },
  },
});

export const getDeath = defineOperation({
  operationId: 'getDeath',
  summary: 'The death recorded for an account, its plan and its execution',
  tags: ['privacy'],
  access: dpoOnly,
  pathParameters: z.object({ accountId }).strict(),
  responses: {
    200: { description: 'The record.', schema: DeathView },
    404: { description: 'No death recorded for this account.' },
  },
});
