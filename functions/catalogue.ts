/**
 * Every function of the backend, once: its entry file, the tables it may touch and how, and the
 * AWS capabilities it needs. The CDK app builds one Lambda function per entry with exactly these
 * grants (least privilege); the local cloud loads the same entry files. Routes (./routes.ts),
 * event rules (events/rules.ts) and schedules (./schedules.ts) refer to functions by name.
 */
import type { Route } from '#shared/http/contract.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { routes } from './routes.ts';

export type TableAccess = 'read' | 'write' | 'read-write';

/** A function's memory and timeout when its entry does not say (the CDK app and the local runtime). */
export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_TIMEOUT_SECONDS = 10;

export interface FunctionDefinition {
  /** Path of the handler module from the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly tables?: Partial<Record<TableName, TableAccess>>;
  /** Puts events on the bus. */
  readonly publishesEvents?: boolean;
  /** Sends email through SES. */
  readonly sendsMail?: boolean;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
  /**
   * Administers users of the Cognito user pool: the admin actions it calls (granted on the pool
   * only), and the pool trigger it is, if any. Such a function gets CGU_VERSION, and
   * COGNITO_USER_POOL_ID unless it is a trigger (a trigger reads the pool from its event).
   */
  readonly identity?: {
    readonly actions: readonly IdentityAction[];
    readonly trigger?: IdentityTrigger;
  };
  /**
   * Creates and deletes one-time EventBridge Scheduler schedules (`at()`) that invoke `target`, a
   * function of this catalogue: granted CreateSchedule/DeleteSchedule in one schedule group and
   * PassRole on the role Scheduler invokes the target with; its environment carries the group,
   * the target ARN, the role and the dead-letter queue (shared/scheduling/one-time-schedules.ts).
   */
  readonly oneTimeSchedules?: { readonly target: string };
  /**
   * Calls Stripe: reads the Stripe secret key and webhook signing secret from SSM Parameter Store
   * (SecureString; granted GetParameters on those two only, and KMS decrypt through SSM), and gets
   * PLATFORM_FEE_BASIS_POINTS (shared/payments-config.ts).
   */
  readonly stripe?: boolean;
  /**
   * Serves routes of the API: set from the route table (`withRouteNeeds`), never by hand. Such a
   * function gets CORS_ALLOWED_ORIGINS (shared/http/cors.ts).
   */
  readonly http?: boolean;
  /**
   * Verifies Cognito ID tokens itself: the WebSocket API's `$connect`, where API Gateway has no
   * Cognito authorizer. Gets COGNITO_ISSUER and COGNITO_APP_CLIENT_ID (shared/identity/id-tokens.ts);
   * the pool's public keys are read from the issuer's JWKS, which needs no grant.
   */
  readonly verifiesTokens?: boolean;
  /**
   * Posts to, reads and closes the WebSocket API's connections (the API Gateway management API):
   * gets WEBSOCKET_ENDPOINT, and execute-api:ManageConnections on the stage's connections only.
   */
  readonly managesConnections?: boolean;
  /**
   * Names the consumer mediator the platform adheres to in its mails (Code de la consommation
   * L612-1): gets MEDIATOR_NAME and MEDIATOR_ADDRESS, from the CDK context `mediatorName` and
   * `mediatorAddress` (shared/mail/mediator.ts for the defaults).
   */
  readonly mediator?: boolean;
  /**
   * A newsletter function (ADR 0020): gets NEWSLETTER_LINK_BASE (the public API URL of the mails'
   * links), NEWSLETTER_LINK_TARGETS (where campaign links may lead) and NEWSLETTER_PEPPER_PARAMETER,
   * the SSM SecureString holding the key of the addresses' hashes and the links' tokens (granted
   * GetParameters on it only, and KMS decrypt through SSM; shared/newsletter-config.ts). One that
   * also `sendsMail` sends newsletter mail: it gets NEWSLETTER_CONFIGURATION_SET, the SES
   * configuration set its mails name, and may send with that set only (SES authorizes a send on
   * the identity and on the set).
   */
  readonly newsletter?: boolean;
  /**
   * Receives SES's bounces and complaints of the newsletter's mails (ADR 0020): the stack of its
   * context holds the SES configuration set the newsletter's mails are sent with
   * (`<stack name>-newsletter`), whose event destination publishes BOUNCE and COMPLAINT events to
   * an SNS topic of that stack (its own KMS key, TLS only), subscribed to this function. SNS
   * invokes it asynchronously: Lambda's retries (events/rules.ts `defaultRetry`), then its
   * context's dead-letter queue, which is also the subscription's. One function of the catalogue
   * at most; it must be a newsletter function.
   */
  readonly sesFeedback?: boolean;
}

export type IdentityAction =
  | 'AdminGetUser'
  | 'AdminUpdateUserAttributes'
  | 'AdminDeleteUserAttributes'
  | 'AdminDisableUser'
  | 'AdminEnableUser'
  | 'AdminDeleteUser'
  | 'AdminAddUserToGroup'
  | 'AdminUserGlobalSignOut'
  | 'ListUsers';

export type IdentityTrigger = 'PreSignUp' | 'PostConfirmation';

/**
 * The retention engine works on the retention metadata of every table (expiry, subject, entity),
 * never on a context's domain attributes: it is the one function group granted all tables.
 */
const everyTable = (access: TableAccess) =>
  Object.fromEntries(Object.keys(tables).map((name) => [name, access])) as Record<TableName, TableAccess>;

