/**
 * The routing table: which events go to which function, with EventBridge's retry policy and a
 * dead-letter queue on every target. Read by the CDK app (one rule per entry) and by the local
 * bus (local/event-bus.ts), which matches the same subset of patterns: source and detail-type.
 */
import type { FunctionName } from '#functions/catalogue.ts';
import {
  AccountActivityObserved,
  AccountDeletionRequested,
  AppealDecided,
  BookingCancelled,
  BookingCompleted,
  BookingConfirmed,
  BookingRescheduled,
  ClientAppointmentsErased,
  ConsentChanged,
  ContactRequestReceived,
  DeathRecorded,
  DirectivesExecuted,
  ExportPartReady,
  ExportRequested,
  MessageReported,
  MessageSent,
  NewsletterCampaignProgressed,
  NewsletterCampaignStarted,
  PaymentFailed,
  PaymentSucceeded,
  ReportDecided,
  ReportFiled,
  ReviewPublished,
  ReviewRefused,
  ReviewRemoved,
  ReviewWithdrawn,
  StripeEventReceived,
  TicketAnswered,
  TicketClosed,
  TicketOpened,
} from './catalogue.ts';
import type { EventContract } from './envelope.ts';

/**
 * EventBridge invokes a Lambda target asynchronously, so two retry layers apply: EventBridge
 * retries a delivery that fails (throttling, service errors; up to 185 times within 24 h), and
 * Lambda retries a handler that throws (0 to 2 times). In AWS each layer ends in its own
 * dead-letter queue (the rule target's DLQ for delivery failures, the function's on-failure
 * destination for handler failures: infra/constructs/events.ts); the local bus emulates the
 * handler retries with the same numbers and keeps both kinds in one dead-letter list.
 */
export interface RetryPolicy {
  /** EventBridge delivery retries; EventBridge allows 0 to 185. */
  readonly maximumRetryAttempts: number;
  /** EventBridge and Lambda give up on an event older than this; 60 s to 6 h for Lambda async. */
  readonly maximumEventAgeSeconds: number;
  /** Lambda asynchronous-invocation retries when the handler throws: 0, 1 or 2. */
  readonly functionRetryAttempts: 0 | 1 | 2;
}

export interface EventRule {
  /** Kebab-case, unique: the CDK rule id and the local bus's rule name. */
  readonly name: string;
  readonly description: string;
  /** The rule matches any of these events (by source and detail-type). */
  readonly events: readonly EventContract[];
  readonly target: FunctionName;
  readonly retry: RetryPolicy;
}

export const defaultRetry: RetryPolicy = {
  maximumRetryAttempts: 8,
  maximumEventAgeSeconds: 6 * 3600,
  functionRetryAttempts: 2,
};

