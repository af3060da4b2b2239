/**
 * No card data anywhere we keep or send (issue 6): after a payment with a test card and its
 * refund, over HTTP against the local cloud, nothing the tests produced holds a card number, a
 * CVC, an expiry, a card fingerprint or a PaymentIntent client secret:
 *
 * - every item of every table of the local cloud (DynamoDB Local, tables `mpbe-local-*`);
 * - the local cloud's log (`cloud.logFile`): the handlers' structured logs, the gateway's
 *   request lines, and the bus's line for every event it carried (detail-type, id, rule, target);
 * - the events that went over the bus: the local bus logs a line for each (detail-type, id, rule,
 *   target), scanned with the log, but keeps no detail. So each one's content is covered through
 *   its contract: it is a catalogue event, whose data the publisher parses with a strict schema
 *   (no field but those declared); the declared fields that would take a card number or a secret
 *   as a value (tried on the schema) are named, each with the place its value is also kept (the
 *   receipt, the payment record, the appointment item, the consumers' log lines), scanned here.
 *   A new free-text field fails the test until its place is named;
 * - every mail the SES emulator received (bodies and decoded attachments).
 *
 * The card data existed upstream: Stripe's `charge.succeeded` webhook, which our endpoint
 * received, carries the card's brand, last four digits, expiry and CVC check (asserted below).
 * The scanner is held to planted card data and to look-alikes that are not (timestamps, hashes).
 */
import { readFileSync } from 'node:fs';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { eventCatalogue } from '#events/catalogue.ts';
import { LOCAL_WEBHOOK_SECRET } from '#local/cloud.ts';
import { callAs, type OpenAgenda } from '../support/bookings.ts';
import { type Finding, findCardData, luhnValid, STRIPE_TEST_PANS } from '../support/card-data.ts';
import { localDocumentClient, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails, waitForMail } from '../support/mail.ts';
import {
  type BookingView,
  drain,
  emulator,
  eventually,
  heldBooking,
  onboardedAgenda,
  processingsOf,
  until,
} from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address (.95 and .96 are taken by booking-notifications and practitioner-controller).
const IP = '127.0.0.98';
const stripe = emulator(cloud);
const dynamo = localDocumentClient(cloud.urls.dynamodb);

let practitioner: Person;
let client: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  [practitioner, client] = await Promise.all([signedInPerson(cloud, 'practitioner'), signedInPerson(cloud, 'client')]);
  agenda = await onboardedAgenda(cloud, IP, practitioner);
}, 90_000);

afterAll(() => dynamo.destroy());

/** Every item of every table of the local cloud, as JSON labelled table/pk/sk. */
async function everyItem(): Promise<{ where: string; json: string }[]> {
  const names: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await dynamo.send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  const ours = names.filter((n) => n.startsWith('mpbe-local-'));
  expect(ours).toEqual(expect.arrayContaining(Object.values(tableNamesFrom(cloud.env))));
  const items: { where: string; json: string }[] = [];
  for (const table of ours) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
      for (const item of page.Items ?? [])
        items.push({ where: `${table} ${String(item.pk)} | ${String(item.sk)}`, json: JSON.stringify(item) });
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return items;
}

/** Values a free-text event field could carry: card numbers (plain, grouped), a client secret, a card field. */
const CARD_LIKE_VALUES = ['4242424242424242', '4242 4242 4242 4242', 'pi_3AbCdEf_secret_GhIjKl', 'cvc'];

const describeFindings = (findings: Finding[]) =>
  findings
    .slice(0, 20)
    .map((f) => `${f.kind} "${f.match}" in ${f.where}`)
    .join('\n');

