/**
 * The event catalogue: every event on the bus, with its source, detail-type (past tense), version
 * and the zod schema of its data. Publishers validate against it before sending; consumers parse
 * with it on receipt; the rules (./rules.ts) route by it. A breaking change gets a new version.
 *
 * Every definition is marked `/* @__PURE__ *\/` and gives its schema as a function
 * (./envelope.ts): a function's bundle then carries only the events it uses, and builds their
 * schemas on first use (test/unit/bundles.test.ts).
 */
import * as z from 'zod';
import { exportPartNames } from '#shared/privacy/export-parts.ts';
import { defineEvent, identifier } from './envelope.ts';

/**
 * The sources, each also a plain constant. The bundler leaves out the events a function never uses
 * when their definitions are marked pure and their arguments have no effects: a property read
 * might have one, to it, so a definition names its source by a constant.
 */
const accountsSource = 'mpbe.accounts';
const contactSource = 'mpbe.contact';
const retentionSource = 'mpbe.retention';
const apiSource = 'mpbe.api';
const bookingsSource = 'mpbe.bookings';
const paymentsSource = 'mpbe.payments';
const reviewsSource = 'mpbe.reviews';
const messagingSource = 'mpbe.messaging';
const privacySource = 'mpbe.privacy';
const supportSource = 'mpbe.support';
const newsletterSource = 'mpbe.newsletter';

export const sources = {
  accounts: accountsSource,
  contact: contactSource,
  retention: retentionSource,
  api: apiSource,
  bookings: bookingsSource,
  payments: paymentsSource,
  reviews: reviewsSource,
  messaging: messagingSource,
  privacy: privacySource,
  support: supportSource,
  newsletter: newsletterSource,
} as const;

/** Cognito user ids (sub) are UUIDs. */
export const accountId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'an account id');

export const AccountActivityObserved = /* @__PURE__ */ defineEvent({
  source: apiSource,
  detailType: 'AccountActivityObserved',
  version: 1,
  description:
    'A signed-in person called the API (published at most once a day per person and Lambda instance): the account clock moves.',
  data: () => z.object({ accountId, day: z.iso.date() }).strict(),
});

export const AccountDeletionRequested = /* @__PURE__ */ defineEvent({
  source: accountsSource,
  detailType: 'AccountDeletionRequested',
  version: 1,
  description:
    'A person deleted their account (DELETE /me): it is disabled, its data is kept 6 months, and their future appointments are to be cancelled.',
  data: () => z.object({ accountId }).strict(),
});

export const AccountSuspended = /* @__PURE__ */ defineEvent({
  source: accountsSource,
  detailType: 'AccountSuspended',
  version: 1,
  description:
    'A staff member (support or moderator) suspended an account: its sign-in is disabled until it is reinstated. The reason is in the audit entry `actionId`, never in the event.',
  data: () => z.object({ accountId, actionId: identifier }).strict(),
});

export const AccountReinstated = /* @__PURE__ */ defineEvent({
  source: accountsSource,
  detailType: 'AccountReinstated',
  version: 1,
  description: 'A staff member reinstated a suspended account: its owner can sign in again (audit entry `actionId`).',
  data: () => z.object({ accountId, actionId: identifier }).strict(),
});

export const ContactRequestReceived = /* @__PURE__ */ defineEvent({
  source: contactSource,
  detailType: 'ContactRequestReceived',
  version: 1,
  description: 'A visitor sent the public contact form; the request is stored.',
  data: () => z.object({ contactRequestId: identifier }).strict(),
});

/** Appointment ids: `apt_` and 32 hex digits (derived from the client's Idempotency-Key). */
export const appointmentId = z.string().regex(/^apt_[0-9a-f]{32}$/, 'an appointment id');

/** Every booking event names the appointment, its two parties (account ids) and its version. */
const bookingIds = {
  appointmentId,
  /** A practitioner id is their account id (demo practitioners of the local seed have fixed ids). */
  practitionerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  clientId: accountId,
  /** The appointment's version after the change: consumers skip what is older than they know. */
  version: z.number().int().positive(),
};

