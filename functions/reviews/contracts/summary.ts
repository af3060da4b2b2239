/**
 * Operations of the reviews context: the public review policy (ADR 0015; Code de la consommation
 * D111-17 to D111-19). The summary itself is shown on the practitioner's profile
 * (GET /practitioners/{practitionerId}, through #shared/reviews/review-summary-reader.ts).
 */
import * as z from 'zod';
import { defineOperation, publicAccess } from '#shared/http/contract.ts';
import { ETagHeader, NotModified } from '#shared/http/public-cache.ts';

const Coded = z.object({ code: z.string(), label: z.string() });
const Explained = { description: z.string() };

export const ReviewPolicy = z
  .object({
    control: z.object({ checked: z.boolean(), method: z.literal('human-pre-moderation'), ...Explained }),
    verification: z.object({ verified: z.boolean(), windowDays: z.number().int(), ...Explained }),
    compensation: z.object({ offered: z.boolean(), ...Explained }),
    dates: z.string(),
    ranking: z.object({ default: z.string(), options: z.array(Coded), ...Explained }),
    publication: z.object({
      period: z.object({
        years: z.number().int().optional(),
        months: z.number().int().optional(),
        days: z.number().int().optional(),
      }),
      ...Explained,
    }),
    refusalReasons: z.array(Coded),
    reports: z.object({ reasons: z.array(Coded), outcomes: z.array(Coded), ...Explained }),
    contest: z.object({ appealWindowMonths: z.number().int(), ...Explained }),
  })
  .meta({
    id: 'ReviewPolicy',
    description: 'How reviews are checked, ranked, kept, refused, reported and contested (French text).',
  });

export const getReviewPolicy = defineOperation({
  operationId: 'getReviewPolicy',
  summary: 'How reviews are checked, ranked, kept and contested',
  tags: ['reviews'],
  access: publicAccess,
  publicCache: { maxAgeSeconds: 3600 },
  responses: {
    200: {
      description: 'The review policy, built from the rules the platform runs on.',
      headers: { ETag: ETagHeader },
      schema: ReviewPolicy,
    },
    304: NotModified,
  },
});
