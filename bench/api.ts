/**
 * `npm run bench:api`: the routes a frontend calls often, timed as a client of the API feels them,
 * each next to the floor measured in the same run: the DynamoDB calls that very request made.
 *
 * It starts its own local cloud (free ports, in memory) with an observer on the local IAM proxy,
 * which every function's AWS calls pass through: each call is timed on the wire there, from the
 * request sent to DynamoDB Local to its answer's last byte, and tagged with the calling function.
 * A request's floor is the time covered by its function's DynamoDB calls (calls made in parallel
 * count once); its round trips are every AWS call its function made (DynamoDB, EventBridge…), and
 * its rounds how many of those it waited for one after the other (calls sent together count once).
 * Requests are sent one at a time, so what a request's function calls is its own.
 *
 * Data set (BENCH_SCALE multiplies it, 1 by default): 2,000 practitioners over 50 cities and
 * 50,000 appointments spread over them and the next 90 days, in the stores' own item shapes (the
 * stream consumers pass over this history: its events are long past); then a
 * practitioner signed in through Cognito whose quarter is full (9 of 12 hours booked every day for
 * 90 days), clients who book, reschedule and cancel in that agenda.
 *
 *   npm run bench:api                     the table, and bench/results/api.json
 *   BENCH_SCALE=0.1 BENCH_REQUESTS=40 npm run bench:api
 *
 * Ratios are the figure (the same machine's noise hits both sides); absolute times are context.
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { appointmentIdFor, storedItemsOf } from '#functions/bookings/adapters/appointment-store.ts';
import { confirm, newAppointment } from '#functions/bookings/domain/appointment.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { dynamoPractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import type { Practitioner } from '#functions/practitioners/domain/practitioner.ts';
import { specialties } from '#functions/practitioners/domain/specialties.ts';
import { forEachLimit } from '#functions/retention/purge.ts';
import { startLocalCloud } from '#local/cloud.ts';
import type { ObservedCall } from '#local/iam-proxy.ts';
import { defaultAvailability, defaultCancellationPolicy, defaultServicePayment } from '#shared/offer/offer.ts';
import { type OpenAgenda, openAgenda, parisDate } from '../test/support/bookings.ts';
import { localDocumentClient } from '../test/support/dynamo.ts';
import { type Person, signedInPerson } from '../test/support/identity.ts';
import type { CloudInfo } from '../test/support/local-cloud.ts';
import { freshEventId, paymentIntentEventBody, stripeSignature } from '../test/support/payments.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const requests = Number(process.env.BENCH_REQUESTS ?? 200);
const warmUp = Math.max(10, Math.round(requests / 10));
const root = join(import.meta.dirname, '..');
const phase = (what: string) => process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${what}\n`);

const CITIES = [
  ['Paris', '75011'],
  ['Marseille', '13001'],
  ['Lyon', '69001'],
  ['Toulouse', '31000'],
  ['Nice', '06000'],
  ['Nantes', '44000'],
  ['Montpellier', '34000'],
  ['Strasbourg', '67000'],
  ['Bordeaux', '33000'],
  ['Lille', '59000'],
  ['Rennes', '35000'],
  ['Reims', '51100'],
  ['Toulon', '83000'],
  ['Saint-Étienne', '42000'],
  ['Le Havre', '76600'],
  ['Grenoble', '38000'],
  ['Dijon', '21000'],
  ['Angers', '49000'],
  ['Nîmes', '30000'],
  ['Villeurbanne', '69100'],
  ['Clermont-Ferrand', '63000'],
  ['Le Mans', '72000'],
  ['Aix-en-Provence', '13100'],
  ['Brest', '29200'],
  ['Tours', '37000'],
  ['Amiens', '80000'],
  ['Limoges', '87000'],
  ['Annecy', '74000'],
  ['Perpignan', '66000'],
  ['Boulogne-Billancourt', '92100'],
  ['Metz', '57000'],
  ['Besançon', '25000'],
  ['Orléans', '45000'],
  ['Saint-Denis', '93200'],
  ['Argenteuil', '95100'],
  ['Rouen', '76000'],
  ['Mulhouse', '68100'],
  ['Montreuil', '93100'],
  ['Caen', '14000'],
  ['Nancy', '54000'],
  ['Saint-Paul', '97460'],
  ['Roubaix', '59100'],
  ['Tourcoing', '59200'],
  ['Nanterre', '92000'],
  ['Vitry-sur-Seine', '94400'],
  ['Avignon', '84000'],
  ['Créteil', '94000'],
  ['Poitiers', '86000'],
  ['Aubervilliers', '93300'],
  ['Hyères', '83400'],
] as const;

// ---------------------------------------------------------------------------------------------
// The cloud, with every AWS call observed.

const observed: ObservedCall[] = [];
const cloud = await startLocalCloud({
  ports: { api: 0, aws: 0, dynamodb: 0, ses: 0, cognito: 0, stripe: 0 },
  observeAwsCalls: (call) => {
    if (recording) observed.push(call);
  },
});
let recording = false;
// The local Lambda runtime's invocations of the function being measured, timed (the gateway calls
// `runtime.invoke`): what the request spends outside the function is the gateway's and HTTP's.
const invocations: { name: FunctionName; ms: number }[] = [];
const invoke = cloud.runtime.invoke.bind(cloud.runtime);
cloud.runtime.invoke = async (name, event) => {
  const t0 = performance.now();
  try {
    return await invoke(name, event);
  } finally {
    if (recording) invocations.push({ name, ms: performance.now() - t0 });
  }
};
const info: CloudInfo = { urls: cloud.urls, cognito: cloud.cognito, env: cloud.env, logFile: '' };
const db = localDocumentClient(cloud.urls.dynamodb);
const practitionerStore = dynamoPractitionerStore({ client: db, tableName: cloud.env.TABLE_PRACTITIONERS as string });
const bookingsTable = cloud.env.TABLE_BOOKINGS as string;

/** Writes items in batches of 25, retrying what DynamoDB left unprocessed. */
async function writeAll(tableName: string, items: readonly object[]): Promise<void> {
  const batches: object[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await forEachLimit(batches, 8, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
}

/**
 * A confirmed appointment of the seeded history, as the store writes it; with its slot locks
 * (twelve for an hour) only where the bench books, since only a booking of that agenda reads them.
 */
function historyItems(practitionerId: string, clientLabel: string, start: Date, withLocks = false) {
  const clientId = accountIdOf(clientLabel);
  const items = storedItemsOf(
    confirm(
      newAppointment({
        id: appointmentIdFor(clientId, 'seed'),
        practitionerId,
        clientId,
        service,
        start,
        cancellationPolicy: defaultCancellationPolicy,
        requestFingerprint: 'seed',
        now,
      }),
      now,
    ),
    now,
  );
  return withLocks ? items : items.slice(0, 1);
}

// ---------------------------------------------------------------------------------------------
// The data set.

const now = new Date();
/** A Cognito-like account id (a UUID) for a seeded client, from its label. */
const accountIdOf = (label: string) => {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const day = 86_400_000;
const service = { id: 'svc_seance', name: 'Séance', durationMinutes: 60, priceCents: 6000 };

function seededPractitioner(i: number): Practitioner {
  const [city, postcode] = CITIES[i % CITIES.length] as readonly [string, string];
  return {
    id: `prac_bench${String(i).padStart(8, '0')}`,
    displayName: `Praticien ${String(i).padStart(5, '0')}`,
    headline: 'Accompagnement bien-être',
    presentation: 'Présentation de banc d’essai.',
    specialties: [specialties[i % specialties.length], specialties[(i * 7 + 3) % specialties.length]].filter(
      (s, k, all) => all.indexOf(s) === k,
    ) as Practitioner['specialties'],
    city,
    postcode,
    places: [{ address: `${1 + (i % 90)} rue du Banc`, city, postcode }],
    offersVideo: i % 3 === 0,
    services: [{ ...service, payment: defaultServicePayment }],
    availability: defaultAvailability,
    cancellationPolicy: defaultCancellationPolicy,
    published: true,
    lastActivityAt: now,
  };
}

async function seed(): Promise<void> {
  const practitioners = Array.from({ length: 2000 * scale }, (_, i) => seededPractitioner(i));
  phase(`seeding ${practitioners.length} practitioners`);
  await forEachLimit(practitioners, 8, (p) => practitionerStore.save(p));
  const appointments = 50_000 * scale;
  phase(`seeding ${appointments} appointments`);
  // Spread over the practitioners and the next 90 days, on the hour between 08:00 and 19:00 UTC.
  const items: object[] = [];
  for (let i = 0; i < appointments; i++) {
    const p = practitioners[i % practitioners.length] as Practitioner;
    const k = Math.floor(i / practitioners.length);
    const start = new Date(Math.floor(now.getTime() / day) * day + (1 + (k % 90)) * day + (8 + (k % 11)) * 3_600_000);
    items.push(...historyItems(p.id, `client_bench${i}`, start));
  }
  await writeAll(bookingsTable, items);
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Sample {
  readonly ms: number;
  readonly floorMs: number;
  /** The function's invocation, as the gateway waited for it. */
  readonly invokeMs: number;
  /** The local IAM proxy's checks of the function's calls (no AWS counterpart in the latency). */
  readonly iamMs: number;
  readonly dynamoCalls: number;
  readonly otherCalls: number;
  /** Sequential rounds of the function's AWS calls (see `rounds`). */
  readonly rounds: number;
  readonly operations: string;
}

/** Time covered by intervals (parallel calls count once). */
function covered(calls: readonly ObservedCall[]): number {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of sorted) {
    if (c.startedAt >= end) {
      total += c.endedAt - c.startedAt;
      end = c.endedAt;
    } else if (c.endedAt > end) {
      total += c.endedAt - end;
      end = c.endedAt;
    }
  }
  return total;
}

/**
 * How many times the function waited on AWS one after the other: calls whose times overlap (sent
 * together, `Promise.all`) are one round; a call sent after every earlier one had answered starts
 * the next. A call's time runs from its arrival at the IAM proxy to its answer's last byte.
 */
function rounds(calls: readonly ObservedCall[]): number {
  const sorted = [...calls].sort((a, b) => a.receivedAt - b.receivedAt);
  let count = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of sorted) {
    if (c.receivedAt >= end) count += 1;
    end = Math.max(end, c.endedAt);
  }
  return count;
}

const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] as number;
};