const bookingEvent = /* @__NO_SIDE_EFFECTS__ */ <DT extends string>(detailType: DT, description: string) =>
  defineEvent({
    source: bookingsSource,
    detailType,
    version: 1,
    description,
    data: () => z.object(bookingIds).strict(),
  });

export const BookingRequested = bookingEvent(
  'BookingRequested',
  'A client booked a slot; the slot is held (confirmed at once when nothing is to be paid).',
);
export const BookingConfirmed = bookingEvent('BookingConfirmed', 'An appointment is confirmed.');
export const BookingRescheduled = bookingEvent('BookingRescheduled', 'An appointment moved to another time.');
/**
 * Besides the ids, the appointment's start: the reviews context (ADR 0015) opens the client's
 * right to review from it (90 days) and shows it as the date of the experience. A time, naming
 * nobody.
 */
export const BookingCompleted = /* @__PURE__ */ defineEvent({
  source: bookingsSource,
  detailType: 'BookingCompleted',
  version: 1,
  description: 'The practitioner recorded that the appointment took place (with its start, for reviews).',
  data: () => z.object({ ...bookingIds, startsAt: z.iso.datetime() }).strict(),
});
export const BookingNoShow = bookingEvent('BookingNoShow', 'The practitioner recorded that the client did not come.');
export const BookingCancelled = /* @__PURE__ */ defineEvent({
  source: bookingsSource,
  detailType: 'BookingCancelled',
  version: 1,
  description: 'An appointment was cancelled: by whom, and whether late under the cancellation policy (with its fee).',
  data: () =>
    z
      .object({
        ...bookingIds,
        cancelledBy: z.enum(['client', 'practitioner', 'platform']),
        late: z.boolean(),
        feePercent: z.number().int().min(0).max(100),
      })
      .strict(),
});

