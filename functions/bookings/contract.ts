/** The bookings context's published contract: its HTTP operations. */
import * as z from 'zod';
import { accountId } from '#events/catalogue.ts';
import { type Access, defineOperation, publicAccess } from '#shared/http/contract.ts';
import { IdempotencyKeyHeader } from '#shared/http/idempotency-key.ts';
import { pageOf, pageQueryFields } from '#shared/http/pagination.ts';
import { ETagHeader, NotModified } from '#shared/http/public-cache.ts';
import { CancellationPolicy, ServicePayment } from '#shared/offer/offer.ts';
import { appointmentStates } from './domain/appointment.ts';
import { holdingLimits } from './domain/holdings.ts';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const localDate = z.iso.date();
const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

const clientOnly = { kind: 'role', roles: ['client'] } as const satisfies Access;
const practitionerOnly = { kind: 'role', roles: ['practitioner'] } as const satisfies Access;
/** The client or the practitioner of the appointment: the use case checks which, on the appointment. */
const eitherParty = { kind: 'role', roles: ['client', 'practitioner'] } as const satisfies Access;

export const Slot = z
  .object({
    start: z.string().meta({ description: 'UTC instant (ISO 8601).' }),
    end: z.string(),
    local: z.string().meta({ description: 'Start in Europe/Paris wall-clock time, YYYY-MM-DDTHH:MM.' }),
  })
  .meta({ id: 'Slot' });

export const SlotList = z
  .object({ practitionerId: z.string(), serviceId: z.string(), timeZone: z.string(), slots: z.array(Slot) })
  .meta({ id: 'SlotList' });