describe('the card-data scanner', () => {
  it('finds PANs (Luhn, Stripe test numbers, grouped), card fields and client secrets', () => {
    for (const pan of STRIPE_TEST_PANS) expect(luhnValid(pan), pan).toBe(true);
    const planted = [
      '{"note":"4242424242424242"}',
      'card 4000 0566 5566 5556 used',
      'pan=4000-0025-0000-0003&x',
      '{"amex":"378282246310005"}',
      'ref x4000000000000077x',
      '{"card":{"cvc":"123"}}',
      '{"cvc_check":"pass"}',
      '"exp_month": 12',
      '{"exp_year":2034}',
      'card[number]=4242',
      '{"fingerprint":"Xt5EWLLDS7FJjR1c"}',
      '{"clientSecret":"pi_3AbCdEf_secret_GhIjKl"}',
      '{"client_secret":null}',
    ];
    for (const text of planted) expect(findCardData('planted', text), text).not.toEqual([]);
  });

  it('leaves alone what only looks like it: timestamps, hashes, ids, short numbers, Luhn-invalid runs', () => {
    const now = Date.now();
    const lookAlikes = [
      `{"at":${now},"expiresAt":${Math.floor(now / 1000)}}`,
      `{"requestFingerprint":"a1b2c3${'1234567890123456'}d4e5"}`,
      '{"pk":"SLOT#8f7c2b4e-1c2d-4e5f-9a8b-7c6d5e4f3a2b#29433320","sk":"LOCK"}',
      '{"phone":"+33612345678","amountCents":6000}',
      'id 4242424242424241 fails Luhn',
      '{"sequence":"000000000000000000041"}',
      'incorrect_cvc is a decline code, AWS_SECRET_ACCESS_KEY a variable name',
    ];
    for (const text of lookAlikes) expect(findCardData('look-alike', text, now), text).toEqual([]);
  });
});