/** A DynamoDB key of the bookings table: ids only (appointment, practitioner, 5-minute block, client's holdings). */
const bookingsKey = z
  .object({
    pk: z
      .string()
      .regex(
        /^(APPOINTMENT#apt_[0-9a-f]{32}|SLOT#[A-Za-z0-9_-]{1,64}#\d+|HOLDINGS#[A-Za-z0-9_-]{1,64}#[A-Za-z0-9_-]{1,64})$/,
      ),
    sk: z.string().regex(/^[A-Za-z0-9_#.:-]{1,200}$/),
  })
  .strict();

export const ClientAppointmentsErased = /* @__PURE__ */ defineEvent({
  source: bookingsSource,
  detailType: 'ClientAppointmentsErased',
  version: 1,
  description:
    'A practitioner, as controller, erased appointments of one of their clients: the keys deleted (ids only), for the erasure log that replays them after a backup restore. A large erasure comes in several parts.',
  data: () =>
    z
      .object({
        erasureId: identifier,
        practitionerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        clientId: accountId,
        part: z.number().int().positive(),
        keys: z.array(bookingsKey).min(1).max(1000),
      })
      .strict(),
});

/** A Stripe object id (`evt_…`, `pi_…`, `re_…`, `dp_…`, `ch_…`, `acct_…`): not personal data. */
const stripeId = z.string().regex(/^[a-z]+_[A-Za-z0-9]{6,255}$/, 'a Stripe id');

export const StripeEventReceived = /* @__PURE__ */ defineEvent({
  source: paymentsSource,
  detailType: 'StripeEventReceived',
  version: 1,
  description:
    'A Stripe webhook event arrived with a valid signature, for the first time: its id, type, object id (absent for an object without one, e.g. a balance) and, for a Connect event, the connected account. The processing re-reads the object from Stripe.',
  data: () =>
    z
      .object({
        stripeEventId: stripeId,
        type: z.string().max(100),
        objectId: stripeId.optional(),
        account: stripeId.optional(),
      })
      .strict(),
});

const paymentIds = { appointmentId, paymentIntentId: stripeId };

export const PaymentSucceeded = /* @__PURE__ */ defineEvent({
  source: paymentsSource,
  detailType: 'PaymentSucceeded',
  version: 1,
  description: 'The payment of an appointment succeeded at Stripe (re-read from Stripe): the booking is confirmed.',
  data: () => z.object({ ...paymentIds, amountCents: z.number().int().nonnegative() }).strict(),
});

export const PaymentFailed = /* @__PURE__ */ defineEvent({
  source: paymentsSource,
  detailType: 'PaymentFailed',
  version: 1,
  description: 'The payment of an appointment failed or was canceled at Stripe: the held slot is released.',
  data: () => z.object(paymentIds).strict(),
});

export const PaymentRefunded = /* @__PURE__ */ defineEvent({
  source: paymentsSource,
  detailType: 'PaymentRefunded',
  version: 1,
  description: 'A refund of an appointment’s payment changed status at Stripe (succeeded, failed…).',
  data: () =>
    z
      .object({
        ...paymentIds,
        refundId: stripeId,
        amountCents: z.number().int().nonnegative(),
        status: z.string().max(40),
      })
      .strict(),
});

export const PaymentDisputed = /* @__PURE__ */ defineEvent({
  source: paymentsSource,
  detailType: 'PaymentDisputed',
  version: 1,
  description: 'A client disputed (or a dispute closed on) an appointment’s payment: recorded for staff.',
  data: () => z.object({ ...paymentIds, disputeId: stripeId, status: z.string().max(40) }).strict(),
});

/** Counts per retention purpose: no identifier of any person. */
const purposeCounts = z.record(z.string().regex(/^[a-z-]+$/), z.number().int().nonnegative());

export const RetentionPurgeCompleted = /* @__PURE__ */ defineEvent({
  source: retentionSource,
  detailType: 'RetentionPurgeCompleted',
  version: 1,
  description: 'A purge run ended: what it deleted per purpose, and whether it reached the end.',
  data: () =>
    z
      .object({
        runId: identifier,
        deletedByPurpose: purposeCounts,
        itemsRead: z.number().int().nonnegative(),
        itemsDeleted: z.number().int().nonnegative(),
        skippedUnderHold: z.number().int().nonnegative(),
        complete: z.boolean(),
      })
      .strict(),
});

export const LegalHoldPlaced = /* @__PURE__ */ defineEvent({
  source: retentionSource,
  detailType: 'LegalHoldPlaced',
  version: 1,
  description: "The DPO placed a legal hold: the subject's data escapes TTL and purges.",
  data: () => z.object({ holdId: identifier, itemsHeld: z.number().int().nonnegative() }).strict(),
});

export const LegalHoldLifted = /* @__PURE__ */ defineEvent({
  source: retentionSource,
  detailType: 'LegalHoldLifted',
  version: 1,
  description: 'The DPO lifted a legal hold: the data resumes its original expiry.',
  data: () => z.object({ holdId: identifier, itemsReleased: z.number().int().nonnegative() }).strict(),
});

export const DataSubjectErased = /* @__PURE__ */ defineEvent({
  source: retentionSource,
  detailType: 'DataSubjectErased',
  version: 1,
  description: "Every item of a data subject was erased at the DPO's request (keys logged for replay).",
  data: () => z.object({ erasureId: identifier, itemsErased: z.number().int().nonnegative() }).strict(),
});

/** Review ids: `rev_` and 32 hex digits; one review per appointment (functions/reviews/, ADR 0015). */
export const reviewId = z.string().regex(/^rev_[0-9a-f]{32}$/, 'a review id');
/** Report, appeal and moderation-decision ids: `rpt_`, `apl_`, `dec_` and 32 hex digits. */
export const reportId = z.string().regex(/^rpt_[0-9a-f]{32}$/, 'a report id');
export const appealId = z.string().regex(/^apl_[0-9a-f]{32}$/, 'an appeal id');
export const decisionId = z.string().regex(/^dec_[0-9a-f]{32}$/, 'a moderation decision id');

/**
 * Every review event names the review, the reviewed practitioner and the review's version after
 * the change (consumers keep the newest they saw: the summary projection is exact under reordering
 * and duplicates). Ratings and texts stay in the reviews table.
 */
const reviewIds = {
  reviewId,
  practitionerId: bookingIds.practitionerId,
  version: z.number().int().positive(),
};
const reviewEvent = /* @__NO_SIDE_EFFECTS__ */ <DT extends string>(detailType: DT, description: string) =>
  defineEvent({ source: reviewsSource, detailType, version: 1, description, data: () => z.object(reviewIds).strict() });

export const ReviewSubmitted = reviewEvent(
  'ReviewSubmitted',
  'A client submitted (or edited) a review of a completed appointment; it waits for a moderator.',
);
export const ReviewPublished = reviewEvent(
  'ReviewPublished',
  'A moderator accepted a review (or its edit): it is published with its rating.',
);
export const ReviewRefused = reviewEvent(
  'ReviewRefused',
  'A moderator refused a review (or its edit), with a reason from the closed list.',
);
export const ReviewWithdrawn = reviewEvent(
  'ReviewWithdrawn',
  'The author withdrew the review, or it left with its author’s account.',
);
export const ReviewRemoved = reviewEvent(
  'ReviewRemoved',
  'A moderator removed (or restricted) a published review after a report, with a statement of reasons.',
);
export const ReportFiled = /* @__PURE__ */ defineEvent({
  source: reviewsSource,
  detailType: 'ReportFiled',
  version: 1,
  description: 'A signed-in person reported a published review; the report waits for a moderator.',
  data: () => z.object({ reportId, reviewId }).strict(),
});
export const ReportDecided = /* @__PURE__ */ defineEvent({
  source: reviewsSource,
  detailType: 'ReportDecided',
  version: 1,
  description: 'A moderator decided a report (keep, remove or restrict the review), with a statement of reasons.',
  data: () => z.object({ reportId, reviewId, decisionId }).strict(),
});
export const AppealFiled = /* @__PURE__ */ defineEvent({
  source: reviewsSource,
  detailType: 'AppealFiled',
  version: 1,
  description: 'The reporter or the review’s author appealed a decision (within 6 months of it).',
  data: () => z.object({ appealId, decisionId, reviewId }).strict(),
});
export const AppealDecided = /* @__PURE__ */ defineEvent({
  source: reviewsSource,
  detailType: 'AppealDecided',
  version: 1,
  description: 'Another moderator decided an appeal: the decision is upheld or reversed.',
  data: () => z.object({ appealId, decisionId, reviewId }).strict(),
});

/** Conversation and message ids (functions/messaging/, ADR 0016): `cnv_` / `msg_` and 32 hex digits. */
export const conversationId = z.string().regex(/^cnv_[0-9a-f]{32}$/, 'a conversation id');
export const messageId = z.string().regex(/^msg_[0-9a-f]{32}$/, 'a message id');

/** The parties of a conversation: a client's account, a practitioner's (or a demo practitioner's fixed id). */
const partyId = bookingIds.practitionerId;

export const MessageSent = /* @__PURE__ */ defineEvent({
  source: messagingSource,
  detailType: 'MessageSent',
  version: 1,
  description:
    'A party sent a message in a conversation (announced by the messaging table’s stream): the recipient is told (mail, live push). Never the text.',
  data: () => z.object({ conversationId, messageId, senderId: partyId, recipientId: partyId }).strict(),
});

/** Why a party reports a message to support. */
export const messageReportReasons = ['harassment', 'spam', 'inappropriate', 'fraud', 'other'] as const;

export const MessageReported = /* @__PURE__ */ defineEvent({
  source: messagingSource,
  detailType: 'MessageReported',
  version: 1,
  description:
    'A party reported a message of the other party to support, with a reason code; support reads it through its own tools, never from the event.',
  data: () =>
    z
      .object({
        reportId: identifier,
        conversationId,
        messageId,
        reason: z.enum(messageReportReasons),
      })
      .strict(),
});

/** Rights request ids (functions/privacy/, ADR 0017): `rrq_` and 32 hex digits. */
export const rightsRequestId = z.string().regex(/^rrq_[0-9a-f]{32}$/, 'a rights request id');

export const RightsRequestRecorded = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'RightsRequestRecorded',
  version: 1,
  description: 'The DPO recorded a rights request received by post or email; its deadline runs from its receipt.',
  data: () => z.object({ requestId: rightsRequestId }).strict(),
});

export const RightsRequestDeadlineNear = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'RightsRequestDeadlineNear',
  version: 1,
  description:
    'An open rights request is due within 7 days (`overdue: false`), or its deadline passed (`overdue: true`): the DPO was warned.',
  data: () => z.object({ requestId: rightsRequestId, deadline: z.iso.date(), overdue: z.boolean() }).strict(),
});

