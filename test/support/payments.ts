/**
 * Payment scenes for the e2e tests: the Stripe emulator's control surface over HTTP (the card
 * holder pays, webhooks are redelivered, held and reordered), a practitioner onboarded to Stripe
 * Connect, a held booking with its PaymentIntent, webhooks signed the way Stripe signs them, and
 * what the local cloud logged and stored about Stripe events.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { stripeClient } from '#functions/bookings/adapters/stripe-gateway.ts';
import { LOCAL_SECRET_KEY } from '#local/cloud.ts';
import { apiClient, callApi } from './api.ts';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate } from './bookings.ts';
import { localDocumentClient, tableNamesFrom } from './dynamo.ts';
import type { Reply } from './http.ts';
import type { Person } from './identity.ts';
import type { CloudInfo } from './local-cloud.ts';

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// The Stripe emulator's control surface (local/stripe/control-routes.ts).

export interface EmulatedEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id: string; object: string; payment_intent?: string | null; status?: string } };
}

export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  attempt: number;
  /** The endpoint's HTTP status; null when it did not answer in time. */
  status: number | null;
  ok: boolean;
  /** This attempt failed and no retry follows. */
  gaveUp: boolean;
  /** The body as sent: the Stripe event, with what Stripe says of the card (brand, last 4, expiry, checks). */
  body: string;
  at: string;
}

export function emulator(cloud: CloudInfo) {
  const post = async (path: string, form: Record<string, string | number | string[]> = {}) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      if (Array.isArray(value)) for (const item of value) body.append(`${name}[]`, item);
      else body.append(name, String(value));
    }
    const res = await fetch(`${cloud.urls.stripe}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`emulator POST ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${cloud.urls.stripe}${path}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`emulator GET ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    /** The card holder pays with a test card (what Stripe.js does with the client secret). */
    pay: (paymentIntentId: string, paymentMethod = 'pm_card_visa') =>
      post(`/_emulator/payment_intents/${paymentIntentId}/succeed`, { payment_method: paymentMethod }),
    events: (type?: string) =>
      get<EmulatedEvent[]>(`/_emulator/events${type ? `?type=${encodeURIComponent(type)}` : ''}`),
    /** The event of `type` about one object, once the emulator has emitted it. */
    eventAbout: (type: string, objectId: string) =>
      until(`${type} for ${objectId}`, async () =>
        (await get<EmulatedEvent[]>(`/_emulator/events?type=${encodeURIComponent(type)}`)).find(
          (e) => e.data.object.id === objectId,
        ),
      ),
    deliveries: () => get<WebhookDelivery[]>('/_emulator/webhooks/deliveries'),
    pending: () => get<string[]>('/_emulator/webhooks/pending'),
    redeliver: (eventId: string, times: number) => post(`/_emulator/events/${eventId}/deliver`, { times }),
    pause: () => post('/_emulator/webhooks/pause'),
    resume: (order: string[] = []) => post('/_emulator/webhooks/resume', order.length ? { order } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// People, agendas and bookings.

export interface HeldBooking {
  id: string;
  state: string;
  version: number;
  checkout: { paymentIntentId: string; clientSecret: string; amountCents: number; holdUntil: string };
}

export interface BookingView {
  id: string;
  state: string;
  version: number;
  payment?: { status: string; amountCents: number; refundedCents: number; refunds: { status: string }[] };
}

/** Polls a signed-in GET until `done` holds for its JSON body. */
export function eventually<T>(
  cloud: CloudInfo,
  ip: string,
  person: Person,
  path: string,
  done: (body: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  let last = '';
  return until(
    `${path} to reach the expected state`,
    async () => {
      const reply = await callAs(cloud, ip, person, 'GET', path);
      last = reply.body;
      if (reply.status !== 200) return undefined;
      const body = JSON.parse(reply.body) as T;
      return done(body) ? body : undefined;
    },
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last answer: ${last}`);
  });
}

/** The practitioner onboards to Stripe Connect (one visit of the account link) and opens an agenda paid online. */
export async function onboardedAgenda(cloud: CloudInfo, ip: string, practitioner: Person): Promise<OpenAgenda> {
  const urls = { returnUrl: 'http://localhost:5173/payouts/done', refreshUrl: 'http://localhost:5173/payouts/again' };
  const started = await apiClient(cloud, ip, practitioner).POST('/practitioners/me/payouts/onboarding', { body: urls });
  if (!started.data) throw new Error(`onboarding: ${started.response.status} ${JSON.stringify(started.error)}`);
  const { url } = started.data;
  const visit = await fetch(url, { redirect: 'manual' });
  if (visit.headers.get('location') !== urls.returnUrl) throw new Error(`onboarding link: ${visit.status}`);
  await eventually<{ chargesEnabled: boolean }>(
    cloud,
    ip,
    practitioner,
    '/practitioners/me/payouts',
    (s) => s.chargesEnabled,
  );
  return openAgenda(cloud, ip, practitioner, { payment: { mode: 'full' } });
}

/** The client books the first free slot `daysAhead` (a service paid online): held, with its PaymentIntent. */
export async function heldBooking(
  cloud: CloudInfo,
  ip: string,
  client: Person,
  agenda: OpenAgenda,
  daysAhead: number,
): Promise<HeldBooking> {
  const slot = (await freeSlots(cloud, ip, agenda, parisDate(daysAhead), parisDate(daysAhead)))[0];
  if (!slot) throw new Error(`no free slot ${daysAhead} days ahead`);
  const reply: Reply = await book(cloud, ip, client, agenda, slot.start);
  if (reply.status !== 201) throw new Error(`booking: ${reply.status} ${reply.body}`);
  const booked = JSON.parse(reply.body) as HeldBooking;
  if (booked.state !== 'requested' || !booked.checkout) throw new Error(`not held for payment: ${reply.body}`);
  return booked;
}