/** An appointment's online payment: Stripe ids, amounts and statuses only. */
export const PaymentSummary = z
  .object({
    paymentIntentId: z.string(),
    amountCents: z.number().int(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    refundedCents: z.number().int(),
    refunds: z.array(
      z.object({
        refundId: z.string(),
        amountCents: z.number().int(),
        status: z.string(),
        cause: z.enum(['cancellation', 'late-payment', 'staff', 'external']),
      }),
    ),
    disputes: z.array(z.object({ disputeId: z.string(), status: z.string(), reason: z.string() })),
  })
  .meta({ id: 'PaymentSummary' });

export const Appointment = z
  .object({
    id: z.string(),
    practitionerId: z.string(),
    clientId: z.string(),
    service: z.object({
      id: z.string(),
      name: z.string(),
      durationMinutes: z.number(),
      priceCents: z.number(),
      payment: ServicePayment.optional().meta({
        description: 'How the service is paid, as offered when booked (absent: on site).',
      }),
    }),
    start: z.string(),
    end: z.string(),
    local: z.string(),
    state: z.enum(appointmentStates),
    version: z.number().int(),
    cancellationPolicy: CancellationPolicy,
    cancellation: z
      .object({
        by: z.enum(['client', 'practitioner', 'platform']),
        at: z.string(),
        late: z.boolean(),
        feePercent: z.number().int(),
      })
      .optional(),
    holdUntil: z
      .string()
      .optional()
      .meta({ description: 'A booking waiting for its payment holds its slot until then; unpaid, it is released.' }),
    payment: PaymentSummary.optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Appointment' });

/** What the client's app needs to pay a booking (Stripe's PaymentIntent and its client secret). */
export const Checkout = z
  .object({
    paymentIntentId: z.string(),
    clientSecret: z
      .string()
      .meta({ description: 'For Stripe.js / the mobile SDK to confirm the payment with Stripe; never stored by us.' }),
    amountCents: z.number().int(),
    holdUntil: z.string(),
    publishableKey: z.string().optional().meta({
      description:
        "Stripe's publishable key to initialise Stripe.js with (public; scoped by Stripe to this payment with the client secret).",
    }),
  })
  .meta({ id: 'Checkout' });

export const BookingResult = Appointment.extend({
  checkout: Checkout.optional().meta({
    description: 'Present while the booking waits for its online payment (full price or deposit).',
  }),
}).meta({ id: 'BookingResult' });

export const AppointmentPath = z.object({ appointmentId: id }).strict();

export const listFreeSlots = defineOperation({
  operationId: 'listFreeSlots',
  summary: 'Free slots of a practitioner’s service between two local dates (Europe/Paris)',
  tags: ['bookings'],
  access: publicAccess,
  // Shorter than a profile's: a slot taken by a booking shows as free this long at most (the
  // booking itself is refused with a 409, never double-booked).
  publicCache: { maxAgeSeconds: 30 },
  pathParameters: z.object({ practitionerId: id }).strict(),
  query: z.object({ serviceId: id, from: localDate, to: localDate }).strict(),
  responses: {
    200: { description: 'The free slots, by start.', headers: { ETag: ETagHeader }, schema: SlotList },
    304: NotModified,
    404: { description: 'No published practitioner, or no such service.' },
  },
});

/** Where the booked appointment is read: `GET /bookings/{appointmentId}`. */
const bookingLocation = {
  description: 'The path of the appointment: /bookings/{appointmentId}.',
  schema: z.string().regex(/^\/bookings\/[A-Za-z0-9_-]{1,64}$/),
};

export const bookAppointment = defineOperation({
  operationId: 'bookAppointment',
  summary: 'Book a free slot (header Idempotency-Key required: a retry with the same key gets the same answer)',
  tags: ['bookings'],
  access: clientOnly,
  // Every booking paid online holds its slot 15 minutes: a script booking slot after slot would
  // empty an agenda. No person books this often; retries with the same key count too.
  rateLimit: { perAccount: { requests: 120, windowSeconds: 600 } },
  recordConnection: true,
  headers: IdempotencyKeyHeader,
  body: z.object({ practitionerId: id, serviceId: id, start: instant }).strict(),
  responses: {
    201: {
      description: 'Booked: confirmed, or held until its online payment (then with `checkout`).',
      headers: { Location: bookingLocation },
      schema: BookingResult,
    },
    200: {
      description: 'The same request was made before with this key: its answer again.',
      headers: { Location: bookingLocation },
      schema: BookingResult,
    },
    404: { description: 'No published practitioner, or no such service.' },
    409: {
      description:
        'The slot is not free (taken, closed, too soon or too far), the practitioner cannot receive online payments yet, ' +
        'one’s own agenda, or this Idempotency-Key was used for a booking that is gone. ' +
        `Or the client already holds all they may of this practitioner’s agenda at once: ${holdingLimits.unpaidHolds} ` +
        'bookings waiting for their payment (`Too many holds with this practitioner`: pay or cancel one, or let its hold end) ' +
        `or ${holdingLimits.upcoming} upcoming appointments, paid or not (\`Too many appointments with this practitioner\`: ` +
        'book again once one has taken place or is cancelled). Rarely, `Changed meanwhile`: many bookings of the same client ' +
        'with this practitioner at the same instant; book again.',
    },
    422: { description: 'The Idempotency-Key was used for another request.' },
    503: {
      description: 'The online payment could not be started: the slot was not kept; book again after Retry-After.',
    },
  },
});

export const listMyAppointments = defineOperation({
  operationId: 'listMyAppointments',
  summary: 'The signed-in client’s appointments, by start',
  tags: ['bookings'],
  access: clientOnly,
  query: z
    .object({
      ...pageQueryFields,
      upcoming: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional(),
    })
    .strict(),
  responses: {
    200: {
      description: 'A page of appointments.',
      schema: pageOf(Appointment, 'AppointmentPage'),
    },
  },
});

export const getAppointment = defineOperation({
  operationId: 'getAppointment',
  summary: 'One appointment, for its client or its practitioner',
  tags: ['bookings'],
  access: eitherParty,
  pathParameters: AppointmentPath,
  responses: {
    200: { description: 'The appointment.', schema: Appointment },
    404: { description: 'No appointment of yours has this id.' },
  },
});

const transition = (operationId: string, summary: string, access: Access) =>
  defineOperation({
    operationId,
    summary,
    tags: ['bookings'],
    access,
    pathParameters: AppointmentPath,
    responses: {
      200: { description: 'The appointment after the change.', schema: Appointment },
      404: { description: 'No appointment of yours has this id.' },
      409: { description: 'Not allowed in its current state or at this time, or the new slot is not free.' },
    },
  });

export const rescheduleAppointment = defineOperation({
  ...transition('rescheduleAppointment', 'Move an appointment to another free slot', eitherParty),
  body: z.object({ start: instant }).strict(),
});

export const cancelAppointment = transition(
  'cancelAppointment',
  'Cancel an appointment (the client’s late cancellation follows the practitioner’s policy)',
  eitherParty,
);

export const completeAppointment = transition(
  'completeAppointment',
  'The practitioner records that the appointment took place',
  practitionerOnly,
);

export const markAppointmentNoShow = transition(
  'markAppointmentNoShow',
  'The practitioner records that the client did not come',
  practitionerOnly,
);

export const getMyAgenda = defineOperation({
  operationId: 'getMyAgenda',
  summary: 'The signed-in practitioner’s appointments between two local dates',
  tags: ['bookings'],
  access: practitionerOnly,
  query: z.object({ from: localDate, to: localDate }).strict(),
  responses: {
    200: {
      description: 'Every appointment starting in the range, by start.',
      schema: z.object({ items: z.array(Appointment) }).meta({ id: 'Agenda' }),
    },
  },
});

// The practitioner as controller of their clients' appointment data (functions/bookings/controller.ts).

export const AppointmentExportRow = z
  .object({
    appointmentId: z.string(),
    state: z.enum(appointmentStates),
    start: z.string().meta({ description: 'UTC instant (ISO 8601).' }),
    end: z.string(),
    startLocal: z.string().meta({ description: 'Start in Europe/Paris wall-clock time, YYYY-MM-DDTHH:MM.' }),
    serviceId: z.string(),
    serviceName: z.string(),
    durationMinutes: z.number().int(),
    priceCents: z.number().int(),
    clientId: z.string(),
    clientFirstName: z.string().nullable().meta({ description: 'Null when the client’s account no longer exists.' }),
    clientLastName: z.string().nullable(),
    clientEmail: z.string().nullable(),
    cancelledBy: z.enum(['client', 'practitioner', 'platform']).nullable(),
    cancelledAt: z.string().nullable(),
    lateCancellation: z.boolean().nullable(),
    cancellationFeePercent: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'AppointmentExportRow' });

export const exportMyAppointments = defineOperation({
  operationId: 'exportMyAppointments',
  summary:
    'The signed-in practitioner exports every appointment still retained (all states and dates), with each client’s name and email',
  tags: ['bookings', 'privacy'],
  access: practitionerOnly,
  // Each export reads the identity of every client: a few an hour are enough.
  rateLimit: { perAccount: { requests: 10, windowSeconds: 600 } },
  query: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
  responses: {
    200: {
      description:
        'An attachment: a JSON array of rows, or RFC 4180 CSV (UTF-8, comma, CRLF, a header row with the same ' +
        'names as the JSON keys; a cell starting with = + - @ is prefixed with an apostrophe). The export is logged.',
      headers: {
        'Content-Disposition': {
          description: 'An attachment, with its file name (appointments-<date>.json or .csv).',
          schema: z.string().regex(/^attachment; filename="[^"]+"$/),
        },
      },
      schema: z.array(AppointmentExportRow).meta({ id: 'AppointmentExport' }),
      otherContent: { 'text/csv': z.string().meta({ description: 'RFC 4180 CSV, UTF-8.' }) },
    },
  },
});

export const eraseClientAppointments = defineOperation({
  operationId: 'eraseClientAppointments',
  summary:
    'The signed-in practitioner erases every appointment of one client with them (upcoming ones too: their time is freed)',
  tags: ['bookings', 'privacy'],
  access: practitionerOnly,
  pathParameters: z.object({ clientId: accountId }).strict(),
  responses: {
    200: {
      description:
        'What was erased (0 when nothing was left: the call can be repeated). Appointments under a legal hold are kept and counted. The erasure is logged.',
      schema: z
        .object({
          clientId: z.string(),
          erased: z.number().int(),
          upcomingErased: z.number().int().meta({ description: 'Of those erased, the ones that had not started.' }),
          keptUnderHold: z.number().int(),
          actionId: z.string().meta({ description: 'The entry of the controller-action log.' }),
        })
        .meta({ id: 'ClientAppointmentsErased' }),
    },
    409: {
      description:
        'An upcoming appointment of this client was paid online: cancel it first (the client is refunded); ' +
        'or an appointment kept changing: erase again.',
    },
  },
});

export const ControllerAction = z
  .object({
    actionId: z.string(),
    action: z.enum(['export', 'erase']),
    count: z.number().int().meta({ description: 'Appointments exported or erased.' }),
    clientId: z.string().optional().meta({ description: 'The client whose appointments were erased.' }),
    format: z.enum(['json', 'csv']).optional(),
    at: z.string(),
  })
  .meta({ id: 'ControllerAction' });

export const listMyControllerActions = defineOperation({
  operationId: 'listMyControllerActions',
  summary: 'The signed-in practitioner’s exports and erasures of their clients’ data, newest first (kept 5 years)',
  tags: ['bookings', 'privacy'],
  access: practitionerOnly,
  query: z
    .object({
      ...pageQueryFields,
    })
    .strict(),
  responses: {
    200: {
      description: 'A page of the log: identifiers and counts only.',
      schema: pageOf(ControllerAction, 'ControllerActionPage'),
    },
  },
});

/** Stripe calls this route: no token, the signature on the raw body is the authentication. */
export const receiveStripeWebhook = defineOperation({
  operationId: 'receiveStripeWebhook',
  summary: 'Stripe webhook endpoint: verifies Stripe-Signature on the raw body, notes the event once, answers at once',
  tags: ['payments'],
  access: publicAccess,
  responses: {
    200: {
      description: 'Received (or received before: acknowledged again).',
      schema: z.object({ received: z.literal(true), duplicate: z.boolean() }).meta({ id: 'WebhookReceipt' }),
    },
    400: { description: 'Missing, wrong or stale signature: nothing is kept.' },
  },
});

/**
 * A return or refresh URL of the onboarding, where Stripe sends the practitioner back: https (http only for localhost), at most 2,000
 * characters. An invalid URL stops the chain (`abort`), and the last check parses without
 * throwing: a refinement that throws would be a 500 for bad input.
 */
const onboardingUrl = z
  .url({ abort: true })
  .max(2000)
  .refine((v) => {
    const url = URL.parse(v);
    return (
      url !== null &&
      (url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname)))
    );
  }, 'an https URL (http only for localhost)');

export const startPayoutOnboarding = defineOperation({
  operationId: 'startPayoutOnboarding',
  summary: 'The signed-in practitioner opens (once) their Stripe connected account and gets a link to complete it',
  tags: ['payments'],
  access: practitionerOnly,
  body: z.object({ returnUrl: onboardingUrl, refreshUrl: onboardingUrl }).strict(),
  responses: {
    200: {
      description: 'The link to Stripe’s onboarding (single use, short-lived).',
      schema: z.object({ url: z.string(), accountId: z.string() }).meta({ id: 'OnboardingLink' }),
    },
  },
});

export const getPayoutStatus = defineOperation({
  operationId: 'getPayoutStatus',
  summary: 'Whether the signed-in practitioner can receive online payments (as Stripe says now)',
  tags: ['payments'],
  access: practitionerOnly,
  responses: {
    200: {
      description: 'Their connected account’s state.',
      schema: z
        .object({
          connected: z.boolean(),
          accountId: z.string().optional(),
          chargesEnabled: z.boolean(),
          payoutsEnabled: z.boolean(),
          detailsSubmitted: z.boolean(),
        })
        .meta({ id: 'PayoutStatus' }),
    },
  },
});

export const staffRefundReasons = ['no-show-exception', 'service-issue', 'goodwill', 'duplicate-payment'] as const;
/** Why support refunds; it also decides who pays (ADR 0011). */
export type StaffRefundReason = (typeof staffRefundReasons)[number];

export const refundAppointmentByStaff = defineOperation({
  operationId: 'refundAppointmentByStaff',
  summary: 'Support refunds an appointment outside the policy (header Idempotency-Key required); audited',
  tags: ['payments', 'staff'],
  access: { kind: 'role', roles: ['support'] },
  pathParameters: AppointmentPath,
  headers: IdempotencyKeyHeader,
  body: z.object({ amountCents: z.number().int().min(1).max(1_000_000), reason: z.enum(staffRefundReasons) }).strict(),
  responses: {
    200: {
      description: 'The payment after the refund (the same answer again for the same key and amount).',
      schema: PaymentSummary,
    },
    404: { description: 'No appointment has this id.' },
    409: {
      description:
        'Nothing was paid online for it, the payment is disputed, or more than remains refundable was asked (the problem says what remains).',
    },
    422: { description: 'This Idempotency-Key was used for a refund of another amount: nothing is refunded.' },
    503: { description: 'Stripe could not confirm the refund: retry with the same Idempotency-Key.' },
  },
});

export const listPaymentDisputes = defineOperation({
  operationId: 'listPaymentDisputes',
  summary: 'Support: the payments a client disputed, the latest dispute first (answered in Stripe’s dashboard)',
  tags: ['payments', 'staff'],
  access: { kind: 'role', roles: ['support'] },
  query: z
    .object({
      ...pageQueryFields,
    })
    .strict(),
  responses: {
    200: {
      description: 'A page of disputed payments.',
      schema: pageOf(PaymentSummary.extend({ appointmentId: z.string() }), 'DisputedPaymentPage'),
    },
  },
});