export const RightsRequestClosed = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'RightsRequestClosed',
  version: 1,
  description: 'The DPO recorded the answer to a rights request: it is closed, kept 5 years as proof of handling.',
  data: () => z.object({ requestId: rightsRequestId }).strict(),
});

export const exportId = z.string().regex(/^exp_[0-9a-f]{32}$/, 'an export id');

/** The parts of an export (shared/privacy/export-parts.ts). */
const exportPart = z.enum(exportPartNames);

export const ExportRequested = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'ExportRequested',
  version: 1,
  description:
    'A person asked for their data (POST /me/exports), or the DPO executes an access or portability request: every context holding personal data answers with its part(s). The subject is in the export order (privacy table), never in the event.',
  data: () => z.object({ exportId }).strict(),
});

export const ExportPartReady = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'ExportPartReady',
  version: 1,
  description: 'A context wrote its part of an export into the export order (privacy table, kept 7 days).',
  data: () => z.object({ exportId, part: exportPart }).strict(),
});

export const ExportReady = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'ExportReady',
  version: 1,
  description:
    'Every expected part of an export is in: the person was mailed (or, for a rights request, the document was sent to the verified address).',
  data: () => z.object({ exportId }).strict(),
});

/**
 * The choices of consent and objection a signed-in person makes (GDPR art. 7 and 21; the catalogue
 * with their legal basis and wording: functions/privacy/domain/consents.ts). `newsletter`: consent
 * to the newsletter (read by the newsletter context, later); `message-mail-alerts`: the "nouveau
 * message" mail (legitimate interest: sent until the person objects), acted on by messaging.
 */
