/**
 * The newsletter context's HTTP operations (ADR 0020): the public subscription (double opt-in),
 * the pages and actions of the mails' links (confirm, unsubscribe in one click per RFC 8058,
 * answer the renewal). A link never acts on GET: its page POSTs to the same URL.
 */
import * as z from 'zod';
import { type Access, defineOperation, publicAccess, type ResponseContract } from '#shared/http/contract.ts';
import { problemSchema } from '#shared/http/problem.ts';
import { campaignStates } from './domain/campaign.ts';
import { subscriptionSources, subscriptionWording } from './domain/subscription.ts';
import { TOKEN_PATTERN } from './domain/tokens.ts';

export const SubscriptionInput = z
  .object({
    email: z.email().max(254),
    wordingVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .meta({
        description: `The version of the wording the person read (the current one: ${subscriptionWording.version}).`,
      }),
    source: z.enum(subscriptionSources).meta({ description: 'Where the form was: the site or the app.' }),
  })
  .strict()
  .meta({ id: 'NewsletterSubscriptionInput', description: 'A request to receive the newsletter.' });

export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

export const SubscriptionAccepted = z.object({ accepted: z.literal(true), message: z.string() }).meta({
  id: 'NewsletterSubscriptionAccepted',
  description: 'The same answer whatever the address: new, pending, confirmed or suppressed (no enumeration).',
});

const LinkQuery = z
  .object({ token: z.string().regex(TOKEN_PATTERN, 'a newsletter link token') })
  .strict()
  .meta({ description: 'The token of the mail’s link.' });

const RenewalQuery = z
  .object({
    token: z.string().regex(TOKEN_PATTERN, 'a newsletter link token'),
    answer: z.enum(['yes', 'no']).meta({ description: 'yes: 3 more years; no: the subscription is deleted now.' }),
  })
  .strict();

/** The headers of a page: its Content-Security-Policy (nothing loaded, forms to the API only). */
const pageHeaders = {
  'Content-Security-Policy': {
    description: 'Nothing is loaded, no script runs, forms post to the API only, no framing.',
    schema: z.string(),
  },
} as const;

/** A French HTML page, for a person's browser. */
const htmlPage = (description: string): ResponseContract => ({
  description,
  headers: pageHeaders,
  otherContent: { 'text/html': z.string() },
});

/** A dead link: a problem, or for a browser (Accept: text/html) the page that says so. */
const gone: ResponseContract = {
  description:
    'The link is not valid (any more): an expired confirmation (7 days), a subscription that no longer exists, or a token that is not ours. A problem, or a page for a browser (Accept: text/html).',
  headers: {
    'Content-Security-Policy': { ...pageHeaders['Content-Security-Policy'], schema: z.string().optional() },
  },
  otherContent: { 'application/problem+json': problemSchema, 'text/html': z.string() },
};

export const subscribeToNewsletter = defineOperation({
  operationId: 'subscribeToNewsletter',
  summary: 'Ask to receive the newsletter: a confirmation link is mailed (double opt-in)',
  tags: ['newsletter'],
  access: publicAccess,
  // As the contact form: a person subscribes once; a script hundreds of times.
  rateLimit: { perIp: { requests: 10, windowSeconds: 600 } },
  recordConnection: true,
  body: SubscriptionInput,
  responses: {
    202: {
      description:
        'Accepted: if the address may receive the newsletter and is not subscribed yet, a confirmation link valid 7 days was mailed to it. The same answer for every address.',
      schema: SubscriptionAccepted,
    },
    409: { description: 'The wording changed: read it again (the current version is in the problem).' },
  },
});

export const showNewsletterConfirmation = defineOperation({
  operationId: 'showNewsletterConfirmation',
  summary: 'The confirmation link’s page: a button confirms (POST); opening the link changes nothing',
  tags: ['newsletter'],
  access: publicAccess,
  query: LinkQuery,
  responses: { 200: htmlPage('The page, with its button.') },
});

export const confirmNewsletterSubscription = defineOperation({
  operationId: 'confirmNewsletterSubscription',
  summary: 'Confirm a subscription (idempotent): the 3-year clock starts, the address’s suppression is lifted',
  tags: ['newsletter'],
  access: publicAccess,
  query: LinkQuery,
  responses: {
    200: htmlPage('Confirmed (or confirmed already by this link): a page says so.'),
    410: gone,
  },
});

export const showNewsletterUnsubscribe = defineOperation({
  operationId: 'showNewsletterUnsubscribe',
  summary: 'The unsubscribe link’s page (footer of every newsletter): a button unsubscribes (POST)',
  tags: ['newsletter'],
  access: publicAccess,
  query: LinkQuery,
  responses: { 200: htmlPage('The page, with its button (which posts List-Unsubscribe=One-Click).') },
});

export const unsubscribeFromNewsletter = defineOperation({
  operationId: 'unsubscribeFromNewsletter',
  summary:
    'One-click unsubscribe (RFC 8058): the body is List-Unsubscribe=One-Click, form-encoded; the subscription is deleted at once and the address suppressed',
  tags: ['newsletter'],
  access: publicAccess,
  query: LinkQuery,
  responses: {
    200: htmlPage('Unsubscribed (or not subscribed any more): a page says so.'),
    400: { description: 'The body is not List-Unsubscribe=One-Click (form-encoded), or the query is invalid.' },
    410: gone,
  },
});