describe('after a payment with a test card and its refund', () => {
  it('no table, log line, event or mail holds card data or the client secret', async () => {
    // Paid with Stripe's Visa test card (4242 4242 4242 4242), confirmed by the webhook.
    const booked = await heldBooking(cloud, IP, client, agenda, 6);
    const pi = booked.checkout.paymentIntentId;
    const clientSecret = booked.checkout.clientSecret;
    expect(clientSecret).toMatch(/^pi_.+_secret_.+/);
    await stripe.pay(pi, 'pm_card_visa');
    await eventually<BookingView>(
      cloud,
      IP,
      client,
      `/bookings/${booked.id}`,
      (a) => a.state === 'confirmed' && a.payment?.status === 'succeeded',
    );

    // The card data came as far as our webhook: Stripe's charge.succeeded, accepted by it,
    // carries the card's brand, last four digits, expiry and CVC check.
    const charge = await until('the charge.succeeded event', async () =>
      (await stripe.events('charge.succeeded')).find((e) => e.data.object.payment_intent === pi),
    );
    const delivered = await until('charge.succeeded to be accepted', async () =>
      (await stripe.deliveries()).find((d) => d.eventId === charge.id && d.ok),
    );
    expect(delivered.body).toContain('"last4": "4242"');
    expect(delivered.body).toMatch(/"exp_month": \d+/);
    expect(delivered.body).toContain('"cvc_check": "pass"');

    // Cancelled in time: refunded whole, the refund settled by its webhooks.
    expect((await callAs(cloud, IP, client, 'POST', `/bookings/${booked.id}/cancel`)).status).toBe(200);
    await eventually<BookingView>(
      cloud,
      IP,
      client,
      `/bookings/${booked.id}`,
      (a) =>
        a.payment?.refundedCents === booked.checkout.amountCents &&
        a.payment.refunds.every((r) => r.status === 'succeeded'),
    );
    const refundEvents = await until('the refund events', async () => {
      const found = (await stripe.events()).filter(
        (e) => e.type.startsWith('refund.') && e.data.object.payment_intent === pi,
      );
      return found.length > 0 ? found : undefined;
    });
    for (const event of refundEvents)
      await until(`${event.type} to be processed`, () => processingsOf(cloud, event.id)[0]);
    for (const person of [client, practitioner])
      await waitForMail(
        cloud.urls.mailStore,
        (m) =>
          m.destination.to.includes(person.email) &&
          /^Rendez-vous annulé/.test(m.subject) &&
          (m.body.text ?? '').includes(booked.id),
        30_000,
      );
    await drain(cloud, IP, LOCAL_WEBHOOK_SECRET);

    // Everything the tests produced so far.
    const items = await everyItem();
    const log = readFileSync(cloud.logFile, 'utf8');
    const logLines = log.split('\n');
    const busLines = logLines.filter((l) => l.includes('event-bus: '));
    const stored = await mails(cloud.urls.mailStore);

    // The scan covers the places card data would land: this payment's record and receipts, its
    // processing, the events it put on the bus, its mails.
    expect(items.some((i) => i.where.endsWith(`APPOINTMENT#${booked.id} | PAYMENT`))).toBe(true);
    expect(items.some((i) => i.where.includes(`STRIPE_EVENT#${charge.id}`))).toBe(true);
    expect(log).toContain(charge.id);
    for (const type of ['StripeEventReceived', 'PaymentSucceeded', 'PaymentRefunded', 'BookingCancelled'])
      expect(
        busLines.some((l) => l.includes(`detail-type=${type} `)),
        type,
      ).toBe(true);
    expect(stored.some((m) => (m.body.text ?? '').includes(booked.id))).toBe(true);

    const findings = [
      ...items.flatMap((i) => findCardData(`item ${i.where}`, i.json)),
      ...logLines.flatMap((line, n) =>
        findCardData(`${line.includes('event-bus: ') ? 'bus line' : 'log line'} ${n + 1}`, line),
      ),
      ...stored.flatMap((m) =>
        findCardData(
          `mail "${m.subject}"`,
          [
            m.subject,
            m.body.text ?? '',
            m.body.html ?? '',
            ...(m.attachments ?? []).map((a) => Buffer.from(a.content, 'base64').toString('utf8')),
          ].join('\n'),
        ),
      ),
    ];
    expect(findings, describeFindings(findings)).toEqual([]);

    // The events: every one that went over the bus is a catalogue event (the publisher parses its
    // data with the contract before PutEvents), whose data schema is strict: no field but those
    // declared. Of those, the ones that would take a card number or a secret as a value are
    // listed here, each with where its value is kept, and so scanned above.
    const carried = new Set(busLines.map((l) => /detail-type=(\S+)/.exec(l)?.[1]).filter((t) => t !== undefined));
    const openFields: Record<string, string[]> = {};
    for (const detailType of carried) {
      const contract = eventCatalogue.find((c) => c.detailType === detailType);
      expect(contract, `${detailType} is not a catalogue event`).toBeDefined();
      const data = contract!.data as unknown as z.ZodObject;
      expect(data.def.catchall?._zod.def.type, `${detailType} data is not strict`).toBe('never');
      const open = Object.entries(data.shape as Record<string, z.ZodType>)
        .filter(([, field]) => CARD_LIKE_VALUES.some((v) => field.safeParse(v).success))
        .map(([name]) => name);
      if (open.length > 0) openFields[detailType] = open;
    }
    const keptWhere: Record<string, string[]> = {
      // the appointment item (and every consumer's log line)
      ...Object.fromEntries([...carried].filter((t) => t.startsWith('Booking')).map((t) => [t, ['practitionerId']])),
      // the review item (when another test file's reviews went over the bus before this one)
      ...Object.fromEntries([...carried].filter((t) => t.startsWith('Review')).map((t) => [t, ['practitionerId']])),
      // the practitioner's controller-action item and the erasure-log entry (when another test
      // file's erasure went over the bus before this one)
      ClientAppointmentsErased: ['practitionerId'],
      // the webhook's receipt item and the processing log line
      StripeEventReceived: ['type'],
      // the conversation and message items (when another test file's messages went over the bus before this one)
      MessageSent: ['senderId', 'recipientId'],
      // the payment record's refunds and disputes
      PaymentRefunded: ['status'],
      PaymentDisputed: ['status'],
    };
    expect(openFields).toEqual(Object.fromEntries(Object.keys(openFields).map((t) => [t, keptWhere[t]])));
    expect(carried).toContain('StripeEventReceived');
    // The client secret by its value too: it is for the client's app only.
    expect(items.filter((i) => i.json.includes(clientSecret)).map((i) => i.where)).toEqual([]);
    expect(log.includes(clientSecret)).toBe(false);
  }, 150_000);
});
