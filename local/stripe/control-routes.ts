/**
 * `/_emulator/...`: the control surface over HTTP, for local flows driven from a browser, curl or
 * an end-to-end test in another process. Form-encoded parameters, JSON answers, Stripe's error
 * objects; no API key (this is the card holder's and the bank's side, not the API).
 */
import type { HttpAnswer, HttpCall } from './api/pipeline.ts';
import { matchRoute } from './api/route.ts';
import { AUTOMATIC, type EmulationCore, emulationFor } from './context.ts';
import type { EmulatorControls } from './controls.ts';
import { StripeApiError } from './errors.ts';
import { decodeForm, type ParamReader, readParams, required } from './form.ts';
import type { DisputeReason } from './objects/dispute.ts';
import type { EventType } from './objects/event.ts';
import { visitOnboardingLink } from './operations/connect.ts';
import type { DeclineCode } from './test-cards.ts';

type ControlAnswer = { json: unknown } | { redirect: string } | { html: string; status?: number };

interface ControlRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly params?: readonly string[];
  readonly handle: (p: ParamReader, path: Record<string, string>) => ControlAnswer | Promise<ControlAnswer>;
}

const DECLINE_CODES: readonly DeclineCode[] = [
  'generic_decline',
  'insufficient_funds',
  'lost_card',
  'stolen_card',
  'expired_card',
  'incorrect_cvc',
  'processing_error',
];
const DISPUTE_REASONS: readonly DisputeReason[] = [
  'fraudulent',
  'duplicate',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'credit_not_processed',
  'general',
  'unrecognized',
];

function routesFor(core: EmulationCore, controls: EmulatorControls): readonly ControlRoute[] {
  const { webhooks } = controls;
  const ok = { json: { ok: true } };
  return [
    { method: 'GET', path: '/_emulator/health', handle: () => ok },
    {
      method: 'POST',
      path: '/_emulator/payment_intents/:id/succeed',
      params: ['payment_method'],
      handle: (p, { id }) => ({
        json: controls.succeedPaymentIntent(id!, { paymentMethod: p.string('payment_method') ?? 'pm_card_visa' }),
      }),
    },
    {
      method: 'POST',
      path: '/_emulator/payment_intents/:id/fail',
      params: ['decline_code'],
      handle: (p, { id }) => ({
        json: controls.failPaymentIntent(id!, {
          declineCode: p.oneOf('decline_code', DECLINE_CODES) ?? 'generic_decline',
        }),
      }),
    },
    {
      method: 'POST',
      path: '/_emulator/payment_intents/:id/dispute',
      params: ['reason', 'amount'],
      handle: (p, { id }) => {
        const amount = p.integer('amount', { min: 1 });
        const reason = p.oneOf('reason', DISPUTE_REASONS) ?? 'fraudulent';
        return { json: controls.disputePaymentIntent(id!, amount === undefined ? { reason } : { reason, amount }) };
      },
    },
    {
      method: 'POST',
      path: '/_emulator/disputes/:id/close',
      params: ['outcome'],
      handle: (p, { id }) => ({
        json: controls.closeDispute(id!, required(p.oneOf('outcome', ['won', 'lost'] as const), 'outcome')),
      }),
    },
    {
      method: 'POST',
      path: '/_emulator/refunds/:id/fail',
      handle: (_, { id }) => ({ json: controls.failRefund(id!) }),
    },
    {
      method: 'POST',
      path: '/_emulator/accounts/:id/complete_onboarding',
      handle: (_, { id }) => ({ json: controls.completeOnboarding(id!) }),
    },
    {
      method: 'GET',
      path: '/_emulator/connect/onboarding/:token',
      handle: (_, { token }) => {
        const visit = visitOnboardingLink(emulationFor(core, AUTOMATIC), token!);
        if (visit.redirect) return { redirect: visit.redirect };
        return visit.completed
          ? { html: '<p>Onboarding complete (Stripe emulator). You can close this page.</p>' }
          : { html: '<p>This account link has expired or was already used.</p>', status: 410 };
      },
    },
    {
      method: 'GET',
      path: '/_emulator/events',
      params: ['type'],
      handle: (p) => ({ json: controls.events(p.string('type') as EventType | undefined) }),
    },
    {
      method: 'POST',
      path: '/_emulator/events/:id/deliver',
      params: ['times'],
      handle: (p, { id }) => {
        webhooks.redeliver(id!, p.integer('times', { min: 1, max: 100 }) ?? 1);
        return ok;
      },
    },
    { method: 'GET', path: '/_emulator/webhooks/deliveries', handle: () => ({ json: webhooks.deliveries() }) },
    { method: 'GET', path: '/_emulator/webhooks/pending', handle: () => ({ json: webhooks.pending() }) },
    {
      method: 'POST',
      path: '/_emulator/webhooks/endpoint',
      params: ['url'],
      handle: (p) => {
        webhooks.setEndpoint(p.string('url') || undefined);
        return ok;
      },
    },
    {
      method: 'POST',
      path: '/_emulator/webhooks/pause',
      handle: () => {
        webhooks.pause();
        return ok;
      },
    },
    {
      method: 'POST',
      path: '/_emulator/webhooks/resume',
      params: ['order'],
      handle: (p) => {
        webhooks.resume(p.strings('order') ?? []);
        return ok;
      },
    },
    {
      method: 'POST',
      path: '/_emulator/webhooks/idle',
      handle: async () => {
        await webhooks.idle();
        return ok;
      },
    },
  ];
}

export function createControlHandler(
  core: EmulationCore,
  controls: EmulatorControls,
): (call: HttpCall) => Promise<HttpAnswer> {
  const routes = routesFor(core, controls);
  const jsonHeaders = { 'Content-Type': 'application/json' };
  return async (call) => {
    const match = matchRoute(routes, call.method, call.pathname);
    if (match.kind === 'missing') {
      const error = {
        type: 'invalid_request_error',
        message: `Unrecognized control URL (${call.method}: ${call.pathname}).`,
      };
      return { status: 404, headers: jsonHeaders, body: JSON.stringify({ error }) };
    }
    try {
      const form = decodeForm(call.method === 'GET' ? call.query : call.body);
      const answer = await match.route.handle(readParams(form, match.route.params ?? []), match.path);
      if ('redirect' in answer) return { status: 302, headers: { Location: answer.redirect }, body: '' };
      if ('html' in answer)
        return {
          status: answer.status ?? 200,
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
          body: answer.html,
        };
      return { status: 200, headers: jsonHeaders, body: JSON.stringify(answer.json, null, 2) };
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      return { status: error.status, headers: jsonHeaders, body: JSON.stringify({ error: error.error }, null, 2) };
    }
  };
}