const declared = {
  preSignUp: {
    entry: 'functions/accounts/handlers/pre-sign-up.ts',
    description: 'Cognito PreSignUp: refuses a sign-up without the CGU in force or an account type.',
    identity: { actions: [], trigger: 'PreSignUp' },
    // Cognito waits 5 s for a trigger.
    timeoutSeconds: 5,
  },
  postConfirmation: {
    entry: 'functions/accounts/handlers/post-confirmation.ts',
    description: 'Cognito PostConfirmation: opens the account item and adds the person to the group of their type.',
    tables: { accounts: 'write' },
    identity: { actions: ['AdminAddUserToGroup'], trigger: 'PostConfirmation' },
    timeoutSeconds: 5,
  },
  getMe: {
    entry: 'functions/accounts/handlers/get-me.ts',
    description: 'The signed-in person: identity from Cognito, roles and account.',
    tables: { accounts: 'read' },
    identity: { actions: ['AdminGetUser'] },
  },
  updateMe: {
    entry: 'functions/accounts/handlers/update-me.ts',
    description: 'Rectification of the signed-in person’s identity in Cognito (a new email is verified).',
    tables: { accounts: 'read' },
    // ListUsers: whether another account uses the new email (filtered on it), before the update.
    identity: { actions: ['AdminGetUser', 'ListUsers', 'AdminUpdateUserAttributes', 'AdminDeleteUserAttributes'] },
  },
  deleteMe: {
    entry: 'functions/accounts/handlers/delete-me.ts',
    description:
      'Account deletion: kept 6 months, AccountDeletionRequested announced, Cognito user signed out and disabled, tokens revoked.',
    // security: the account's revocation (shared/security/revocations.ts).
    tables: { accounts: 'read-write', security: 'write' },
    identity: { actions: ['AdminUserGlobalSignOut', 'AdminDisableUser'] },
    publishesEvents: true,
  },
  recordAccountActivity: {
    entry: 'functions/accounts/handlers/record-account-activity.ts',
    description: 'Slides the account expiry to 5 years after the last activity (one write a day at most).',
    tables: { accounts: 'read-write' },
    identity: { actions: ['AdminGetUser', 'AdminAddUserToGroup'] },
  },
  warnInactiveAccounts: {
    entry: 'functions/accounts/handlers/warn-inactive-accounts.ts',
    description: 'Daily: emails every active account expiring within 30 days, once per expiry.',
    tables: { accounts: 'read-write' },
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
    timeoutSeconds: 300,
  },
  deleteCognitoUser: {
    entry: 'functions/accounts/handlers/delete-cognito-user.ts',
    description: 'Stream consumer: deletes the Cognito user of an account item that was removed.',
    identity: { actions: ['AdminDeleteUser'] },
    timeoutSeconds: 60,
  },
  removeUnconfirmedSignUps: {
    entry: 'functions/accounts/handlers/remove-unconfirmed-sign-ups.ts',
    description: 'Daily: deletes the Cognito users who signed up more than 7 days ago and never confirmed.',
    identity: { actions: ['ListUsers', 'AdminDeleteUser'] },
    timeoutSeconds: 300,
  },
  suspendAccount: {
    entry: 'functions/accounts/handlers/suspend-account.ts',
    description:
      'Staff: suspends an account (status, audit entry, tokens revoked, Cognito user signed out and disabled), announces AccountSuspended.',
    tables: { accounts: 'read-write', security: 'write' },
    identity: { actions: ['AdminUserGlobalSignOut', 'AdminDisableUser'] },
    publishesEvents: true,
  },
  reinstateAccount: {
    entry: 'functions/accounts/handlers/reinstate-account.ts',
    description:
      'Staff: reinstates a suspended account (status, audit entry, Cognito user enabled, revocation lifted), announces AccountReinstated.',
    tables: { accounts: 'read-write', security: 'write' },
    // AdminDisableUser: a deletion or suspension that raced the reinstatement disables the user again.
    identity: { actions: ['AdminEnableUser', 'AdminDisableUser'] },
    publishesEvents: true,
  },
  getHealth: {
    entry: 'functions/platform/handlers/get-health.ts',
    description: 'Liveness of the API.',
  },
  submitContactRequest: {
    entry: 'functions/contact/handlers/submit-contact-request.ts',
    description: 'Stores a contact-form request and announces it.',
    tables: { contact: 'write' },
    publishesEvents: true,
  },
  notifyPlatformInbox: {
    entry: 'functions/contact/handlers/notify-platform-inbox.ts',
    description: 'Emails the platform inbox about a new contact request.',
    tables: { contact: 'read-write' },
    sendsMail: true,
  },
  listPractitioners: {
    entry: 'functions/practitioners/handlers/list-practitioners.ts',
    description: 'Public listing of published practitioners.',
    tables: { practitioners: 'read' },
  },
  saveMyPractitionerProfile: {
    entry: 'functions/practitioners/handlers/save-my-profile.ts',
    description: 'Practitioner: creates or replaces their own profile (its id is their account id).',
    tables: { practitioners: 'read-write' },
  },
  getMyPractitionerProfile: {
    entry: 'functions/practitioners/handlers/get-my-profile.ts',
    description: 'Practitioner: their own profile, published or not.',
    tables: { practitioners: 'read' },
  },
  getPractitioner: {
    entry: 'functions/practitioners/handlers/get-practitioner.ts',
    description: 'Public profile of a published practitioner, with services and reviews summary.',
    tables: { practitioners: 'read', reviews: 'read' },
  },
  listFreeSlots: {
    entry: 'functions/bookings/handlers/list-free-slots.ts',
    description: 'Public: free slots of a practitioner’s service, from their offer and agenda (Europe/Paris).',
    tables: { bookings: 'read', practitioners: 'read' },
  },
  bookAppointment: {
    entry: 'functions/bookings/handlers/book-appointment.ts',
    description:
      'Client: books a free slot (Idempotency-Key; slot locks written in one transaction); starts the Stripe payment of a service paid online.',
    tables: { bookings: 'read-write', practitioners: 'read' },
    stripe: true,
  },
  listMyAppointments: {
    entry: 'functions/bookings/handlers/list-my-appointments.ts',
    description: 'Client: their appointments, by start.',
    tables: { bookings: 'read' },
  },
  getAppointment: {
    entry: 'functions/bookings/handlers/get-appointment.ts',
    description: 'Client or practitioner: one of their appointments.',
    tables: { bookings: 'read' },
  },
  rescheduleAppointment: {
    entry: 'functions/bookings/handlers/reschedule-appointment.ts',
    description: 'Client or practitioner: moves an appointment to another free slot.',
    tables: { bookings: 'read-write', practitioners: 'read' },
  },
  cancelAppointment: {
    entry: 'functions/bookings/handlers/cancel-appointment.ts',
    description: 'Client or practitioner: cancels an appointment under the cancellation policy.',
    tables: { bookings: 'read-write' },
  },
  completeAppointment: {
    entry: 'functions/bookings/handlers/complete-appointment.ts',
    description: 'Practitioner: records that an appointment took place.',
    tables: { bookings: 'read-write' },
  },
  markAppointmentNoShow: {
    entry: 'functions/bookings/handlers/mark-no-show.ts',
    description: 'Practitioner: records that the client did not come.',
    tables: { bookings: 'read-write' },
  },
  getMyAgenda: {
    entry: 'functions/bookings/handlers/get-my-agenda.ts',
    description: 'Practitioner: their appointments between two dates.',
    tables: { bookings: 'read' },
  },
  exportMyAppointments: {
    entry: 'functions/bookings/handlers/export-my-appointments.ts',
    description:
      'Practitioner (controller): exports every retained appointment, JSON or CSV, with the clients’ names and emails; logged.',
    tables: { bookings: 'read-write' },
    // The clients' names and emails, for the practitioner who is the controller of their appointments.
    identity: { actions: ['AdminGetUser'] },
    timeoutSeconds: 29,
  },
  eraseClientAppointments: {
    entry: 'functions/bookings/handlers/erase-client-appointments.ts',
    description:
      'Practitioner (controller): erases every appointment of one client with them and its slot locks; logged.',
    tables: { bookings: 'read-write' },
    timeoutSeconds: 29,
  },
  listMyControllerActions: {
    entry: 'functions/bookings/handlers/list-my-controller-actions.ts',
    description: 'Practitioner: their log of exports and erasures (identifiers and counts).',
    tables: { bookings: 'read' },
  },
  cancelAppointmentsOfDeletedAccount: {
    entry: 'functions/bookings/handlers/cancel-appointments-of-deleted-account.ts',
    description:
      'On AccountDeletionRequested: cancels (by the platform) every upcoming appointment of the account, as client and as practitioner.',
    tables: { bookings: 'read-write' },
    timeoutSeconds: 60,
  },
  notifyBookingParties: {
    entry: 'functions/bookings/handlers/notify-booking-parties.ts',
    description:
      'Emails the client and the practitioner (French, with an .ics) when an appointment is confirmed, moved or cancelled; once per version.',
    tables: { bookings: 'read-write', practitioners: 'read' },
    // The parties' email and names.
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
  },
  scheduleAppointmentReminders: {
    entry: 'functions/bookings/handlers/schedule-appointment-reminders.ts',
    description:
      'Creates, replaces or deletes the one-time reminder schedules of an appointment (24 h and 2 h before its start).',
    tables: { bookings: 'read' },
    oneTimeSchedules: { target: 'sendAppointmentReminder' },
  },
  sendAppointmentReminder: {
    entry: 'functions/bookings/handlers/send-appointment-reminder.ts',
    description: 'Scheduled: emails the client a reminder if the appointment is still confirmed at the same time.',
    tables: { bookings: 'read-write', practitioners: 'read' },
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
  },
  receiveStripeWebhook: {
    entry: 'functions/bookings/handlers/receive-stripe-webhook.ts',
    description: 'Stripe webhook: verifies the signature on the raw body, notes each event once, hands it over.',
    tables: { bookings: 'read-write' },
    publishesEvents: true,
    stripe: true,
  },
  processStripeEvent: {
    entry: 'functions/bookings/handlers/process-stripe-event.ts',
    description: 'Settles a Stripe event from the object re-read at Stripe; announces Payment* events.',
    tables: { bookings: 'read-write' },
    publishesEvents: true,
    stripe: true,
    timeoutSeconds: 30,
  },
  applyPaymentOutcome: {
    entry: 'functions/bookings/handlers/apply-payment-outcome.ts',
    description: 'PaymentSucceeded confirms the held booking (or refunds a late payment); PaymentFailed releases it.',
    tables: { bookings: 'read-write' },
    stripe: true,
    timeoutSeconds: 30,
  },
  refundCancelledBooking: {
    entry: 'functions/bookings/handlers/refund-cancelled-booking.ts',
    description: 'BookingCancelled: refunds what the cancellation policy gives back; cancels a payment still pending.',
    tables: { bookings: 'read-write' },
    stripe: true,
    timeoutSeconds: 30,
  },
  releaseExpiredHolds: {
    entry: 'functions/bookings/handlers/release-expired-holds.ts',
    description: 'Every minute: releases the bookings whose online payment did not come within the hold.',
    tables: { bookings: 'read-write' },
    stripe: true,
    timeoutSeconds: 120,
  },
  startPayoutOnboarding: {
    entry: 'functions/bookings/handlers/start-payout-onboarding.ts',
    description: 'Practitioner: opens their Stripe connected account (once) and returns an onboarding link.',
    tables: { bookings: 'read-write' },
    stripe: true,
  },
  getPayoutStatus: {
    entry: 'functions/bookings/handlers/get-payout-status.ts',
    description: 'Practitioner: whether their connected account can receive payments, re-read from Stripe.',
    tables: { bookings: 'read-write' },
    stripe: true,
  },
  refundAppointmentByStaff: {
    entry: 'functions/bookings/handlers/refund-appointment-by-staff.ts',
    description: 'Support: refunds an appointment outside the policy (no-show exception…), with who, why and a key.',
    tables: { bookings: 'read-write' },
    stripe: true,
  },
  listPaymentDisputes: {
    entry: 'functions/bookings/handlers/list-payment-disputes.ts',
    description: 'Support: the payments with a dispute, the latest first.',
    tables: { bookings: 'read' },
  },
  publishBookingEvents: {
    entry: 'functions/bookings/handlers/publish-booking-events.ts',
    description: 'Stream consumer (the outbox): publishes Booking* events for every committed appointment change.',
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  withdrawDeletedPractitionerProfile: {
    entry: 'functions/practitioners/handlers/withdraw-deleted-profile.ts',
    description: 'AccountDeletionRequested: unpublishes the profile of a practitioner who deleted their account.',
    tables: { practitioners: 'read-write' },
  },
  purgeExpiredItems: {
    entry: 'functions/retention/handlers/purge-expired-items.ts',
    description: 'Daily purge of every item past its retention, through the expiry index.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  recordDeletions: {
    entry: 'functions/retention/handlers/record-deletions.ts',
    description: 'Counts deletions per purpose, day and cause (purge, TTL, erasure); cascades TTL deletions of roots.',
    tables: everyTable('read-write'),
    timeoutSeconds: 60,
  },
  placeLegalHold: {
    entry: 'functions/retention/handlers/place-legal-hold.ts',
    description: 'DPO: places a legal hold on a data subject; their data escapes TTL and purges.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  liftLegalHold: {
    entry: 'functions/retention/handlers/lift-legal-hold.ts',
    description: 'DPO: lifts a legal hold; the data resumes its original expiry.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  listLegalHolds: {
    entry: 'functions/retention/handlers/list-legal-holds.ts',
    description: 'DPO: the legal holds, active first.',
    tables: { retention: 'read' },
  },
  sweepLegalHolds: {
    entry: 'functions/retention/handlers/sweep-legal-holds.ts',
    description: 'Daily, before the purge: re-applies every active legal hold to items written since.',
    tables: everyTable('read-write'),
    timeoutSeconds: 300,
  },
  eraseDataSubject: {
    entry: 'functions/retention/handlers/erase-data-subject.ts',
    description:
      'DPO: erases every item of a data subject, and of its email or accounts, with their Cognito users; logs the erased keys for replay after a restore.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 60,
    // The accounts of an email (ListUsers), the email of an account (AdminGetUser), their users
    // (AdminDeleteUser, even without an account item): shared/identity/account-resolver.ts.
    identity: { actions: ['ListUsers', 'AdminGetUser', 'AdminDeleteUser'] },
  },
  replayErasures: {
    entry: 'functions/retention/handlers/replay-erasures.ts',
    description: 'Operations, after a point-in-time restore: deletes again every item the erasure log names.',
    tables: everyTable('read-write'),
    timeoutSeconds: 900,
  },
  logControllerErasure: {
    entry: 'functions/retention/handlers/log-controller-erasure.ts',
    description:
      'ClientAppointmentsErased: logs the keys a practitioner erased, so a restore replay erases them again.',
    tables: { retention: 'write' },
  },
  getRegisterOfProcessing: {
    entry: 'functions/retention/handlers/get-register-of-processing.ts',
    description: 'DPO: the register of processing (GDPR art. 30), generated from the retention catalogue.',
  },
  // Reviews, part A (ADR 0015): invitations, reviews, replies, pre-moderation, the outbox.
  recordReviewInvitation: {
    entry: 'functions/reviews/handlers/record-review-invitation.ts',
    description: 'BookingCompleted: records that the client may review the appointment, for 90 days from it.',
    tables: { reviews: 'write' },
  },
  submitReview: {
    entry: 'functions/reviews/handlers/submit-review.ts',
    description: 'Client: reviews a completed appointment of theirs (within 90 days); the review waits for moderation.',
    tables: { reviews: 'read-write' },
    // The author's first name and last name's initial, shown with the review.
    identity: { actions: ['AdminGetUser'] },
  },
  editReview: {
    entry: 'functions/reviews/handlers/edit-review.ts',
    description: 'Client: edits their review; moderated again (a published one stays online as it was until then).',
    tables: { reviews: 'read-write' },
  },
  withdrawReview: {
    entry: 'functions/reviews/handlers/withdraw-review.ts',
    description: 'Client: withdraws their review (deleted at once with its reply and decisions).',
    tables: { reviews: 'read-write' },
  },
  listMyReviews: {
    entry: 'functions/reviews/handlers/list-my-reviews.ts',
    description: 'Client: their reviews with state and refusal reason.',
    tables: { reviews: 'read' },
  },
  listPractitionerReviews: {
    entry: 'functions/reviews/handlers/list-practitioner-reviews.ts',
    description: "Public: a practitioner's published reviews, newest first, with their published replies.",
    tables: { reviews: 'read' },
  },
  replyToReview: {
    entry: 'functions/reviews/handlers/reply-to-review.ts',
    description: 'Practitioner: writes or edits their one reply to a published review of them (moderated).',
    tables: { reviews: 'read-write' },
  },
  decideReview: {
    entry: 'functions/reviews/handlers/decide-review.ts',
    description: 'Moderator: accepts or refuses a waiting review, on their live claim, with a decision record.',
    tables: { reviews: 'read-write' },
  },
  decideReply: {
    entry: 'functions/reviews/handlers/decide-reply.ts',
    description: "Moderator: accepts or refuses a practitioner's waiting reply, on their live claim.",
    tables: { reviews: 'read-write' },
  },
  publishReviewEvents: {
    entry: 'functions/reviews/handlers/publish-review-events.ts',
    description:
      'Stream consumer (the outbox): publishes a Review* event for every committed change or deletion of a review.',
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  publishReviewWithdrawals: {
    entry: 'functions/reviews/handlers/publish-review-withdrawals.ts',
    description:
      'Stream consumer (the outbox, REMOVE records): publishes ReviewWithdrawn for every deleted review (withdrawal, erasure, purge).',
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  notifyReviewAuthor: {
    entry: 'functions/reviews/handlers/notify-review-author.ts',
    description:
      'ReviewRefused / ReviewPublished: mails the author (French), a refusal with its reason; once per decision.',
    tables: { reviews: 'read-write' },
    // The author's email and first name.
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
  },
  deleteReviewsOfDeletedAccount: {
    entry: 'functions/reviews/handlers/delete-reviews-of-deleted-account.ts',
    description: 'AccountDeletionRequested: deletes the reviews the account wrote.',
    tables: { reviews: 'read-write' },
    timeoutSeconds: 60,
  },
  // Reviews, part C (ADR 0015): the moderation queue, the summary projection, the review policy.
  listModerationQueue: {
    entry: 'functions/reviews/handlers/list-moderation-queue.ts',
    description: 'Moderator: the items waiting for a decision (reviews, replies, reports, appeals), oldest first.',
    tables: { reviews: 'read' },
  },
  claimModerationItem: {
    entry: 'functions/reviews/handlers/claim-moderation-item.ts',
    description: 'Moderator: claims a waiting item for 10 minutes (conditional on no live claim of another).',
    tables: { reviews: 'read-write' },
  },
  projectReviewSummary: {
    entry: 'functions/reviews/handlers/project-review-summary.ts',
    description:
      "Review events: re-reads the review and updates its practitioner's summary (count, average, distribution).",
    tables: { reviews: 'read-write' },
  },
  getReviewPolicy: {
    entry: 'functions/reviews/handlers/get-review-policy.ts',
    description: 'Public: how reviews are checked, ranked, kept and contested (Code de la consommation D111-17).',
  },
  alertStaleModeration: {
    entry: 'functions/reviews/handlers/alert-stale-moderation.ts',
    description:
      'Hourly: mails the moderators the items waiting more than 48 hours (ids and ages only), once a day per item.',
    tables: { reviews: 'read-write' },
    sendsMail: true,
  },
  // Reviews, part B (ADR 0015): reports, decisions, appeals, reporter bars, the transparency report.
  fileReport: {
    entry: 'functions/reviews/handlers/file-report.ts',
    description:
      'Signed in: reports a published review (one open report per reporter and review; barred reporters refused).',
    tables: { reviews: 'read-write' },
    publishesEvents: true,
  },
  listMyReports: {
    entry: 'functions/reviews/handlers/list-my-reports.ts',
    description: "Signed in: the caller's reports and their outcome.",
    tables: { reviews: 'read' },
  },
  decideReport: {
    entry: 'functions/reviews/handlers/decide-report.ts',
    description:
      'Moderator: keeps, removes or restricts a reported review with a statement of reasons, on their live claim (one transaction).',
    tables: { reviews: 'read-write' },
    publishesEvents: true,
  },
  fileAppeal: {
    entry: 'functions/reviews/handlers/file-appeal.ts',
    description: "The reporter or the review's author: appeals a report's decision within 6 months of it.",
    tables: { reviews: 'read-write' },
    publishesEvents: true,
  },
  decideAppeal: {
    entry: 'functions/reviews/handlers/decide-appeal.ts',
    description: 'Moderator other than the decider: upholds or reverses a decision on appeal, on their live claim.',
    tables: { reviews: 'read-write' },
    publishesEvents: true,
  },
  barReporter: {
    entry: 'functions/reviews/handlers/bar-reporter.ts',
    description: 'Moderator: bars a reporter with 3 unfounded reports within 12 months, for up to 6 months (audited).',
    tables: { reviews: 'read-write' },
  },
  getTransparencyReport: {
    entry: 'functions/reviews/handlers/get-transparency-report.ts',
    description:
      'Moderator, DPO: counts of reports, decisions, time to decision, appeals over a period (no personal data).',
    tables: { reviews: 'read' },
  },
  notifyReportParties: {
    entry: 'functions/reviews/handlers/notify-report-parties.ts',
    description:
      "ReportFiled / ReportDecided / AppealDecided: mails the reporter's acknowledgement, the author's statement of reasons, the outcomes (French), once each.",
    tables: { reviews: 'read-write' },
    // The parties' email and first name.
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
  },
  // Messaging (ADR 0016): conversations between a client and a practitioner, the live push.
  openConversation: {
    entry: 'functions/messaging/handlers/open-conversation.ts',
    description: 'Client: opens (or finds) their one conversation with a published practitioner.',
    // practitioners: whether the practitioner is published, and their public name.
    tables: { messaging: 'read-write', practitioners: 'read' },
    // The client's first name and last name's initial, shown to the practitioner.
    identity: { actions: ['AdminGetUser'] },
  },
  listMyConversations: {
    entry: 'functions/messaging/handlers/list-my-conversations.ts',
    description:
      "Client, practitioner: their conversations, latest first, with the other party's name and the unread count.",
    tables: { messaging: 'read' },
  },
  listMessages: {
    entry: 'functions/messaging/handlers/list-messages.ts',
    description: 'A party: the messages of their conversation, a page before or after a cursor.',
    tables: { messaging: 'read' },
  },
  sendMessage: {
    entry: 'functions/messaging/handlers/send-message.ts',
    description:
      'A party: sends a text message; the conversation’s 5-year clock starts again (the table’s stream announces it).',
    tables: { messaging: 'read-write' },
  },
  markConversationRead: {
    entry: 'functions/messaging/handlers/mark-conversation-read.ts',
    description: 'A party: marks the conversation read up to now (its unread count drops to 0).',
    tables: { messaging: 'read-write' },
  },
  setConversationBlock: {
    entry: 'functions/messaging/handlers/set-conversation-block.ts',
    description: 'A party: blocks (or unblocks) the other party; no new message while blocked, the history is kept.',
    tables: { messaging: 'read-write' },
  },
  closeConversation: {
    entry: 'functions/messaging/handlers/close-conversation.ts',
    description: 'Practitioner: closes a conversation (no new message; the history is kept).',
    tables: { messaging: 'read-write' },
  },
  reportMessage: {
    entry: 'functions/messaging/handlers/report-message.ts',
    description: 'A party: reports a message of the other party to support (MessageReported, identifiers only).',
    tables: { messaging: 'read-write' },
    publishesEvents: true,
  },
  publishMessageEvents: {
    entry: 'functions/messaging/handlers/publish-message-events.ts',
    description: 'Stream consumer (the outbox): publishes MessageSent for every stored message (identifiers only).',
    tables: { messaging: 'read' },
    publishesEvents: true,
  },
  notifyMessageRecipient: {
    entry: 'functions/messaging/handlers/notify-message-recipient.ts',
    description:
      'MessageSent: mails the recipient "nouveau message" without its text (French), once per conversation while unread messages wait.',
    tables: { messaging: 'read-write' },
    // The recipient's email and first name.
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
  },
  pushMessage: {
    entry: 'functions/messaging/handlers/push-message.ts',
    description: "MessageSent: pushes the message to the recipient's open WebSocket connections, forgetting gone ones.",
    tables: { messaging: 'read-write' },
    managesConnections: true,
  },
  connectSocket: {
    entry: 'functions/messaging/handlers/connect-socket.ts',
    description:
      'WebSocket $connect: verifies the ID token (a live, unrevoked account) and records the connection (2 h TTL).',
    // security: the account's revocation (shared/security/revocations.ts).
    tables: { messaging: 'write', security: 'read' },
    verifiesTokens: true,
  },
  disconnectSocket: {
    entry: 'functions/messaging/handlers/disconnect-socket.ts',
    description: 'WebSocket $disconnect: forgets the connection.',
    tables: { messaging: 'write' },
  },
  recordMailAlertChoice: {
    entry: 'functions/messaging/handlers/record-mail-alert-choice.ts',
    description:
      'ConsentChanged: records whether the person wants the "nouveau message" mail or objected (the latest change wins).',
    tables: { messaging: 'write' },
  },
  forgetDeletedParty: {
    entry: 'functions/messaging/handlers/forget-deleted-party.ts',
    description:
      'AccountDeletionRequested: the account’s conversations stay for the other party, its name replaced by "compte supprimé"; its connections are closed.',
    tables: { messaging: 'read-write' },
    managesConnections: true,
  },
  // Privacy (ADR 0017): the DPO's register of rights requests received by post or email.
  recordRightsRequest: {
    entry: 'functions/privacy/handlers/record-rights-request.ts',
    description: 'DPO: records a rights request received by post or email; its deadline is one month from the receipt.',
    tables: { privacy: 'read-write' },
    publishesEvents: true,
  },
  listOpenRightsRequests: {
    entry: 'functions/privacy/handlers/list-open-rights-requests.ts',
    description: 'DPO: the open rights requests, the nearest deadline first.',
    tables: { privacy: 'read' },
  },
  getRightsRequest: {
    entry: 'functions/privacy/handlers/get-rights-request.ts',
    description: 'DPO: one rights request.',
    tables: { privacy: 'read' },
  },
  checkRightsRequestIdentity: {
    entry: 'functions/privacy/handlers/check-rights-request-identity.ts',
    description: "DPO: records the identity check's outcome (never the proof).",
    tables: { privacy: 'read-write' },
  },
  extendRightsRequest: {
    entry: 'functions/privacy/handlers/extend-rights-request.ts',
    description: 'DPO: extends the deadline by one or two months with a reason, and tells the subject by mail.',
    tables: { privacy: 'read-write' },
    // The address of a subject known by account only.
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
  },
  answerRightsRequest: {
    entry: 'functions/privacy/handlers/answer-rights-request.ts',
    description: 'DPO: records the answer; the request is closed and kept 5 years from it.',
    tables: { privacy: 'read-write' },
    publishesEvents: true,
  },
  warnRightsRequestDeadlines: {
    entry: 'functions/privacy/handlers/warn-rights-request-deadlines.ts',
    description: 'Daily: mails the DPO about rights requests due within 7 days and overdue ones, once per deadline.',
    tables: { privacy: 'read-write' },
    publishesEvents: true,
    sendsMail: true,
  },
  // Data exports (ADR 0018): the order, the collection of the parts, the delivery.
  requestMyExport: {
    entry: 'functions/privacy/handlers/request-my-export.ts',
    description: 'Signed-in person: starts an export of their data (ExportRequested); every context adds its part.',
    tables: { privacy: 'read-write' },
    // The person's current email: items keyed by it (contact requests) are theirs too.
    identity: { actions: ['AdminGetUser'] },
    publishesEvents: true,
  },
  getMyExport: {
    entry: 'functions/privacy/handlers/get-my-export.ts',
    description: 'Signed-in person: their export, its progress and once ready the JSON document with its README.',
    tables: { privacy: 'read' },
    timeoutSeconds: 29,
    memoryMb: 1024,
  },
  exportForRightsRequest: {
    entry: 'functions/privacy/handlers/export-for-rights-request.ts',
    description: 'DPO: answers a verified access or portability request with an export mailed to the verified address.',
    tables: { privacy: 'read-write' },
    // The account of the request's email (ListUsers), the address of a request by account (AdminGetUser).
    identity: { actions: ['AdminGetUser', 'ListUsers'] },
    publishesEvents: true,
  },
  collectExportPart: {
    entry: 'functions/privacy/handlers/collect-export-part.ts',
    description:
      'ExportPartReady: notes the part; the last one makes the export ready, mails the person (or the document to the verified address), announces ExportReady.',
    tables: { privacy: 'read-write' },
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
    publishesEvents: true,
    timeoutSeconds: 60,
    memoryMb: 1024,
  },
  // Each context holding personal data writes its part(s) of an export from its own table (shared/privacy/export-handler.ts).
  exportAccountData: {
    entry: 'functions/accounts/handlers/export-account-data.ts',
    description: 'ExportRequested: writes the account part (account items and the Cognito identity).',
    tables: { accounts: 'read', privacy: 'read-write' },
    identity: { actions: ['AdminGetUser'] },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  exportBookingsData: {
    entry: 'functions/bookings/handlers/export-bookings-data.ts',
    description: 'ExportRequested: writes the bookings part (appointments, payments, notification receipts).',
    tables: { bookings: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
    memoryMb: 1024,
  },
  exportContactData: {
    entry: 'functions/contact/handlers/export-contact-data.ts',
    description: 'ExportRequested: writes the contact part (contact requests sent with the person’s email).',
    tables: { contact: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  exportPractitionerData: {
    entry: 'functions/practitioners/handlers/export-practitioner-data.ts',
    description: 'ExportRequested: writes the practitioner part (the profile, published or not).',
    tables: { practitioners: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  exportMessagingData: {
    entry: 'functions/messaging/handlers/export-messaging-data.ts',
    description: 'ExportRequested: writes the messaging part (conversations, messages, reports, connections).',
    tables: { messaging: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
    memoryMb: 1024,
  },
  exportReviewsData: {
    entry: 'functions/reviews/handlers/export-reviews-data.ts',
    description: 'ExportRequested: writes the reviews part (reviews, replies, reports, appeals, invitations).',
    tables: { reviews: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  exportPrivacyData: {
    entry: 'functions/privacy/handlers/export-privacy-data.ts',
    description:
      'ExportRequested: writes the rights-requests and consents parts (privacy table) and the connections part (security table).',
    tables: { privacy: 'read-write', security: 'read' },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  // Privacy (issue 15): consents and objections of the signed-in person.
  getMyConsents: {
    entry: 'functions/privacy/handlers/get-my-consents.ts',
    description: 'Signed in: their consents and objections (defaults where none was made) and their last changes.',
    tables: { privacy: 'read' },
  },
  putMyConsent: {
    entry: 'functions/privacy/handlers/put-my-consent.ts',
    description:
      'Signed in: gives or withdraws a consent, objects or stops objecting; state and change log in one transaction, ConsentChanged announced.',
    tables: { privacy: 'read-write' },
    publishesEvents: true,
  },
  // Post-mortem directives and recorded deaths (ADR 0018).
  getMyDirective: {
    entry: 'functions/privacy/handlers/get-my-directive.ts',
    description: 'Signed-in person: their post-mortem directive, if any.',
    tables: { privacy: 'read' },
  },
  setMyDirective: {
    entry: 'functions/privacy/handlers/set-my-directive.ts',
    description: 'Signed-in person: records or changes their post-mortem directive.',
    tables: { privacy: 'read-write' },
  },
  revokeMyDirective: {
    entry: 'functions/privacy/handlers/revoke-my-directive.ts',
    description: 'Signed-in person: revokes their post-mortem directive (the heirs’ rights then apply).',
    tables: { privacy: 'read-write' },
  },
  recordDeath: {
    entry: 'functions/privacy/handlers/record-death.ts',
    description:
      'DPO: records a death (proof checked, not kept); the directive gives the plan: DeathRecorded, an export to the designee, or kept.',
    tables: { privacy: 'read-write' },
    // The account of an email (ListUsers), that it exists and its address (AdminGetUser).
    identity: { actions: ['AdminGetUser', 'ListUsers'] },
    publishesEvents: true,
  },
  getDeath: {
    entry: 'functions/privacy/handlers/get-death.ts',
    description: 'DPO: the death recorded for an account, its plan and its execution.',
    tables: { privacy: 'read' },
  },
  keepChoicesInStep: {
    entry: 'functions/privacy/handlers/keep-choices-in-step.ts',
    description:
      'Directives and consent choices follow their account: slid by its activity, the directive deleted with it; the death record notes DirectivesExecuted.',
    tables: { privacy: 'read-write' },
  },
  closeDeceasedAccount: {
    entry: 'functions/accounts/handlers/close-deceased-account.ts',
    description: 'DeathRecorded: closes the deceased person’s account (signed out, disabled, tokens revoked).',
    // security: the account's revocation (shared/security/revocations.ts).
    tables: { security: 'write' },
    identity: { actions: ['AdminUserGlobalSignOut', 'AdminDisableUser'] },
  },
  eraseDeceasedAccount: {
    entry: 'functions/retention/handlers/erase-deceased-account.ts',
    description:
      'DeathRecorded (erase): erases everything of the deceased person’s account as the DPO’s erasure does; announces DirectivesExecuted.',
    tables: everyTable('read-write'),
    identity: { actions: ['ListUsers', 'AdminGetUser', 'AdminDeleteUser'] },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  // Support tickets and complaints (ADR 0019).
  openSupportTicket: {
    entry: 'functions/support/handlers/open-support-ticket.ts',
    description:
      'Client or practitioner: opens a support ticket or a complaint with its first message (the table’s stream announces it).',
    tables: { support: 'write' },
  },
  listMySupportTickets: {
    entry: 'functions/support/handlers/list-my-support-tickets.ts',
    description: 'Client or practitioner: their open tickets, newest first.',
    tables: { support: 'read' },
  },
  getMySupportTicket: {
    entry: 'functions/support/handlers/get-my-support-ticket.ts',
    description: 'Client or practitioner: one of their tickets with its messages.',
    tables: { support: 'read' },
  },
  answerMySupportTicket: {
    entry: 'functions/support/handlers/answer-my-support-ticket.ts',
    description: 'Client or practitioner: writes in their own ticket; it is support’s turn again.',
    tables: { support: 'read-write' },
  },
  listSupportQueue: {
    entry: 'functions/support/handlers/list-support-queue.ts',
    description: 'Support: the open tickets in one state, oldest first (index byQueue).',
    tables: { support: 'read' },
  },
  getSupportTicket: {
    entry: 'functions/support/handlers/get-support-ticket.ts',
    description: 'Support: one open ticket with its messages.',
    tables: { support: 'read' },
  },
  assignSupportTicket: {
    entry: 'functions/support/handlers/assign-support-ticket.ts',
    description: 'Support: assigns a ticket to themselves or another support member.',
    tables: { support: 'read-write' },
  },
  answerSupportTicket: {
    entry: 'functions/support/handlers/answer-support-ticket.ts',
    description: 'Support: answers a ticket, which then waits for its opener (30 days at most).',
    tables: { support: 'read-write' },
  },
  closeSupportTicket: {
    entry: 'functions/support/handlers/close-support-ticket.ts',
    description:
      'Support: closes a ticket (resolved, unresolved): it and its messages are deleted at once; the audit entry and the month’s count remain.',
    tables: { support: 'read-write' },
  },
  openMessageReportTicket: {
    entry: 'functions/support/handlers/open-message-report-ticket.ts',
    description: 'MessageReported: opens a ticket of ids (report, conversation, message) in support’s queue, once.',
    // read: the condition that the report's ticket was never closed (a ConditionCheck).
    tables: { support: 'read-write' },
  },
  publishSupportEvents: {
    entry: 'functions/support/handlers/publish-support-events.ts',
    description:
      'Stream consumer (the outbox): publishes TicketOpened, TicketAnswered and TicketClosed (identifiers only).',
    tables: { support: 'read' },
    publishesEvents: true,
  },
  notifyTicketOpener: {
    entry: 'functions/support/handlers/notify-ticket-opener.ts',
    description:
      'TicketOpened, TicketAnswered, TicketClosed: mails the opener (French, never the ticket’s text); an unresolved complaint’s closure names the consumer mediator.',
    // The opener's email and first name.
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
    mediator: true,
  },
  runSupportTicketClock: {
    entry: 'functions/support/handlers/run-ticket-clock.ts',
    description:
      'Daily: tickets waiting for their opener get a notice at day 23 and are closed (no-reply) at day 30 (index byWaiting).',
    tables: { support: 'read-write' },
    identity: { actions: ['AdminGetUser'] },
    sendsMail: true,
    timeoutSeconds: 300,
  },
  exportSupportData: {
    entry: 'functions/support/handlers/export-support-data.ts',
    description:
      'ExportRequested: writes the support part (open tickets with their messages, closures’ audit entries).',
    tables: { support: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  // Newsletter (ADR 0020): double opt-in, one-click unsubscribe, the 3-year clock and its renewal.
  subscribeToNewsletter: {
    entry: 'functions/newsletter/handlers/subscribe-to-newsletter.ts',
    description:
      'Public: a request to receive the newsletter; mails a confirmation link (7 days) unless the address is confirmed, undeliverable or just mailed; the same answer for every address.',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    sendsMail: true,
    publishesEvents: true,
  },
  followNewsletterConsent: {
    entry: 'functions/newsletter/handlers/follow-newsletter-consent.ts',
    description:
      'ConsentChanged (newsletter): a signed-in person’s withdrawal ends their subscription and suppresses the address; their consent mails the double opt-in link.',
    tables: { newsletter: 'read-write' },
    // Their address (AdminGetUser).
    identity: { actions: ['AdminGetUser'] },
    newsletter: true,
    sendsMail: true,
    publishesEvents: true,
  },
  showNewsletterConfirmation: {
    entry: 'functions/newsletter/handlers/show-newsletter-confirmation.ts',
    description: 'Public: the confirmation link’s page (a button confirms; opening the link changes nothing).',
  },
  confirmNewsletterSubscription: {
    entry: 'functions/newsletter/handlers/confirm-newsletter-subscription.ts',
    description:
      'Public: confirms a subscription from its link (idempotent): the 3-year clock starts, the suppression is lifted, NewsletterConfirmed.',
    tables: { newsletter: 'read-write' },
    publishesEvents: true,
  },
  showNewsletterUnsubscribe: {
    entry: 'functions/newsletter/handlers/show-newsletter-unsubscribe.ts',
    description: 'Public: the unsubscribe link’s page (a button posts the one-click unsubscribe).',
  },
  unsubscribeFromNewsletter: {
    entry: 'functions/newsletter/handlers/unsubscribe-from-newsletter.ts',
    description:
      'Public (RFC 8058 one-click POST): deletes the subscription at once and suppresses the address (keyed hash), NewsletterUnsubscribed.',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    publishesEvents: true,
  },
  showNewsletterRenewal: {
    entry: 'functions/newsletter/handlers/show-newsletter-renewal.ts',
    description: 'Public: the renewal link’s page (yes and no buttons).',
  },
  answerNewsletterRenewal: {
    entry: 'functions/newsletter/handlers/answer-newsletter-renewal.ts',
    description:
      'Public: the renewal answer: yes restarts the 3-year clock (NewsletterRenewed), no deletes and suppresses (NewsletterUnsubscribed).',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    publishesEvents: true,
  },
  askNewsletterRenewals: {
    entry: 'functions/newsletter/handlers/ask-newsletter-renewals.ts',
    description:
      'Daily: asks every subscription ending within 30 days whether to go on (byExpiry index from a checkpoint, once per expiry).',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    sendsMail: true,
    publishesEvents: true,
    timeoutSeconds: 300,
  },
  createNewsletterCampaign: {
    entry: 'functions/newsletter/handlers/create-newsletter-campaign.ts',
    description: 'Support: writes a campaign (a draft); its links must lead to the allowed targets.',
    tables: { newsletter: 'write' },
    newsletter: true,
  },
  getNewsletterCampaign: {
    entry: 'functions/newsletter/handlers/get-newsletter-campaign.ts',
    description: 'Support: a campaign and its progress.',
    tables: { newsletter: 'read' },
    newsletter: true,
  },
  startNewsletterCampaign: {
    entry: 'functions/newsletter/handlers/start-newsletter-campaign.ts',
    description: 'Support: starts sending a draft to the confirmed subscribers (NewsletterCampaignStarted).',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    publishesEvents: true,
  },
  sendNewsletterCampaign: {
    entry: 'functions/newsletter/handlers/send-newsletter-campaign.ts',
    description:
      'NewsletterCampaignStarted/Progressed: mails the confirmed subscribers in batches of 25 from the campaign’s checkpoint (one mail per subscriber), with tracked links and the one-click unsubscribe.',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    sendsMail: true,
    publishesEvents: true,
    timeoutSeconds: 300,
  },
  followNewsletterLink: {
    entry: 'functions/newsletter/handlers/follow-newsletter-link.ts',
    description:
      'Public: a campaign’s tracked link; restarts the subscriber’s 3-year clock (one write a day at most) and redirects to the allow-listed target.',
    tables: { newsletter: 'read-write' },
    newsletter: true,
  },
  recordSesFeedback: {
    entry: 'functions/newsletter/handlers/record-ses-feedback.ts',
    description:
      'SES bounces and complaints of the newsletter mails (configuration set <stack>-newsletter, through its SNS topic): a permanent bounce or a complaint ends the subscription at once and suppresses the address.',
    tables: { newsletter: 'read-write' },
    newsletter: true,
    sesFeedback: true,
    publishesEvents: true,
  },
  exportNewsletterData: {
    entry: 'functions/newsletter/handlers/export-newsletter-data.ts',
    description: 'ExportRequested: writes the newsletter part (the subscription or request of the person’s address).',
    tables: { newsletter: 'read', privacy: 'read-write' },
    publishesEvents: true,
    timeoutSeconds: 60,
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof declared;

/** Both accesses at once: read and write make read-write. */
function joinAccess(...modes: readonly (TableAccess | undefined)[]): TableAccess | undefined {
  const reads = modes.some((mode) => mode === 'read' || mode === 'read-write');
  const writes = modes.some((mode) => mode === 'write' || mode === 'read-write');
  if (reads && writes) return 'read-write';
  return reads ? 'read' : writes ? 'write' : undefined;
}

/**
 * What a function needs because of the routes it serves, added to its declaration so that no
 * route can forget it (shared/http/guards.ts): for a route that is not public, a read of the
 * security table (the revocation list every signed-in request is checked against) and the bus
 * (the caller's activity); for rate limits and connection records, a write of the security table.
 */
function withRouteNeeds(
  definitions: Record<FunctionName, FunctionDefinition>,
  served: readonly Route<FunctionName>[],
): Record<FunctionName, FunctionDefinition> {
  const out = { ...definitions };
  for (const route of served) {
    const fn = out[route.function];
    const { operation } = route;
    const signedIn = operation.access.kind !== 'public';
    const writesSecurity = Boolean(operation.rateLimit || operation.recordConnection);
    const security = joinAccess(
      fn.tables?.security,
      signedIn ? 'read' : undefined,
      writesSecurity ? 'write' : undefined,
    );
    out[route.function] = {
      ...fn,
      http: true,
      ...(security ? { tables: { ...fn.tables, security } } : {}),
      ...(signedIn ? { publishesEvents: true } : {}),
    };
  }
  return out;
}

export const functions: Readonly<Record<FunctionName, FunctionDefinition>> = withRouteNeeds(declared, routes);
