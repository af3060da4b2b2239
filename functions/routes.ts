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
import * as platform from './platform/contract.ts';
import * as practitioners from './practitioners/contract.ts';
import * as retention from './retention/contract.ts';

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
];