export const showNewsletterRenewal = defineOperation({
  operationId: 'showNewsletterRenewal',
  summary: 'The renewal link’s page (30 days before the end): yes or no buttons (POST)',
  tags: ['newsletter'],
  access: publicAccess,
  query: LinkQuery,
  responses: { 200: htmlPage('The page, with its two buttons.') },
});

export const answerNewsletterRenewal = defineOperation({
  operationId: 'answerNewsletterRenewal',
  summary: 'Answer the renewal: yes restarts the 3-year clock, no deletes the subscription and suppresses the address',
  tags: ['newsletter'],
  access: publicAccess,
  query: RenewalQuery,
  responses: {
    200: htmlPage('Renewed, or unsubscribed: a page says so.'),
    410: gone,
  },
});

/** Campaigns are support's: the staff group that already speaks to users (ADR 0020). */
const supportOnly: Access = { kind: 'role', roles: ['support'] };

/**
 * One line of text: no control character (the subject ends up in a mail's Subject header).
 * Written without the `u` flag (clients compile the document's patterns in `u` mode).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const oneLine = /^[^\u0000-\u001F\u007F-\u009F]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the class excludes.
const lines = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;

export const CampaignInput = z
  .object({
    subject: z.string().trim().min(1).max(150).regex(oneLine, 'text without control characters'),
    text: z
      .string()
      .trim()
      .min(1)
      .max(50_000)
      .regex(lines, 'text without control characters other than tabs and line breaks'),
    html: z
      .string()
      .trim()
      .min(1)
      .max(200_000)
      .regex(lines, 'text without control characters other than tabs and line breaks'),
  })
  .strict()
  .meta({
    id: 'NewsletterCampaignInput',
    description:
      'A campaign: its links (http(s) URLs of the text, href attributes of the HTML) must lead to the allowed targets; each is sent as a tracked link.',
  });

export const CampaignView = z
  .object({
    id: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    links: z
      .array(z.string())
      .meta({ description: 'The distinct link targets, tracked as /newsletter/links/{id}/{index}.' }),
    state: z.enum(campaignStates),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().optional(),
    finishedAt: z.iso.datetime().optional(),
    sent: z.number().int().meta({ description: 'Mails sent so far.' }),
    failed: z.number().int().meta({ description: 'Recipients whose mail SES refused (not retried).' }),
  })
  .meta({ id: 'NewsletterCampaign', description: 'A campaign and its progress.' });

const CampaignPath = z.object({ campaignId: z.string().regex(/^cmp_[0-9a-f]{32}$/) }).strict();
const noCampaign = { description: 'No campaign with this id.' } as const;

export const createNewsletterCampaign = defineOperation({
  operationId: 'createNewsletterCampaign',
  summary: 'Write a campaign (a draft): subject, text and HTML; its links must lead to the allowed targets',
  tags: ['newsletter'],
  access: supportOnly,
  body: CampaignInput,
  responses: {
    201: { description: 'The draft.', schema: CampaignView },
    422: { description: 'A link leads outside the allowed targets, or is neither http(s) nor mailto.' },
  },
});

export const getNewsletterCampaign = defineOperation({
  operationId: 'getNewsletterCampaign',
  summary: 'A campaign and its progress (mails sent, failed; its state)',
  tags: ['newsletter'],
  access: supportOnly,
  pathParameters: CampaignPath,
  responses: { 200: { description: 'The campaign.', schema: CampaignView }, 404: noCampaign },
});

export const startNewsletterCampaign = defineOperation({
  operationId: 'startNewsletterCampaign',
  summary: 'Send a draft to every confirmed subscriber, in batches (GET shows the progress)',
  tags: ['newsletter'],
  access: supportOnly,
  pathParameters: CampaignPath,
  responses: {
    202: { description: 'Started: the sender goes through the subscribers.', schema: CampaignView },
    404: noCampaign,
    409: { description: 'Started already.' },
  },
});

export const followNewsletterLink = defineOperation({
  operationId: 'followNewsletterLink',
  summary:
    'A campaign’s tracked link: redirects to its (allow-listed) target; the subscriber’s click restarts their 3-year clock',
  tags: ['newsletter'],
  access: publicAccess,
  pathParameters: z
    .object({ campaignId: z.string().regex(/^cmp_[0-9a-f]{32}$/), link: z.string().regex(/^(0|[1-9][0-9]?)$/) })
    .strict(),
  query: z.object({ token: z.string().regex(TOKEN_PATTERN, 'a newsletter link token').optional() }).strict(),
  responses: {
    302: {
      description: 'To the link’s target, with a small page for a client that does not follow redirects.',
      headers: {
        Location: { description: 'The link’s target: one of the allowed targets.', schema: z.url() },
        ...pageHeaders,
      },
      otherContent: { 'text/html': z.string() },
    },
    404: { description: 'No such campaign or link, or its target is no longer allowed.' },
  },
});