export const consentChoices = ['newsletter', 'message-mail-alerts'] as const;
export type ConsentChoice = (typeof consentChoices)[number];

/** Consent change ids: `cch_`, 12 hex digits of the change's time (ms since the epoch), 20 random hex digits: they sort by time. */
export const consentChangeId = z.string().regex(/^cch_[0-9a-f]{32}$/, 'a consent change id');

export const ConsentChanged = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'ConsentChanged',
  version: 1,
  description:
    'A person gave or withdrew a consent, or objected or stopped objecting (PUT /me/consents/{choice}): `granted` is their choice now. The change id begins with its time: a consumer keeps the latest change, whatever the order of delivery. Published again, same change id, when the same choice is sent again.',
  data: () =>
    z.object({ accountId, choice: z.enum(consentChoices), granted: z.boolean(), changeId: consentChangeId }).strict(),
});

export const deathId = z.string().regex(/^dth_[0-9a-f]{32}$/, 'a death record id');

export const DeathRecorded = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'DeathRecorded',
  version: 1,
  description:
    "The DPO recorded a person's death (proof checked, not kept): the account closes, and `erase` says whether their directives (or, without one, the heirs' rights) erase their data now.",
  data: () => z.object({ deathId, accountId, erase: z.boolean() }).strict(),
});

