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
import { completeAuthentication } from './operations/payment-intents.ts';
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

/**
 * The 3-D Secure challenge page of a `next_action` (redirect_to_url.url, or use_stripe_sdk's
 * stripe_js, which Stripe.js opens in a frame): one visit (GET or POST) authenticates, with
 * `fail=1` the card holder fails authentication. With a return URL the browser goes back to it
 * with Stripe's query (`payment_intent`, `payment_intent_client_secret`, `redirect_status`).
 */
function authenticate(core: EmulationCore, token: string, fail: boolean): ControlAnswer {
  const done = completeAuthentication(emulationFor(core, AUTOMATIC), token, fail ? 'failed' : 'authenticated');
  if (!done) return { html: '<p>This authentication has expired or was already completed.</p>', status: 410 };
  const { paymentIntent: pi, returnUrl } = done;
  const succeeded = pi.status === 'succeeded' || pi.status === 'requires_capture' || pi.status === 'processing';
  if (returnUrl) {
    const back = new URL(returnUrl);
    back.searchParams.set('payment_intent', pi.id);
    back.searchParams.set('payment_intent_client_secret', pi.client_secret ?? '');
    back.searchParams.set('redirect_status', succeeded ? 'succeeded' : 'failed');
    return { redirect: back.toString() };
  }
  return {
    html: succeeded
      ? '<p>Authentication complete (Stripe emulator). You can close this page.</p>'
      : '<p>Authentication failed (Stripe emulator). You can close this page.</p>',
  };
}

function routesFor(core: EmulationCore, controls: EmulatorControls): readonly ControlRoute[] {
  const { webhooks } = controls;
  const ok = { json: { ok: true } };
  const isFail = (p: ParamReader) => ['1', 'true'].includes(p.string('fail') ?? '');
  return [
    {
      method: 'GET',
      path: '/_emulator/3ds/:token',
      params: ['fail'],
      handle: (p, { token }) => authenticate(core, token!, isFail(p)),
    },
    {
      method: 'POST',
      path: '/_emulator/3ds/:token',
      params: ['fail'],
      handle: (p, { token }) => authenticate(core, token!, isFail(p)),
    },
    {
      method: 'POST',
      path: '/_emulator/payment_intents/:id/authenticate',
      params: ['fail'],
      handle: (p, { id }) => ({ json: controls.authenticatePaymentIntent(id!, { fail: isFail(p) }) }),
    },
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
      // A POST may carry its parameters in the query too (`/_emulator/3ds/<token>?fail=1`).
      const form = decodeForm(call.method === 'GET' ? call.query : [call.query, call.body].filter(Boolean).join('&'));
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
