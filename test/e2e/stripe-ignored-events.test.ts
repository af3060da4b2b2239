/**
 * Issue 11: every Stripe event the platform does not act on is acknowledged (2xx) and settled as
 * ignored, never thrown: so never retried, never dead-lettered, and nothing changes.
 *
 * The events are built from Stripe's published example objects (test/fixtures/stripe/
 * fixtures3.json, MIT): for each object, the types `<object>.created` / `.updated` (`.deleted` for
 * a deleted one) and those Stripe documents for it, each once as a platform event and once as a
 * Connect event (with `account`), plus an invented type. Their objects are none of ours (Stripe
 * answers 404 for their ids, some have no id at all). A PaymentIntent of ours in a Connect event
 * is not acted on either.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRET } from '#local/cloud.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import {
  type BookingView,
  deadLettersOf,
  eventBody,
  eventually,
  freshEventId,
  heldBooking,
  onboardedAgenda,
  postWebhook,
  processingsOf,
  receiptOf,
  stripeSignature,
  until,
} from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address (see the other e2e files for the ones taken).
const IP = '127.0.0.89';
const RULE = 'stripe-events-to-settlement';
/** The fixture's connected account: a Connect event names the account it happened on. */
const ACCOUNT = 'acct_1PgafTB7WZ01zgkW';

/** The outcomes of processStripeEvent that change nothing. */
const ignoring = ['ignored', 'unknown-object', 'not-ours', 'no-appointment', 'no-record'];

/** Event types Stripe documents per object kind (https://docs.stripe.com/api/events/types), beyond created/updated. */
const documented: Record<string, readonly string[]> = {
  account: [
    'account.updated',
    'account.application.authorized',
    'account.application.deauthorized',
    'account.external_account.created',
  ],
  application_fee: ['application_fee.created', 'application_fee.refunded'],
  fee_refund: ['application_fee.refund.updated'],
  balance: ['balance.available'],
  bank_account: ['account.external_account.created', 'account.external_account.deleted'],
  capability: ['capability.updated'],
  charge: [
    'charge.captured',
    'charge.expired',
    'charge.failed',
    'charge.pending',
    'charge.refunded',
    'charge.succeeded',
  ],
  'checkout.session': ['checkout.session.completed', 'checkout.session.expired'],
  customer: ['customer.deleted'],
  dispute: [
    'charge.dispute.created',
    'charge.dispute.updated',
    'charge.dispute.closed',
    'charge.dispute.funds_withdrawn',
    'charge.dispute.funds_reinstated',
  ],
  invoice: ['invoice.paid', 'invoice.payment_failed', 'invoice.finalized'],
  payment_intent: [
    'payment_intent.succeeded',
    'payment_intent.payment_failed',
    'payment_intent.canceled',
    'payment_intent.processing',
    'payment_intent.requires_action',
    'payment_intent.amount_capturable_updated',
    'payment_intent.partially_funded',
  ],
  payout: ['payout.paid', 'payout.failed', 'payout.canceled'],
  refund: ['refund.failed', 'charge.refund.updated'],
  subscription: ['customer.subscription.created', 'customer.subscription.deleted'],
  transfer: ['transfer.reversed'],
};

interface Fixture {
  name: string;
  object: Record<string, unknown>;
}

function fixtures(): Fixture[] {
  const { resources } = JSON.parse(readFileSync('test/fixtures/stripe/fixtures3.json', 'utf8')) as {
    resources: Record<string, Record<string, unknown>>;
  };
  return Object.entries(resources).map(([name, object]) => ({ name, object }));
}

/** Every type an object of this fixture may come in. */
function typesOf(fixture: Fixture): string[] {
  const kind = typeof fixture.object.object === 'string' ? fixture.object.object : fixture.name;
  const own = fixture.name.startsWith('deleted_') ? [`${kind}.deleted`] : [`${kind}.created`, `${kind}.updated`];
  return [...new Set([...own, ...(documented[kind] ?? [])])];
}

let client: Person;