export const rules: readonly EventRule[] = [
  {
    name: 'account-activity-to-account-clock',
    description: "Slide the account's retention clock on the activity of a signed-in person.",
    events: [AccountActivityObserved],
    target: 'recordAccountActivity',
    retry: defaultRetry,
  },
  {
    name: 'account-deletion-to-bookings',
    description: "Cancel (by the platform) the deleted account's upcoming appointments, as client and practitioner.",
    events: [AccountDeletionRequested],
    target: 'cancelAppointmentsOfDeletedAccount',
    retry: defaultRetry,
  },
  {
    name: 'account-deletion-to-practitioner-profile',
    description: 'Unpublish the profile of a practitioner who deleted their account: nobody can find or book them.',
    events: [AccountDeletionRequested],
    target: 'withdrawDeletedPractitionerProfile',
    retry: defaultRetry,
  },
  {
    name: 'booking-changes-to-party-notices',
    description: 'Email the client and the practitioner when an appointment is confirmed, moved or cancelled.',
    events: [BookingConfirmed, BookingRescheduled, BookingCancelled],
    target: 'notifyBookingParties',
    retry: defaultRetry,
  },
  {
    name: 'booking-changes-to-reminder-schedules',
    description: "Create, replace or delete the appointment's reminder schedules (24 h and 2 h before).",
    events: [BookingConfirmed, BookingRescheduled, BookingCancelled],
    target: 'scheduleAppointmentReminders',
    retry: defaultRetry,
  },
  {
    name: 'stripe-events-to-settlement',
    description: 'Settle each Stripe webhook event from the object re-read at Stripe.',
    events: [StripeEventReceived],
    target: 'processStripeEvent',
    retry: defaultRetry,
  },
  {
    name: 'payment-outcomes-to-bookings',
    description: 'A succeeded payment confirms its held booking; a failed one releases the slot.',
    events: [PaymentSucceeded, PaymentFailed],
    target: 'applyPaymentOutcome',
    retry: defaultRetry,
  },
  {
    name: 'booking-cancellations-to-refunds',
    description: 'Refund a cancelled booking as its cancellation policy says.',
    events: [BookingCancelled],
    target: 'refundCancelledBooking',
    retry: defaultRetry,
  },
  {
    name: 'controller-erasures-to-erasure-log',
    description: 'Log the keys a practitioner erased, so a replay after a backup restore erases them again.',
    events: [ClientAppointmentsErased],
    target: 'logControllerErasure',
    retry: defaultRetry,
  },
  {
    name: 'contact-request-to-platform-inbox',
    description: 'Email the platform inbox about each new contact request.',
    events: [ContactRequestReceived],
    target: 'notifyPlatformInbox',
    retry: defaultRetry,
  },
  // Reviews, part A (ADR 0015): invitations, the author's mails, account deletion.
  {
    name: 'booking-completions-to-review-invitations',
    description: 'Record that the client may review the completed appointment (90 days from it).',
    events: [BookingCompleted],
    target: 'recordReviewInvitation',
    retry: defaultRetry,
  },
  {
    name: 'review-decisions-to-author-mails',
    description: 'Mail the author when a moderator publishes or refuses their review (the reason of a refusal).',
    events: [ReviewPublished, ReviewRefused],
    target: 'notifyReviewAuthor',
    retry: defaultRetry,
  },
  {
    name: 'account-deletion-to-reviews',
    description: 'Delete the reviews the deleted account wrote.',
    events: [AccountDeletionRequested],
    target: 'deleteReviewsOfDeletedAccount',
    retry: defaultRetry,
  },
  // Reviews, part C (ADR 0015): the summary projection.
  {
    name: 'review-changes-to-summary',
    description: "Re-read the review and update its practitioner's summary (count, average, distribution).",
    events: [ReviewPublished, ReviewWithdrawn, ReviewRemoved, ReviewRefused],
    target: 'projectReviewSummary',
    retry: defaultRetry,
  },
  // Reviews, part B (ADR 0015): the mails of reports, decisions and appeals.
  {
    name: 'report-events-to-party-mails',
    description:
      "Mail the reporter's acknowledgement, the author's statement of reasons and the outcomes of decisions and appeals.",
    events: [ReportFiled, ReportDecided, AppealDecided],
    target: 'notifyReportParties',
    retry: defaultRetry,
  },
  // Messaging (ADR 0016): the recipient's mail and live push, a deleted party.
  {
    name: 'messages-to-recipient-mails',
    description: 'Mail the recipient "nouveau message" (no text), once per conversation while unread messages wait.',
    events: [MessageSent],
    target: 'notifyMessageRecipient',
    retry: defaultRetry,
  },
  {
    name: 'messages-to-live-push',
    description: "Push the message to the recipient's open WebSocket connections.",
    // A push an hour late is no longer live: the mail and the list have it.
    events: [MessageSent],
    target: 'pushMessage',
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600, functionRetryAttempts: 1 },
  },
  {
    name: 'account-deletion-to-conversations',
    description:
      'Keep the deleted account’s conversations for the other party ("compte supprimé"); close its connections.',
    events: [AccountDeletionRequested],
    target: 'forgetDeletedParty',
    retry: defaultRetry,
  },
  {
    name: 'consent-changes-to-message-alerts',
    description:
      'Record whether the person wants the "nouveau message" mail or objected (ConsentChanged of every choice; messaging keeps its own); the account’s activity keeps it alive.',
    events: [ConsentChanged, AccountActivityObserved],
    target: 'recordMailAlertChoice',
    retry: defaultRetry,
  },
  {
    name: 'consent-changes-to-newsletter',
    description:
      'A signed-in person’s newsletter choice: a withdrawal ends their subscription, a consent mails the double opt-in link.',
    events: [ConsentChanged],
    target: 'followNewsletterConsent',
    retry: defaultRetry,
  },

  // Data exports (ADR 0018): every context holding personal data writes its part; the privacy context collects them.
  ...(
    [
      'exportAccountData',
      'exportBookingsData',
      'exportContactData',
      'exportPractitionerData',
      'exportMessagingData',
      'exportReviewsData',
      'exportPrivacyData',
      'exportNewsletterData',
      'exportSupportData',
    ] as const
  ).map(
    (target): EventRule => ({
      name: `export-requests-to-${target.replace(/^export|Data$/g, '').toLowerCase()}-part`,
      description: 'Write this context’s part of the export from its own table.',
      events: [ExportRequested],
      target,
      retry: defaultRetry,
    }),
  ),
  // Post-mortem directives (ADR 0018).
  {
    name: 'directives-follow-their-account',
    description:
      'Slide a directive and the consent choices with the account’s activity, delete the directive with the account, note its execution.',
    events: [AccountActivityObserved, AccountDeletionRequested, DirectivesExecuted],
    target: 'keepChoicesInStep',
    retry: defaultRetry,
  },
  {
    name: 'deaths-to-account-closure',
    description: 'Close the deceased person’s account: signed out, disabled, tokens revoked.',
    events: [DeathRecorded],
    target: 'closeDeceasedAccount',
    retry: defaultRetry,
  },
  {
    name: 'deaths-to-erasure',
    description: 'Erase everything of the deceased person when their directive (or the heirs’ rights) says so.',
    events: [DeathRecorded],
    target: 'eraseDeceasedAccount',
    retry: defaultRetry,
  },
  // Support tickets and complaints (ADR 0019): message reports become tickets; the opener's mails.
  {
    name: 'message-reports-to-support-tickets',
    description: 'Open a ticket of ids (report, conversation, message) in support’s queue for each reported message.',
    events: [MessageReported],
    target: 'openMessageReportTicket',
    retry: defaultRetry,
  },
  {
    name: 'ticket-events-to-opener-mails',
    description:
      'Mail the opener the acknowledgement, the notice of an answer and the closure (never the ticket’s text; an unresolved complaint names the consumer mediator).',
    events: [TicketOpened, TicketAnswered, TicketClosed],
    target: 'notifyTicketOpener',
    retry: defaultRetry,
  },
  {
    name: 'export-parts-to-collector',
    description: 'Note each part of an export; the last one delivers it.',
    events: [ExportPartReady],
    target: 'collectExportPart',
    retry: defaultRetry,
  },
  // Newsletter (ADR 0020): a campaign is sent run after run, each from the last one's checkpoint.
  {
    name: 'newsletter-campaigns-to-sender',
    description: 'Send a started campaign to the confirmed subscribers in batches; a run out of time hands over.',
    events: [NewsletterCampaignStarted, NewsletterCampaignProgressed],
    target: 'sendNewsletterCampaign',
    retry: defaultRetry,
  },
];

/** The EventBridge pattern of a rule: the subset both EventBridge and the local bus match. */
export function eventPattern(rule: EventRule): { source: string[]; 'detail-type': string[] } {
  return {
    source: [...new Set(rule.events.map((e) => e.source))],
    'detail-type': [...new Set(rule.events.map((e) => e.detailType))],
  };
}