export const DirectivesExecuted = /* @__PURE__ */ defineEvent({
  source: privacySource,
  detailType: 'DirectivesExecuted',
  version: 1,
  description:
    "A deceased person's directives were executed: their data erased, communicated to the designated person, or kept.",
  data: () => z.object({ deathId, accountId, outcome: z.enum(['erased', 'communicated', 'kept']) }).strict(),
});

/**
 * Newsletter subscription ids (functions/newsletter/, ADR 0020): `nls_` and 32 random hex digits,
 * new at each request; never derived from the address, which no event carries.
 */
export const newsletterSubscriptionId = z.string().regex(/^nls_[0-9a-f]{32}$/, 'a newsletter subscription id');

/** Why a subscription ended before its time: the person, their answer to the renewal, or SES. */
export const newsletterUnsubscribeReasons = ['unsubscribed', 'renewal-declined', 'bounce', 'complaint'] as const;

const newsletterEvent = /* @__NO_SIDE_EFFECTS__ */ <DT extends string>(detailType: DT, description: string) =>
  defineEvent({
    source: newsletterSource,
    detailType,
    version: 1,
    description,
    data: () => z.object({ subscriptionId: newsletterSubscriptionId }).strict(),
  });

export const NewsletterSubscribed = newsletterEvent(
  'NewsletterSubscribed',
  'Someone asked to receive the newsletter: the confirmation mail (double opt-in) went to the address; nothing is sent to it until it is confirmed (7 days).',
);
export const NewsletterConfirmed = newsletterEvent(
  'NewsletterConfirmed',
  'The owner of the address confirmed the subscription: the 3-year clock starts (proof of consent kept with it).',
);
export const NewsletterUnsubscribed = /* @__PURE__ */ defineEvent({
  source: newsletterSource,
  detailType: 'NewsletterUnsubscribed',
  version: 1,
  description:
    'A subscription ended at once (the person unsubscribed or declined the renewal, or SES reported a permanent bounce or a complaint): deleted, its address suppressed (keyed hash).',
  data: () =>
    z.object({ subscriptionId: newsletterSubscriptionId, reason: z.enum(newsletterUnsubscribeReasons) }).strict(),
});
export const NewsletterRenewalAsked = newsletterEvent(
  'NewsletterRenewalAsked',
  'The subscription ends within 30 days (3 years without a click): the subscriber was asked whether to go on.',
);
export const NewsletterRenewed = newsletterEvent(
  'NewsletterRenewed',
  'The subscriber answered yes to the renewal: the 3-year clock starts again.',
);

/** Support tickets (functions/support/, ADR 0019): `tkt_` and 32 hex digits; their messages `smg_` and 32. */
export const ticketId = z.string().regex(/^tkt_[0-9a-f]{32}$/, 'a support ticket id');
export const supportMessageId = z.string().regex(/^smg_[0-9a-f]{32}$/, 'a support message id');

/**
 * What a ticket is about: the categories a person chooses from (`complaint`: a complaint about a
 * practitioner, a « réclamation »), and `message-report`, the tickets support gets from
 * MessageReported.
 */
export const ticketCategories = ['question', 'booking', 'payment', 'account', 'privacy', 'complaint'] as const;
export const supportCategories = [...ticketCategories, 'message-report'] as const;
/** How a ticket ended: support's outcome, or `no-reply` (closed after 30 days waiting for its user). */
export const ticketOutcomes = ['resolved', 'unresolved', 'no-reply'] as const;

export const TicketOpened = /* @__PURE__ */ defineEvent({
  source: supportSource,
  detailType: 'TicketOpened',
  version: 1,
  description:
    'A person opened a support ticket (its opener is told by mail), or a message report became one (no opener). Never its subject or text.',
  data: () => z.object({ ticketId, category: z.enum(supportCategories), openerId: accountId.optional() }).strict(),
});