beforeAll(async () => {
  client = await signedInPerson(cloud, 'client');
}, 60_000);

/** Posts one signed event; answers its id and the webhook's status. */
async function send(type: string, object: unknown, account?: string) {
  const id = freshEventId('fx');
  const body = eventBody(id, type, object, account);
  const reply = await postWebhook(cloud, IP, body, stripeSignature(body, LOCAL_WEBHOOK_SECRET));
  return { id, type, account, status: reply.status, body: reply.body };
}

describe('events the platform does not act on', () => {
  it('every type of every object of Stripe’s fixtures, as platform and Connect events, and an invented type: 2xx, settled as ignored, no dead letter', {
    timeout: 300_000,
  }, async () => {
    const deadBefore = deadLettersOf(cloud, RULE).length;
    const cases: { type: string; object: Record<string, unknown>; account?: string }[] = [];
    for (const fixture of fixtures())
      for (const type of typesOf(fixture)) {
        cases.push({ type, object: fixture.object });
        cases.push({ type, object: fixture.object, account: ACCOUNT });
      }
    const invented = { id: 'thing_1Pgc76B7WZ01zgkW', object: 'thing' };
    cases.push({ type: 'mpbe.invented_event.happened', object: invented });
    cases.push({ type: 'mpbe.invented_event.happened', object: invented, account: ACCOUNT });
    expect(cases.length).toBeGreaterThan(400);
    const types = new Set(cases.map((c) => c.type));
    for (const type of ['balance.available', 'checkout.session.completed', 'coupon.created', 'account.updated'])
      expect(types).toContain(type);

    const sent: Awaited<ReturnType<typeof send>>[] = [];
    // A few at a time, as Stripe delivers: the webhook answers each at once.
    for (let i = 0; i < cases.length; i += 8)
      sent.push(...(await Promise.all(cases.slice(i, i + 8).map((c) => send(c.type, c.object, c.account)))));

    const refused = sent.filter((s) => s.status < 200 || s.status >= 300);
    expect(refused.map((s) => `${s.type}${s.account ? ' (Connect)' : ''}: ${s.status} ${s.body}`)).toEqual([]);

    // Each is settled once, as ignored: a thrown one would have no processing line (and be retried).
    const outcomes = await until(
      'every event to be processed',
      () => {
        const lines = sent.map((s) => processingsOf(cloud, s.id));
        return lines.every((l) => l.length > 0) ? lines : undefined;
      },
      240_000,
      500,
    );
    const acted = sent
      .map((s, i) => ({ ...s, outcomes: outcomes[i]!.map((l) => l.outcome) }))
      .filter((s) => s.outcomes.length !== 1 || !ignoring.includes(String(s.outcomes[0])));
    expect(acted.map((s) => `${s.type}${s.account ? ' (Connect)' : ''}: ${s.outcomes.join(', ')}`)).toEqual([]);
    expect(deadLettersOf(cloud, RULE).length).toBe(deadBefore);
    // Noted once each (the deduplication), like any event.
    expect(await receiptOf(cloud, sent[0]!.id)).toMatchObject({ published: true });
  });

  it('a Connect event about our own PaymentIntent’s id is not acted on: the booking stays held', async () => {
    const practitioner = await signedInPerson(cloud, 'practitioner');
    const agenda = await onboardedAgenda(cloud, IP, practitioner);
    const booked = await heldBooking(cloud, IP, client, agenda, 4);
    const pi = { id: booked.checkout.paymentIntentId, object: 'payment_intent', status: 'succeeded' };
    const sent = await send('payment_intent.succeeded', pi, ACCOUNT);
    expect(sent.status).toBe(200);
    const [line] = await until('its processing', () => {
      const lines = processingsOf(cloud, sent.id);
      return lines.length ? lines : undefined;
    });
    expect(line?.outcome).toBe('ignored');
    const view = await eventually<BookingView>(cloud, IP, client, `/bookings/${booked.id}`, () => true);
    expect(view).toMatchObject({ state: 'requested', payment: { status: 'pending' } });
  }, 90_000);
});
