/** The practitioners context's published contract: its HTTP operations. */
import * as z from 'zod';
import { type Access, defineOperation, publicAccess } from '#shared/http/contract.ts';
import { pageQueryFields } from '#shared/http/pagination.ts';
import { ETagHeader, NotModified } from '#shared/http/public-cache.ts';
import {
  Availability,
  CancellationPolicy,
  defaultAvailability,
  defaultCancellationPolicy,
  defaultServicePayment,
  ServicePayment,
  serviceDuration,
} from '#shared/offer/offer.ts';
import { normalizeCity } from './domain/search.ts';
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

const postcode = z.string().regex(/^\d{5}$/, 'a French postcode: 5 digits');

export const ListPractitionersQuery = z
  .object({
    ...pageQueryFields,
    specialty: z.enum(specialties).optional().describe('Only practitioners offering this specialty.'),
    city: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine((city) => normalizeCity(city) !== '', 'a city name')
      .optional()
      .describe(
        'Only practitioners with a place in this city (case, accents, hyphens and apostrophes ignored); not with `postcode`.',
      ),
    postcode: postcode
      .optional()
      .describe('Only practitioners with a place at this postcode (5 digits); not with `city`.'),
  })
  .strict()
  .refine((q) => q.city === undefined || q.postcode === undefined, {
    message: 'a city or a postcode, not both',
    path: ['postcode'],
  });

export const PractitionerPage = z
  .object({ items: z.array(PractitionerSummary), nextCursor: z.string().optional() })
  .meta({ id: 'PractitionerPage' });

export const listPractitioners = defineOperation({
  operationId: 'listPractitioners',
  summary: 'List or search published practitioners',
  tags: ['practitioners'],
  access: publicAccess,
  publicCache: { maxAgeSeconds: 60 },
  query: ListPractitionersQuery,
  responses: {
    200: {
      description:
        'A page of practitioners, by name; with `specialty`, `city` or `postcode`, only those found by them. ' +
        'A page may hold fewer than `limit` items: follow `nextCursor` until it is absent.',
      headers: { ETag: ETagHeader },
      schema: PractitionerPage,
    },
    304: NotModified,
  },
});

/** Who may write a profile: practitioners only, and only their own (the profile id is their account id). */
const practitionerOnly = { kind: 'role', roles: ['practitioner'] } as const satisfies Access;

const text = (max: number) => z.string().trim().min(1).max(max);

export const Place = z
  .object({
    address: text(200),
    city: text(100).refine((city) => normalizeCity(city) !== '', 'a city name'),
    postcode,
  })
  .strict()
  .meta({ id: 'Place' });

/** A service id: stable across saves, so that bookings can name the service. */
const ServiceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64');

export const ServiceInput = z
  .object({
    id: ServiceId.optional(),
    name: text(120),
    /** A multiple of 5 minutes, at most 4 hours: bookings lock 5-minute blocks. */
    durationMinutes: serviceDuration,
    /** Euro cents; at most 10 000 €. */
    priceCents: z.number().int().min(0).max(1_000_000),
    /** On site (default), in full at booking, or a deposit at booking. */
    payment: ServicePayment.default(defaultServicePayment),
  })
  .strict()
  // Paying online needs something to pay.
  .refine((s) => s.payment.mode === 'on-site' || s.priceCents >= 100, {
    message: 'a service paid online costs at least 1 €',
    path: ['payment'],
  });

export const Service = z
  .object({
    id: ServiceId,
    name: z.string(),
    durationMinutes: z.number().int(),
    priceCents: z.number().int(),
    payment: ServicePayment,
  })
  .meta({ id: 'Service' });

const unique = (values: readonly string[]) => new Set(values).size === values.length;

