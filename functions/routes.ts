/**
 * The route table: every HTTP route of the API, once. API Gateway (infra/constructs/api.ts), the
 * local gateway (local/gateway.ts) and the OpenAPI document (shared/http/openapi.ts) are all
 * built from it. A route names its operation contract, the function that serves it and who may
 * call it (declared by the operation).
 */

import type { Route as RouteOf } from '#shared/http/contract.ts';
import * as accounts from './accounts/contract.ts';
import * as bookings from './bookings/contract.ts';
import type { FunctionName } from './catalogue.ts';
import * as contact from './contact/contract.ts';
import * as messaging from './messaging/contract.ts';
import * as newsletter from './newsletter/contract.ts';
import * as platform from './platform/contract.ts';
import * as practitioners from './practitioners/contract.ts';
import * as privacy from './privacy/contract.ts';
import * as retention from './retention/contract.ts';
import * as reviews from './reviews/contract.ts';
import * as support from './support/contract.ts';

export type Route = RouteOf<FunctionName>;

export const routes: readonly Route[] = [
  { method: 'GET', path: '/health', operation: platform.getHealth, function: 'getHealth' },
  { method: 'GET', path: '/me', operation: accounts.getMe, function: 'getMe' },
  { method: 'PATCH', path: '/me', operation: accounts.updateMe, function: 'updateMe' },
  { method: 'DELETE', path: '/me', operation: accounts.deleteMe, function: 'deleteMe' },
  {
    method: 'POST',
    path: '/staff/accounts/{accountId}/suspend',
    operation: accounts.suspendAccount,
    function: 'suspendAccount',
  },
  {
    method: 'POST',
    path: '/staff/accounts/{accountId}/reinstate',
    operation: accounts.reinstateAccount,
    function: 'reinstateAccount',
  },
  {
    method: 'POST',
    path: '/contact',
    operation: contact.submitContactRequest,
    function: 'submitContactRequest',
  },
  {
    method: 'GET',
    path: '/practitioners',
    operation: practitioners.listPractitioners,
    function: 'listPractitioners',
  },
  {
    method: 'PUT',
    path: '/practitioners/me/profile',
    operation: practitioners.saveMyPractitionerProfile,
    function: 'saveMyPractitionerProfile',
  },
  {
    method: 'GET',
    path: '/practitioners/me/profile',
    operation: practitioners.getMyPractitionerProfile,
    function: 'getMyPractitionerProfile',
  },
  {
    method: 'GET',
    path: '/practitioners/{practitionerId}',
    operation: practitioners.getPractitioner,
    function: 'getPractitioner',
  },
  {
    method: 'GET',
    path: '/practitioners/{practitionerId}/slots',
    operation: bookings.listFreeSlots,
    function: 'listFreeSlots',
  },
  { method: 'GET', path: '/practitioners/me/agenda', operation: bookings.getMyAgenda, function: 'getMyAgenda' },
  {
    method: 'GET',
    path: '/practitioners/me/appointments/export',
    operation: bookings.exportMyAppointments,
    function: 'exportMyAppointments',
  },
  {
    method: 'DELETE',
    path: '/practitioners/me/clients/{clientId}/appointments',
    operation: bookings.eraseClientAppointments,
    function: 'eraseClientAppointments',
  },
  {
    method: 'GET',
    path: '/practitioners/me/controller-actions',
    operation: bookings.listMyControllerActions,
    function: 'listMyControllerActions',
  },
  { method: 'POST', path: '/bookings', operation: bookings.bookAppointment, function: 'bookAppointment' },
  { method: 'GET', path: '/bookings', operation: bookings.listMyAppointments, function: 'listMyAppointments' },
  {
    method: 'GET',
    path: '/bookings/{appointmentId}',
    operation: bookings.getAppointment,
    function: 'getAppointment',
  },
  {
    method: 'POST',
    path: '/bookings/{appointmentId}/reschedule',
    operation: bookings.rescheduleAppointment,
    function: 'rescheduleAppointment',
  },
  {
    method: 'POST',
    path: '/bookings/{appointmentId}/cancel',
    operation: bookings.cancelAppointment,
    function: 'cancelAppointment',
  },
  {
    method: 'POST',
    path: '/bookings/{appointmentId}/complete',
    operation: bookings.completeAppointment,
    function: 'completeAppointment',
  },
  {
    method: 'POST',
    path: '/bookings/{appointmentId}/no-show',
    operation: bookings.markAppointmentNoShow,
    function: 'markAppointmentNoShow',
  },
  {
    method: 'POST',
    path: '/webhooks/stripe',
    operation: bookings.receiveStripeWebhook,
    function: 'receiveStripeWebhook',
  },
  {
    method: 'POST',
    path: '/practitioners/me/payouts/onboarding',
    operation: bookings.startPayoutOnboarding,
    function: 'startPayoutOnboarding',
  },
  {
    method: 'GET',
    path: '/practitioners/me/payouts',
    operation: bookings.getPayoutStatus,
    function: 'getPayoutStatus',
  },
  {
    method: 'POST',
    path: '/staff/bookings/{appointmentId}/refunds',
    operation: bookings.refundAppointmentByStaff,
    function: 'refundAppointmentByStaff',
  },
  {
    method: 'GET',
    path: '/staff/payments/disputes',
    operation: bookings.listPaymentDisputes,
    function: 'listPaymentDisputes',
  },
  { method: 'POST', path: '/privacy/legal-holds', operation: retention.placeLegalHold, function: 'placeLegalHold' },
  { method: 'GET', path: '/privacy/legal-holds', operation: retention.listLegalHolds, function: 'listLegalHolds' },
  {
    method: 'POST',
    path: '/privacy/legal-holds/{holdId}/lift',
    operation: retention.liftLegalHold,
    function: 'liftLegalHold',
  },
  { method: 'POST', path: '/privacy/erasures', operation: retention.eraseDataSubject, function: 'eraseDataSubject' },
  {
    method: 'GET',
    path: '/privacy/register',
    operation: retention.getRegisterOfProcessing,
    function: 'getRegisterOfProcessing',
  },
  // Reviews, part A (ADR 0015): reviews, replies, their pre-moderation, the public list.
  { method: 'POST', path: '/reviews', operation: reviews.submitReview, function: 'submitReview' },
  { method: 'PATCH', path: '/reviews/{reviewId}', operation: reviews.editReview, function: 'editReview' },
  { method: 'DELETE', path: '/reviews/{reviewId}', operation: reviews.withdrawReview, function: 'withdrawReview' },
  { method: 'GET', path: '/me/reviews', operation: reviews.listMyReviews, function: 'listMyReviews' },
  { method: 'PUT', path: '/reviews/{reviewId}/reply', operation: reviews.replyToReview, function: 'replyToReview' },
  {
    method: 'GET',
    path: '/practitioners/{practitionerId}/reviews',
    operation: reviews.listPractitionerReviews,
    function: 'listPractitionerReviews',
  },
  {
    method: 'POST',
    path: '/moderation/reviews/{reviewId}/decision',
    operation: reviews.decideReview,
    function: 'decideReview',
  },
  {
    method: 'POST',
    path: '/moderation/replies/{reviewId}/decision',
    operation: reviews.decideReply,
    function: 'decideReply',
  },
  // Reviews, part C (ADR 0015): the moderation queue and the review policy.
  {
    method: 'GET',
    path: '/moderation/queue',
    operation: reviews.listModerationQueue,
    function: 'listModerationQueue',
  },
  {
    method: 'POST',
    path: '/moderation/queue/{kind}/{id}/claim',
    operation: reviews.claimModerationItem,
    function: 'claimModerationItem',
  },
  { method: 'GET', path: '/reviews/policy', operation: reviews.getReviewPolicy, function: 'getReviewPolicy' },
  // Reviews, part B (ADR 0015): reports, their decisions and appeals, reporter bars, the transparency report.
  { method: 'POST', path: '/reviews/{reviewId}/reports', operation: reviews.fileReport, function: 'fileReport' },
  { method: 'GET', path: '/me/reports', operation: reviews.listMyReports, function: 'listMyReports' },
  {
    method: 'POST',
    path: '/moderation/reports/{reportId}/decision',
    operation: reviews.decideReport,
    function: 'decideReport',
  },
  {
    method: 'POST',
    path: '/moderation/decisions/{reportId}/appeals',
    operation: reviews.fileAppeal,
    function: 'fileAppeal',
  },
  {
    method: 'POST',
    path: '/moderation/appeals/{appealId}/decision',
    operation: reviews.decideAppeal,
    function: 'decideAppeal',
  },
  {
    method: 'POST',
    path: '/moderation/reporters/{accountId}/bar',
    operation: reviews.barReporter,
    function: 'barReporter',
  },
  {
    method: 'GET',
    path: '/moderation/transparency-report',
    operation: reviews.getTransparencyReport,
    function: 'getTransparencyReport',
  },
  // Messaging (ADR 0016): conversations between a client and a practitioner.
  { method: 'POST', path: '/conversations', operation: messaging.openConversation, function: 'openConversation' },
  { method: 'GET', path: '/conversations', operation: messaging.listMyConversations, function: 'listMyConversations' },
  {
    method: 'GET',
    path: '/conversations/{conversationId}/messages',
    operation: messaging.listMessages,
    function: 'listMessages',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages',
    operation: messaging.sendMessage,
    function: 'sendMessage',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/read',
    operation: messaging.markConversationRead,
    function: 'markConversationRead',
  },
  {
    method: 'PUT',
    path: '/conversations/{conversationId}/block',
    operation: messaging.setConversationBlock,
    function: 'setConversationBlock',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/close',
    operation: messaging.closeConversation,
    function: 'closeConversation',
  },
  {
    method: 'POST',
    path: '/conversations/{conversationId}/messages/{messageId}/reports',
    operation: messaging.reportMessage,
    function: 'reportMessage',
  },
  // Privacy (ADR 0017): the DPO's register of rights requests received by post or email.
  {
    method: 'POST',
    path: '/privacy/rights-requests',
    operation: privacy.recordRightsRequest,
    function: 'recordRightsRequest',
  },
  {
    method: 'GET',
    path: '/privacy/rights-requests',
    operation: privacy.listOpenRightsRequests,
    function: 'listOpenRightsRequests',
  },
  {
    method: 'GET',
    path: '/privacy/rights-requests/{requestId}',
    operation: privacy.getRightsRequest,
    function: 'getRightsRequest',
  },
  {
    method: 'POST',
    path: '/privacy/rights-requests/{requestId}/identity-check',
    operation: privacy.checkRightsRequestIdentity,
    function: 'checkRightsRequestIdentity',
  },
  {
    method: 'POST',
    path: '/privacy/rights-requests/{requestId}/extension',
    operation: privacy.extendRightsRequest,
    function: 'extendRightsRequest',
  },
  {
    method: 'POST',
    path: '/privacy/rights-requests/{requestId}/answer',
    operation: privacy.answerRightsRequest,
    function: 'answerRightsRequest',
  },
  // Privacy (issue 15): consents and objections of the signed-in person.
  { method: 'GET', path: '/me/consents', operation: privacy.getMyConsents, function: 'getMyConsents' },
  { method: 'PUT', path: '/me/consents/{choice}', operation: privacy.putMyConsent, function: 'putMyConsent' },
  {
    method: 'POST',
    path: '/privacy/rights-requests/{requestId}/export',
    operation: privacy.exportForRightsRequest,
    function: 'exportForRightsRequest',
  },
  // Data exports (ADR 0018).
  { method: 'POST', path: '/me/exports', operation: privacy.requestMyExport, function: 'requestMyExport' },
  { method: 'GET', path: '/me/exports/{exportId}', operation: privacy.getMyExport, function: 'getMyExport' },
  // Post-mortem directives and recorded deaths (ADR 0018).
  { method: 'GET', path: '/me/directives', operation: privacy.getMyDirective, function: 'getMyDirective' },
  { method: 'PUT', path: '/me/directives', operation: privacy.setMyDirective, function: 'setMyDirective' },
  { method: 'DELETE', path: '/me/directives', operation: privacy.revokeMyDirective, function: 'revokeMyDirective' },
  { method: 'POST', path: '/privacy/deaths', operation: privacy.recordDeath, function: 'recordDeath' },
  { method: 'GET', path: '/privacy/deaths/{accountId}', operation: privacy.getDeath, function: 'getDeath' },
  // Support tickets and complaints (ADR 0019): one's own, and support's queue.
  {
    method: 'POST',
    path: '/me/support-tickets',
    operation: support.openSupportTicket,
    function: 'openSupportTicket',
  },
  {
    method: 'GET',
    path: '/me/support-tickets',
    operation: support.listMySupportTickets,
    function: 'listMySupportTickets',
  },
  {
    method: 'GET',
    path: '/me/support-tickets/{ticketId}',
    operation: support.getMySupportTicket,
    function: 'getMySupportTicket',
  },
  {
    method: 'POST',
    path: '/me/support-tickets/{ticketId}/messages',
    operation: support.answerMySupportTicket,
    function: 'answerMySupportTicket',
  },
  { method: 'GET', path: '/support/tickets', operation: support.listSupportQueue, function: 'listSupportQueue' },
  {
    method: 'GET',
    path: '/support/tickets/{ticketId}',
    operation: support.getSupportTicket,
    function: 'getSupportTicket',
  },
  {
    method: 'POST',
    path: '/support/tickets/{ticketId}/assignment',
    operation: support.assignSupportTicket,
    function: 'assignSupportTicket',
  },
  {
    method: 'POST',
    path: '/support/tickets/{ticketId}/messages',
    operation: support.answerSupportTicket,
    function: 'answerSupportTicket',
  },
  {
    method: 'POST',
    path: '/support/tickets/{ticketId}/close',
    operation: support.closeSupportTicket,
    function: 'closeSupportTicket',
  },
  // Newsletter (ADR 0020): the subscription and the pages and actions of the mails' links.
  {
    method: 'POST',
    path: '/newsletter/subscriptions',
    operation: newsletter.subscribeToNewsletter,
    function: 'subscribeToNewsletter',
  },
  {
    method: 'GET',
    path: '/newsletter/confirmation',
    operation: newsletter.showNewsletterConfirmation,
    function: 'showNewsletterConfirmation',
  },
  {
    method: 'POST',
    path: '/newsletter/confirmation',
    operation: newsletter.confirmNewsletterSubscription,
    function: 'confirmNewsletterSubscription',
  },
  {
    method: 'GET',
    path: '/newsletter/unsubscribe',
    operation: newsletter.showNewsletterUnsubscribe,
    function: 'showNewsletterUnsubscribe',
  },
  {
    method: 'POST',
    path: '/newsletter/unsubscribe',
    operation: newsletter.unsubscribeFromNewsletter,
    function: 'unsubscribeFromNewsletter',
  },
  {
    method: 'GET',
    path: '/newsletter/renewal',
    operation: newsletter.showNewsletterRenewal,
    function: 'showNewsletterRenewal',
  },
  {
    method: 'POST',
    path: '/newsletter/renewal',
    operation: newsletter.answerNewsletterRenewal,
    function: 'answerNewsletterRenewal',
  },
  {
    method: 'POST',
    path: '/newsletter/campaigns',
    operation: newsletter.createNewsletterCampaign,
    function: 'createNewsletterCampaign',
  },
  {
    method: 'GET',
    path: '/newsletter/campaigns/{campaignId}',
    operation: newsletter.getNewsletterCampaign,
    function: 'getNewsletterCampaign',
  },
  {
    method: 'POST',
    path: '/newsletter/campaigns/{campaignId}/send',
    operation: newsletter.startNewsletterCampaign,
    function: 'startNewsletterCampaign',
  },
  {
    method: 'GET',
    path: '/newsletter/links/{campaignId}/{link}',
    operation: newsletter.followNewsletterLink,
    function: 'followNewsletterLink',
  },
];