interface Call {
  readonly method: string;
  readonly path: string;
  readonly person?: Person;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly expect: number;
}

let lastAnswer = '';
async function send(call: Call): Promise<{ status: number; text: string }> {
  const response = await fetch(`${cloud.urls.api}${call.path}`, {
    method: call.method,
    headers: {
      ...(call.person ? { authorization: `Bearer ${call.person.idToken}` } : {}),
      ...(call.body !== undefined && typeof call.body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...call.headers,
    },
    ...(call.body === undefined ? {} : { body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) }),
  });
  lastAnswer = await response.text();
  return { status: response.status, text: lastAnswer };
}

/**
 * 503s per function: DynamoDB Local, loaded with the larger data sets, sometimes takes longer
 * than the SDK's 2.5 s budget. The request is then sent again (with its Idempotency-Key, if any)
 * and the count is reported beside the route.
 */
const unavailable = new Map<FunctionName, number>();

/** One measured request: its answer's time, and what its function called meanwhile. */
async function timed(fn: FunctionName, call: Call, attempt = 1): Promise<Sample> {
  observed.length = 0;
  invocations.length = 0;
  recording = true;
  const t0 = performance.now();
  const answer = await send(call);
  const ms = performance.now() - t0;
  recording = false;
  if (answer.status === 503 && call.expect !== 503 && attempt < 4) {
    unavailable.set(fn, (unavailable.get(fn) ?? 0) + 1);
    return timed(fn, call, attempt + 1);
  }
  if (answer.status !== call.expect)
    throw new Error(
      `${call.method} ${call.path}: ${answer.status}, expected ${call.expect}: ${answer.text.slice(0, 300)}`,
    );
  const mine = observed.filter((c) => c.caller === fn);
  const dynamo = mine.filter((c) => c.service === 'dynamodb');
  return {
    ms,
    floorMs: covered(dynamo),
    invokeMs: invocations.filter((i) => i.name === fn).reduce((sum, i) => sum + i.ms, 0),
    iamMs: mine.reduce((sum, c) => sum + (c.startedAt - c.receivedAt), 0),
    dynamoCalls: dynamo.length,
    otherCalls: mine.length - dynamo.length,
    rounds: rounds(mine),
    operations: mine.map((c) => (c.service === 'dynamodb' ? c.operation : `${c.service}:${c.operation}`)).join(' '),
  };
}