export const PractitionerProfileInput = z
  .object({
    displayName: text(100),
    headline: text(160),
    presentation: z.string().trim().max(2000),
    specialties: z.array(z.enum(specialties)).min(1).max(specialties.length).refine(unique, 'each specialty once'),
    places: z.array(Place).max(5),
    offersVideo: z.boolean(),
    services: z
      .array(ServiceInput)
      .min(1)
      .max(20)
      .refine((services) => unique(services.flatMap((s) => (s.id ? [s.id] : []))), 'each service id once'),
    /** Absent: no opening hours yet (nothing to book), default notice, horizon and buffer. */
    availability: Availability.default(() => structuredClone(defaultAvailability) as z.output<typeof Availability>),
    /** Absent: free until 24 hours before, then the full price. */
    cancellationPolicy: CancellationPolicy.default(() => ({ ...defaultCancellationPolicy })),
    published: z.boolean(),
  })
  .strict()
  // A profile nobody could consult, in person or by video, is not a profile.
  .refine((p) => p.places.length > 0 || p.offersVideo, {
    message: 'at least one place or video',
    path: ['places'],
  });

const profileFields = {
  id: z.string(),
  displayName: z.string(),
  headline: z.string(),
  presentation: z.string(),
  specialties: z.array(z.enum(specialties)),
  places: z.array(Place),
  offersVideo: z.boolean(),
  services: z.array(Service),
  availability: Availability,
  cancellationPolicy: CancellationPolicy,
};

/** The profile as its practitioner saved it. */
export const PractitionerProfile = z
  .object({ ...profileFields, published: z.boolean() })
  .meta({ id: 'PractitionerProfile' });

/**
 * The practitioner's published reviews (ADR 0015): their count, their average rating to one
 * decimal (null without any) and how many carry each rating, projected by the reviews context.
 */
export const ReviewsSummary = z
  .object({
    count: z.number().int().min(0),
    average: z.number().min(1).max(5).nullable(),
    distribution: z
      .object({
        '1': z.number().int().min(0),
        '2': z.number().int().min(0),
        '3': z.number().int().min(0),
        '4': z.number().int().min(0),
        '5': z.number().int().min(0),
      })
      .meta({ id: 'RatingDistribution', description: 'How many published reviews carry each rating, 1 to 5.' }),
  })
  .meta({ id: 'ReviewsSummary' });

/** A published profile, as anyone sees it. */
export const PublicPractitionerProfile = z
  .object({ ...profileFields, reviews: ReviewsSummary })
  .meta({ id: 'PublicPractitionerProfile' });

export const PractitionerIdPath = z.object({ practitionerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict();

export const saveMyPractitionerProfile = defineOperation({
  operationId: 'saveMyPractitionerProfile',
  summary: 'Create or replace the signed-in practitioner’s profile',
  tags: ['practitioners'],
  access: practitionerOnly,
  body: PractitionerProfileInput,
  responses: { 200: { description: 'The profile as saved.', schema: PractitionerProfile } },
});

export const getMyPractitionerProfile = defineOperation({
  operationId: 'getMyPractitionerProfile',
  summary: 'The signed-in practitioner’s own profile, published or not',
  tags: ['practitioners'],
  access: practitionerOnly,
  responses: {
    200: {
      description:
        'The profile as its practitioner saved it (as `PUT /practitioners/me/profile` answers), with `published`: ' +
        'whether anyone can see and book it.',
      schema: PractitionerProfile,
    },
    404: { description: 'The practitioner has no profile yet: `PUT /practitioners/me/profile` creates it.' },
  },
});

export const getPractitioner = defineOperation({
  operationId: 'getPractitioner',
  summary: 'A published practitioner’s public profile',
  tags: ['practitioners'],
  access: publicAccess,
  publicCache: { maxAgeSeconds: 60 },
  pathParameters: PractitionerIdPath,
  responses: {
    200: {
      description: 'The public profile, with its services and reviews summary.',
      headers: { ETag: ETagHeader },
      schema: PublicPractitionerProfile,
    },
    304: NotModified,
    404: { description: 'No published profile has this id.' },
  },
});