// ---------------------------------------------------------------------------------------------
// Webhooks signed by the test (https://docs.stripe.com/webhooks#verify-manually).

/** `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as Stripe signs. */
export function stripeSignature(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** An event id no one has used, in Stripe's shape (and the catalogue's `stripeId`). */
export const freshEventId = (label: string) => `evt_${label}${randomUUID().replaceAll('-', '')}`;

/** A Stripe event body about a PaymentIntent, as Stripe would POST it. */
export function paymentIntentEventBody(
  eventId: string,
  type: string,
  pi: { id: string; status: string; amount: number; appointmentId: string },
): string {
  return JSON.stringify(
    {
      id: eventId,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: pi.id,
          object: 'payment_intent',
          amount: pi.amount,
          amount_received: pi.status === 'succeeded' ? pi.amount : 0,
          currency: 'eur',
          status: pi.status,
          metadata: { appointmentId: pi.appointmentId },
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    },
    null,
    2,
  );
}

export function postWebhook(cloud: CloudInfo, ip: string, body: string, signature: string | undefined) {
  return callApi(cloud, ip, 'POST', '/webhooks/stripe', {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      ...(signature === undefined ? {} : { 'Stripe-Signature': signature }),
    },
    body,
  });
}

// ---------------------------------------------------------------------------------------------
// What the local cloud logged and stored.

/** The structured (JSON) lines of the local cloud's log: the handlers' Powertools logs. */
export function logRecords(cloud: CloudInfo): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of readFileSync(cloud.logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by a concurrent write: the next read has it whole
    }
  }
  return records;
}

/** The processing log lines of one Stripe event (processStripeEvent logs one per event it handles). */
export const processingsOf = (cloud: CloudInfo, stripeEventId: string) =>
  logRecords(cloud).filter((r) => r.message === 'Stripe event processed' && r.stripeEventId === stripeEventId);

/** The outcome lines of the PaymentSucceeded / PaymentFailed consumer for one appointment. */
export const paidBookingSettlements = (cloud: CloudInfo, appointmentId: string) =>
  logRecords(cloud).filter((r) => r.message === 'Paid booking settled' && r.appointmentId === appointmentId);

/**
 * A valid event (signed with the endpoint's secret, as Stripe signs) of a type the backend
 * acknowledges and ignores, sent after everything under test, then waited for until processed.
 * Whatever the webhook calls before it put on the bus was put there before this call started
 * (the webhook publishes before it answers), and the bus starts the functions of events in the
 * order they arrive: once this one's processing line is in the log, theirs have had their turn
 * (a handler of theirs slower than this whole round trip would still escape it).
 */
export async function drain(cloud: CloudInfo, ip: string, webhookSecret: string): Promise<void> {
  const id = freshEventId('drain');
  const body = JSON.stringify({
    id,
    object: 'event',
    type: 'balance.available',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: `txn_${randomUUID().replaceAll('-', '')}`, object: 'balance_transaction' } },
    livemode: false,
  });
  const reply = await postWebhook(cloud, ip, body, stripeSignature(body, webhookSecret));
  if (reply.status !== 200) throw new Error(`drain marker refused: ${reply.status} ${reply.body}`);
  await until('the drain marker to be processed', () => processingsOf(cloud, id)[0]);
}

/** The webhook's receipt of a Stripe event in the bookings table, if any. */
export async function receiptOf(cloud: CloudInfo, eventId: string): Promise<Record<string, unknown> | undefined> {
  const client = localDocumentClient(cloud.urls.dynamodb);
  try {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableNamesFrom(cloud.env).bookings,
        Key: { pk: `STRIPE_EVENT#${eventId}`, sk: 'RECEIPT' },
        ConsistentRead: true,
      }),
    );
    return Item;
  } finally {
    client.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Issue 11: Stripe's own API against the emulator, signed events of any shape, dead letters.

/** The Stripe SDK pointed at the emulator, as the functions build it: what a test asks Stripe itself. */
export function stripeSdk(cloud: CloudInfo): Stripe {
  return stripeClient({ secretKey: LOCAL_SECRET_KEY, apiBase: cloud.urls.stripe });
}

/** A Stripe event envelope around any object, as Stripe POSTs it (a Connect event carries `account`). */
export function eventBody(eventId: string, type: string, object: unknown, account?: string): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...(account ? { account } : {}),
  });
}

/**
 * The local bus's dead letters of one rule, from the local cloud's log (the bus logs each one
 * `event-bus: rule=<name> … outcome=dead-letter …`).
 */
export function deadLettersOf(cloud: CloudInfo, rule: string): string[] {
  return readFileSync(cloud.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`rule=${rule} `) && line.includes('outcome=dead-letter'));
}

/** A connected account's available euros at Stripe (`GET /v1/balance` with `Stripe-Account`), or the platform's. */
export async function availableEuroCents(stripe: Stripe, account?: string): Promise<number> {
  const balance = await stripe.balance.retrieve({}, account ? { stripeAccount: account } : {});
  return balance.available.filter((b) => b.currency === 'eur').reduce((sum, b) => sum + b.amount, 0);
}