interface Row {
  readonly route: string;
  readonly function: FunctionName;
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly floorP50: number;
  readonly floorP95: number;
  readonly ratioP50: number;
  readonly ratioP95: number;
  readonly roundTrips: number;
  /** Sequential rounds of AWS calls, p50. */
  readonly rounds: number;
  readonly dynamoCalls: number;
  readonly invokeP50: number;
  readonly iamP50: number;
  /** 503s answered (and sent again) while measuring this function. */
  readonly unavailable: number;
  readonly calls: string;
  readonly target: number;
}
const rows: Row[] = [];

function record(route: string, fn: FunctionName, samples: readonly Sample[], target = 1.5): void {
  const ms = samples.map((s) => s.ms);
  const floor = samples.map((s) => s.floorMs);
  const typical = samples.map((s) => s.operations).sort()[Math.floor(samples.length / 2)] ?? '';
  const median = (of: (s: Sample) => number) => percentile(samples.map(of), 0.5);
  const row: Row = {
    route,
    function: fn,
    requests: samples.length,
    p50: percentile(ms, 0.5),
    p95: percentile(ms, 0.95),
    floorP50: percentile(floor, 0.5),
    floorP95: percentile(floor, 0.95),
    ratioP50: percentile(ms, 0.5) / percentile(floor, 0.5),
    ratioP95: percentile(ms, 0.95) / percentile(floor, 0.95),
    roundTrips: median((s) => s.dynamoCalls + s.otherCalls),
    rounds: median((s) => s.rounds),
    invokeP50: median((s) => s.invokeMs),
    iamP50: median((s) => s.iamMs),
    dynamoCalls: median((s) => s.dynamoCalls),
    calls: typical,
    target,
    unavailable: unavailable.get(fn) ?? 0,
  };
  unavailable.delete(fn);
  rows.push(row);
  phase(`${route}: p50 ${row.p50.toFixed(1)} ms, floor ${row.floorP50.toFixed(1)} ms, ${row.roundTrips} round trips`);
}