export const TicketAnswered = /* @__PURE__ */ defineEvent({
  source: supportSource,
  detailType: 'TicketAnswered',
  version: 1,
  description:
    'Support answered a ticket: it now waits for its opener (told by mail, without the answer), closed after 30 days without their reply.',
  data: () => z.object({ ticketId, messageId: supportMessageId, openerId: accountId }).strict(),
});

export const TicketClosed = /* @__PURE__ */ defineEvent({
  source: supportSource,
  detailType: 'TicketClosed',
  version: 1,
  description:
    'A ticket was closed (by support, or after 30 days without its opener’s reply): it and its messages are deleted; an audit entry without content remains.',
  data: () =>
    z
      .object({
        ticketId,
        category: z.enum(supportCategories),
        outcome: z.enum(ticketOutcomes),
        openerId: accountId.optional(),
      })
      .strict(),
});

/** Campaign ids (functions/newsletter/, ADR 0020): `cmp_` and 32 hex digits. */
export const newsletterCampaignId = z.string().regex(/^cmp_[0-9a-f]{32}$/, 'a newsletter campaign id');

export const NewsletterCampaignStarted = /* @__PURE__ */ defineEvent({
  source: newsletterSource,
  detailType: 'NewsletterCampaignStarted',
  version: 1,
  description:
    'Staff started sending a campaign to the confirmed subscribers: the sender goes through them in batches.',
  data: () => z.object({ campaignId: newsletterCampaignId }).strict(),
});

export const NewsletterCampaignProgressed = /* @__PURE__ */ defineEvent({
  source: newsletterSource,
  detailType: 'NewsletterCampaignProgressed',
  version: 1,
  description:
    'A run of the sender stopped before its time was up, its checkpoint saved (mails sent so far): the next run goes on from it.',
  data: () => z.object({ campaignId: newsletterCampaignId, sent: z.number().int().nonnegative() }).strict(),
});

export const NewsletterCampaignSent = /* @__PURE__ */ defineEvent({
  source: newsletterSource,
  detailType: 'NewsletterCampaignSent',
  version: 1,
  description: 'Every confirmed subscriber was gone through: the campaign is sent (counts only).',
  data: () =>
    z
      .object({
        campaignId: newsletterCampaignId,
        sent: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
      })
      .strict(),
});

export const eventCatalogue = [
  ContactRequestReceived,
  AccountActivityObserved,
  BookingRequested,
  BookingConfirmed,
  BookingRescheduled,
  BookingCancelled,
  BookingCompleted,
  BookingNoShow,
  ClientAppointmentsErased,
  StripeEventReceived,
  PaymentSucceeded,
  PaymentFailed,
  PaymentRefunded,
  PaymentDisputed,
  AccountDeletionRequested,
  AccountSuspended,
  AccountReinstated,
  RetentionPurgeCompleted,
  LegalHoldPlaced,
  LegalHoldLifted,
  DataSubjectErased,
  ReviewSubmitted,
  ReviewPublished,
  ReviewRefused,
  ReviewWithdrawn,
  ReviewRemoved,
  ReportFiled,
  ReportDecided,
  AppealFiled,
  AppealDecided,
  MessageSent,
  MessageReported,
  RightsRequestRecorded,
  RightsRequestDeadlineNear,
  RightsRequestClosed,
  ExportRequested,
  ExportPartReady,
  ExportReady,
  ConsentChanged,
  DeathRecorded,
  DirectivesExecuted,
  NewsletterSubscribed,
  NewsletterConfirmed,
  NewsletterUnsubscribed,
  NewsletterRenewalAsked,
  NewsletterRenewed,
  NewsletterCampaignStarted,
  NewsletterCampaignProgressed,
  NewsletterCampaignSent,
  TicketOpened,
  TicketAnswered,
  TicketClosed,
] as const;
