/**
 * The control surface: what the card holder, the bank or Stripe itself would do, which no API
 * call of the backend can do (pay, be declined, dispute, finish onboarding), and the webhook
 * levers tests need (duplicates, reordering, the list of deliveries). The same functions are on
 * the emulator object and under `/_emulator/...` over HTTP (control-routes.ts).
 */
import type Stripe from 'stripe';
import { AUTOMATIC, type EmulationCore, emulationFor } from './context.ts';
import { invalidRequest } from './errors.ts';
import type { DisputeReason } from './objects/dispute.ts';
import type { EventOf, EventType } from './objects/event.ts';
import { completeOnboarding } from './operations/connect.ts';
import { closeDispute, disputePaymentIntent } from './operations/disputes.ts';
import { completeAuthentication, confirmPaymentIntent } from './operations/payment-intents.ts';
import { failRefund } from './operations/refunds.ts';
import { find } from './store.ts';
import { type DeclineCode, testCard, tokenForDecline } from './test-cards.ts';
import type { WebhookDelivery, WebhookDispatcher } from './webhooks/dispatcher.ts';

export interface WebhookControls {
  /** The URL events are POSTed to; undefined: events are only recorded. */
  endpoint(): string | undefined;
  setEndpoint(url: string | undefined): void;
  /** Every delivery attempt so far, oldest first. */
  deliveries(): WebhookDelivery[];
  /** Delivers an already emitted event again, `times` more times, with the same id and body. */
  redeliver(eventId: string, times?: number): void;
  pause(): void;
  /** Sends what was held, the events listed in `order` first, in that order: out-of-order delivery. */
  resume(order?: readonly string[]): void;
  /** Ids of the events held or queued, in sending order. */
  pending(): string[];
  /** Resolves once every queued delivery has been answered or given up. */
  idle(): Promise<void>;
}

export interface EmulatorControls {
  /** The card holder pays with a test card (default `pm_card_visa`): succeeded, or requires_capture for manual capture. */
  succeedPaymentIntent(id: string, options?: { paymentMethod?: string }): Stripe.PaymentIntent;
  /** The card holder answers the pending 3-D Secure challenge (what visiting `next_action`'s URL does); `fail`: authentication fails. */
  authenticatePaymentIntent(id: string, options?: { fail?: boolean }): Stripe.PaymentIntent;
  /** The bank declines the card (default `generic_decline`): back to requires_payment_method with `last_payment_error`. */
  failPaymentIntent(id: string, options?: { declineCode?: DeclineCode }): Stripe.PaymentIntent;
  /** The card holder disputes the payment's charge (default reason `fraudulent`, whole amount). */
  disputePaymentIntent(id: string, options?: { reason?: DisputeReason; amount?: number }): Stripe.Dispute;
  closeDispute(id: string, outcome: 'won' | 'lost'): Stripe.Dispute;
  /** The card issuer could not credit the refund. */
  failRefund(id: string): Stripe.Refund;
  /** The practitioner completes Stripe's hosted onboarding (what visiting an account link does). */
  completeOnboarding(accountId: string): Stripe.Account;
  /** Every event emitted so far, oldest first, optionally of one type. */
  events<T extends EventType = EventType>(type?: T): EventOf<T>[];
  readonly webhooks: WebhookControls;
}

export function createControls(core: EmulationCore, dispatcher: WebhookDispatcher): EmulatorControls {
  const em = emulationFor(core, AUTOMATIC);
  return {
    succeedPaymentIntent(id, { paymentMethod = 'pm_card_visa' } = {}) {
      if (testCard(paymentMethod).decline) {
        throw invalidRequest(`${paymentMethod} is a declining test card: use fail instead.`, 'payment_method');
      }
      return confirmPaymentIntent(em, id, { paymentMethod, throwOnDecline: false });
    },
    authenticatePaymentIntent(id, { fail = false } = {}) {
      const pi = find(core.store.paymentIntents, id, 'payment_intent');
      const challenge = [...core.store.authentications.values()].find((item) => item.paymentIntent === id);
      if (pi.status !== 'requires_action' || !challenge) {
        throw invalidRequest(`PaymentIntent ${id} has no 3-D Secure challenge pending (status ${pi.status}).`, 'id');
      }
      return completeAuthentication(em, challenge.token, fail ? 'failed' : 'authenticated')?.paymentIntent ?? pi;
    },
    failPaymentIntent(id, { declineCode = 'generic_decline' } = {}) {
      return confirmPaymentIntent(em, id, { paymentMethod: tokenForDecline(declineCode), throwOnDecline: false });
    },
    disputePaymentIntent: (id, { reason = 'fraudulent', amount } = {}) =>
      disputePaymentIntent(em, id, { reason, amount: amount ?? null }),
    closeDispute: (id, outcome) => closeDispute(em, id, outcome),
    failRefund: (id) => failRefund(em, id),
    completeOnboarding: (accountId) => completeOnboarding(em, accountId),
    events: <T extends EventType>(type?: T) =>
      [...core.store.events.values()].filter((event): event is EventOf<T> => !type || event.type === type),
    webhooks: {
      endpoint: () => dispatcher.endpoint(),
      setEndpoint: (url) => dispatcher.setEndpoint(url),
      deliveries: () => dispatcher.deliveries(),
      redeliver: (eventId, times = 1) => dispatcher.enqueue(find(core.store.events, eventId, 'event'), times),
      pause: () => dispatcher.pause(),
      resume: (order) => dispatcher.resume(order),
      pending: () => dispatcher.pending(),
      idle: () => dispatcher.idle(),
    },
  };
}