/** `requests` measured runs of one route after a warm-up (its instance started, caches filled). */
async function measure(route: string, fn: FunctionName, call: (i: number) => Call, target?: number): Promise<void> {
  for (let i = 0; i < warmUp; i++) await timed(fn, call(requests + i));
  const samples: Sample[] = [];
  for (let i = 0; i < requests; i++) samples.push(await timed(fn, call(i)));
  record(route, fn, samples, target);
}

// ---------------------------------------------------------------------------------------------
// The run.

try {
  const started = performance.now();
  // The history is written as it would stand long after its events: the stream consumers pass over it.
  await cloud.streams.idle(60_000);
  await cloud.streams.passOver(seed);
  phase('signing in a practitioner and clients');
  const practitioner = await signedInPerson(info, 'practitioner');
  const clients = await Promise.all(Array.from({ length: 4 }, () => signedInPerson(info, 'client')));
  const agenda: OpenAgenda = await openAgenda(info, '127.0.0.1', practitioner, {
    availability: { bookingHorizonDays: 120, minimumNoticeMinutes: 60 },
  });
  const from = parisDate(1);
  const to7 = parisDate(8);
  const to90 = parisDate(91);
  const slotsPath = (to: string) =>
    `/practitioners/${agenda.practitionerId}/slots?serviceId=${agenda.serviceId}&from=${from}&to=${to}`;
  const allSlots = (
    JSON.parse((await send({ method: 'GET', path: slotsPath(to90), expect: 200 })).text) as {
      slots: { start: string }[];
    }
  ).slots;
  // A full quarter: 9 hours of 12 booked every day, by as many clients.
  const taken = allSlots.filter((_, i) => i % 4 !== 1);
  phase(`filling the practitioner's quarter: ${taken.length} appointments`);
  await cloud.streams.passOver(() =>
    writeAll(
      bookingsTable,
      taken.flatMap((slot, i) => historyItems(agenda.practitionerId, `client_quarter${i}`, new Date(slot.start), true)),
    ),
  );
  const free = allSlots.filter((_, i) => i % 4 === 1).map((s) => s.start);
  phase(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s; measuring ${requests} requests a route`);

  const cities = CITIES.map(([city]) => city);
  await measure('search: city + specialty', 'listPractitioners', (i) => ({
    method: 'GET',
    path: `/practitioners?city=${encodeURIComponent(cities[i % cities.length] as string)}&specialty=${specialties[i % specialties.length]}&limit=20`,
    expect: 200,
  }));
  await measure('search: city', 'listPractitioners', (i) => ({
    method: 'GET',
    path: `/practitioners?city=${encodeURIComponent(cities[i % cities.length] as string)}&limit=20`,
    expect: 200,
  }));
  await measure('profile', 'getPractitioner', (i) => ({
    method: 'GET',
    path: `/practitioners/prac_bench${String((i * 37) % (2000 * scale)).padStart(8, '0')}`,
    expect: 200,
  }));
  await measure('slots, 7 days', 'listFreeSlots', () => ({ method: 'GET', path: slotsPath(to7), expect: 200 }));
  await measure('slots, 90 days', 'listFreeSlots', () => ({ method: 'GET', path: slotsPath(to90), expect: 200 }), 2);

  // Book, reschedule, cancel: each iteration frees what it took.
  const book: Sample[] = [];
  const reschedule: Sample[] = [];
  const cancel: Sample[] = [];
  for (let i = 0; i < warmUp + requests; i++) {
    const client = clients[i % clients.length] as Person;
    const first = free[(2 * i) % free.length] as string;
    const second = free[(2 * i + 1) % free.length] as string;
    const booked = await timed('bookAppointment', {
      method: 'POST',
      path: '/bookings',
      person: client,
      headers: { 'idempotency-key': randomUUID() },
      body: { practitionerId: agenda.practitionerId, serviceId: agenda.serviceId, start: first },
      expect: 201,
    });
    const id = (JSON.parse(lastAnswer) as { id: string }).id;
    const moved = await timed('rescheduleAppointment', {
      method: 'POST',
      path: `/bookings/${id}/reschedule`,
      person: client,
      body: { start: second },
      expect: 200,
    });
    const cancelled = await timed('cancelAppointment', {
      method: 'POST',
      path: `/bookings/${id}/cancel`,
      person: client,
      expect: 200,
    });
    if (i >= warmUp) {
      book.push(booked);
      reschedule.push(moved);
      cancel.push(cancelled);
    }
  }
  record('book', 'bookAppointment', book);
  record('reschedule', 'rescheduleAppointment', reschedule);
  record('cancel', 'cancelAppointment', cancel);

  await measure('my bookings', 'listMyAppointments', (i) => ({
    method: 'GET',
    path: '/bookings?limit=20',
    person: clients[i % clients.length] as Person,
    expect: 200,
  }));
  await measure('agenda, 7 days', 'getMyAgenda', () => ({
    method: 'GET',
    path: `/practitioners/me/agenda?from=${from}&to=${to7}`,
    person: practitioner,
    expect: 200,
  }));
  const webhookSecret = cloud.env.LOCAL_WEBHOOK_SECRET ?? 'whsec_local';
  await measure('Stripe webhook', 'receiveStripeWebhook', () => {
    const body = paymentIntentEventBody(freshEventId('bench'), 'payment_intent.succeeded', {
      id: `pi_bench${randomUUID().replaceAll('-', '')}`,
      status: 'succeeded',
      amount: 6000,
      appointmentId: `apt_${randomUUID().replaceAll('-', '')}`,
    });
    return {
      method: 'POST',
      path: '/webhooks/stripe',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': stripeSignature(body, webhookSecret),
      },
      body,
      expect: 200,
    };
  });

  // The table.
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `\nRoutes on the local cloud, ${requests} requests each, scale ×${scale} (ms; floor: the request's own DynamoDB calls, timed on the wire;\n` +
      `fn50: the function's invocation, iam50: the local IAM proxy's checks within it, at p50; trips: AWS calls per request;\n` +
      `rounds: how many of them were waited for one after the other, calls sent together counting once)\n`,
  );
  console.log(
    `${'route'.padEnd(26)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'floor50'.padStart(7)} ${'floor95'.padStart(7)} ${'×p50'.padStart(6)} ${'×p95'.padStart(6)} ${'target'.padStart(6)} ${'fn50'.padStart(7)} ${'iam50'.padStart(6)} ${'trips'.padStart(5)} ${'rounds'.padStart(6)}  calls`,
  );
  for (const r of rows)
    console.log(
      `${r.route.padEnd(26)} ${f(r.p50)} ${f(r.p95)} ${f(r.floorP50)} ${f(r.floorP95)} ${r.ratioP50.toFixed(2).padStart(6)} ${r.ratioP95.toFixed(2).padStart(6)} ${`≤${r.target}`.padStart(6)} ${f(r.invokeP50)} ${r.iamP50.toFixed(1).padStart(6)} ${String(r.roundTrips).padStart(5)} ${String(r.rounds).padStart(6)}  ${r.calls}${r.unavailable ? ` (${r.unavailable}× 503, sent again)` : ''}`,
    );
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `api${scale === 1 ? '' : `-x${scale}`}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), scale, requests, node: process.version, rows }, null, 2)}\n`,
  );
  console.log(`\n(written to ${file})`);
} finally {
  db.destroy();
  await cloud.stop();
}
