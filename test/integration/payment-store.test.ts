/**
 * The payment store against DynamoDB Local: a record is opened once, settled only from the states
 * it is told (concurrent settles: one wins), refunds are recorded once and then only change
 * status, webhook receipts go new → unpublished → published, payees are saved and read. The
 * payment record is owned by its appointment (same partition, no expiry of its own, erased with
 * it); a receipt expires 30 days after its reception.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appointmentIdFor, dynamoAppointmentStore } from '#functions/bookings/adapters/appointment-store.ts';
import {
  dynamoPaymentStore,
  type PaymentStatus,
  type PaymentStore,
  type RefundRecord,
} from '#functions/bookings/adapters/payment-store.ts';
import { confirm, newAppointment } from '#functions/bookings/domain/appointment.ts';
import { dropFreshTables, freshTables, localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const db = localDocumentClient(cloud.urls.dynamodb);
let store: PaymentStore;
let tableName: string;

beforeAll(async () => {
  tableName = (await freshTables(cloud.urls.dynamodb, 'payments')).bookings;
  store = dynamoPaymentStore({ client: db, tableName });
});

afterAll(async () => {
  await dropFreshTables(cloud.urls.dynamodb);
  db.destroy();
});

const now = new Date('2027-03-01T09:00:00.000Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const day = 86_400;

const newIds = () => {
  const clientId = randomUUID();
  return { clientId, appointmentId: appointmentIdFor(clientId, randomUUID()) };
};

async function opened(status: PaymentStatus = 'pending') {
  const ids = newIds();
  await store.open({
    ...ids,
    paymentIntentId: `pi_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    amountCents: 6000,
    applicationFeeCents: 600,
    status,
    createdAt: now.toISOString(),
  });
  return ids;
}

const rawItem = async (pk: string, sk: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

const refund = (refundId: string, changes: Partial<RefundRecord> = {}): RefundRecord => ({
  refundId,
  amountCents: 3000,
  status: 'pending',
  cause: 'cancellation',
  idempotencyKey: 'refund-x-cancellation',
  at: now.toISOString(),
  ...changes,
});

describe('the payment record', () => {
  it('is opened once: a second open leaves the first as it is', async () => {
    const { appointmentId, clientId } = await opened();
    const first = await store.find(appointmentId, now);
    expect(first).toEqual({
      appointmentId,
      clientId,
      paymentIntentId: first?.paymentIntentId,
      amountCents: 6000,
      applicationFeeCents: 600,
      status: 'pending',
      refunds: {},
      claims: {},
      committedCents: 0,
      disputes: {},
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    await store.open({
      appointmentId,
      clientId,
      paymentIntentId: 'pi_other000000',
      amountCents: 1,
      applicationFeeCents: 0,
      status: 'succeeded',
      createdAt: later(5).toISOString(),
    });
    expect(await store.find(appointmentId, now)).toEqual(first);
    expect(await store.find(newIds().appointmentId, now)).toBeUndefined();
  });

  it('is owned by its appointment: same partition, entity payment-record, its subject, no expiry of its own', async () => {
    const { appointmentId, clientId } = await opened();
    const item = await rawItem(`APPOINTMENT#${appointmentId}`, 'PAYMENT');
    expect(item).toMatchObject({ entity: 'payment-record', subjectKey: `account#${clientId}` });
    expect(item).not.toHaveProperty('expiresAt');
    expect(item).not.toHaveProperty('expiryDay');
    expect(item).not.toHaveProperty('retentionPurpose');
  });

  it('goes with its appointment when the appointment is erased; the appointment carries the expiry', async () => {
    const appointments = dynamoAppointmentStore({ client: db, tableName });
    const { appointmentId, clientId } = newIds();
    const appointment = confirm(
      newAppointment({
        id: appointmentId,
        practitionerId: `prac_${randomUUID().slice(0, 8)}`,
        clientId,
        service: { id: 'svc_1', name: 'Séance', durationMinutes: 60, priceCents: 6000, payment: { mode: 'full' } },
        start: new Date('2027-03-10T09:00:00Z'),
        cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
        requestFingerprint: 'fp',
        now,
      }),
      now,
    );
    expect((await appointments.create(appointment, now)).kind).toBe('created');
    await store.open({
      appointmentId,
      clientId,
      paymentIntentId: 'pi_owned000000',
      amountCents: 6000,
      applicationFeeCents: 600,
      status: 'succeeded',
      createdAt: now.toISOString(),
    });
    const partition = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `APPOINTMENT#${appointmentId}` },
        ConsistentRead: true,
      }),
    );
    const bySk = Object.fromEntries((partition.Items ?? []).map((i) => [i.sk, i]));
    expect(Object.keys(bySk).sort()).toEqual(['APPOINTMENT', 'PAYMENT']);
    expect(bySk.APPOINTMENT?.expiresAt).toEqual(expect.any(Number));
    expect(bySk.PAYMENT?.expiresAt).toBeUndefined();

    expect((await appointments.erase(appointment)).kind).toBe('erased');
    expect(await store.find(appointmentId, now)).toBeUndefined();
  });
});

describe('settling', () => {
  it('moves the status only from the listed states', async () => {
    const { appointmentId } = await opened();
    expect(await store.settle(appointmentId, ['succeeded'], 'failed', later(1))).toBe(false);
    expect((await store.find(appointmentId, now))?.status).toBe('pending');

    expect(await store.settle(appointmentId, ['pending'], 'failed', later(2))).toBe(true);
    expect(await store.find(appointmentId, now)).toMatchObject({
      status: 'failed',
      updatedAt: later(2).toISOString(),
    });
    // a failed payment retried with another card succeeds; a succeeded one never fails
    expect(await store.settle(appointmentId, ['pending'], 'succeeded', later(3))).toBe(false);
    expect(await store.settle(appointmentId, ['pending', 'failed'], 'succeeded', later(4))).toBe(true);
    expect(await store.settle(appointmentId, ['pending'], 'failed', later(5))).toBe(false);
    expect(await store.find(appointmentId, now)).toMatchObject({
      status: 'succeeded',
      updatedAt: later(4).toISOString(),
    });
  });

  it('a record that does not exist is not settled, nor created', async () => {
    const { appointmentId } = newIds();
    expect(await store.settle(appointmentId, ['pending'], 'succeeded', now)).toBe(false);
    expect(await rawItem(`APPOINTMENT#${appointmentId}`, 'PAYMENT')).toBeUndefined();
  });

  it('concurrent settles from pending: exactly one wins, and the record says what it settled to', async () => {
    const { appointmentId } = await opened();
    const targets: PaymentStatus[] = Array.from({ length: 20 }, (_, i) => (i % 2 ? 'succeeded' : 'failed'));
    const won = await Promise.all(targets.map((to, i) => store.settle(appointmentId, ['pending'], to, later(i))));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won.indexOf(true);
    expect(await store.find(appointmentId, now)).toMatchObject({
      status: targets[winner],
      updatedAt: later(winner).toISOString(),
    });
  });
});

describe('refunds', () => {
  it('a refund is recorded once, whole; later only its status changes (cause, key, actor kept)', async () => {
    const { appointmentId } = await opened('succeeded');
    const staff = refund('re_staff000001', {
      cause: 'staff',
      actorId: randomUUID(),
      reason: 'Geste commercial',
      idempotencyKey: 'refund-x-staff-ticket-1',
    });
    await store.recordRefund(appointmentId, staff, later(1));
    expect((await store.find(appointmentId, now))?.refunds).toEqual({ re_staff000001: staff });

    await store.recordRefund(
      appointmentId,
      refund('re_staff000001', {
        status: 'succeeded',
        cause: 'cancellation',
        idempotencyKey: 'another-key',
        amountCents: 1,
      }),
      later(2),
    );
    const record = await store.find(appointmentId, now);
    expect(record?.refunds).toEqual({ re_staff000001: { ...staff, status: 'succeeded' } });
    expect(record?.updatedAt).toBe(later(2).toISOString());

    await store.recordRefund(appointmentId, refund('re_second00001'), later(3));
    expect(Object.keys((await store.find(appointmentId, now))?.refunds ?? {}).sort()).toEqual([
      're_second00001',
      're_staff000001',
    ]);
  });

  it('the same refund recorded concurrently is recorded once', async () => {
    const { appointmentId } = await opened('succeeded');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.recordRefund(appointmentId, refund('re_racing00001', { status: i % 2 ? 'succeeded' : 'pending' }), now),
      ),
    );
    const refunds = (await store.find(appointmentId, now))?.refunds ?? {};
    expect(Object.keys(refunds)).toEqual(['re_racing00001']);
    expect(refunds.re_racing00001).toMatchObject({ cause: 'cancellation', amountCents: 3000 });
  });

  it('a refund of a payment we have no record of is refused, and no record appears', async () => {
    const { appointmentId } = newIds();
    await expect(store.recordRefund(appointmentId, refund('re_orphan00001'), now)).rejects.toThrow('No payment record');
    expect(await rawItem(`APPOINTMENT#${appointmentId}`, 'PAYMENT')).toBeUndefined();
  });

  it('disputes are recorded by id, and updated', async () => {
    const { appointmentId } = await opened('succeeded');
    const dispute = {
      disputeId: 'dp_0000000001',
      amountCents: 6000,
      status: 'needs_response',
      reason: 'fraudulent',
      at: now.toISOString(),
    };
    await store.recordDispute(appointmentId, dispute, now);
    await store.recordDispute(appointmentId, { ...dispute, status: 'won' }, later(1));
    expect((await store.find(appointmentId, now))?.disputes).toEqual({
      dp_0000000001: { ...dispute, status: 'won' },
    });
  });

  it('lists the disputed payments for staff, the latest dispute first, page by page; others are not listed', async () => {
    const undisputed = await opened('succeeded');
    const first = await opened('succeeded');
    const second = await opened('succeeded');
    const dispute = (id: string) => ({
      disputeId: id,
      amountCents: 6000,
      status: 'needs_response',
      reason: 'fraudulent',
      at: now.toISOString(),
    });
    await store.recordDispute(first.appointmentId, dispute('dp_0000000011'), later(10));
    await store.recordDispute(second.appointmentId, dispute('dp_0000000012'), later(11));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listDisputed({ limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((r) => r.appointmentId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.indexOf(second.appointmentId)).toBeLessThan(seen.indexOf(first.appointmentId));
    expect(seen.indexOf(first.appointmentId)).toBeGreaterThanOrEqual(0);
    expect(seen).not.toContain(undisputed.appointmentId);
    await expect(store.listDisputed({ limit: 1, cursor: 'forged' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('refund claims (issue 11)', () => {
  const claim = (key: string, amountCents: number) => ({
    key,
    amountCents,
    cause: 'staff' as const,
    actorId: randomUUID(),
    reason: 'goodwill',
    at: now.toISOString(),
  });
  const read = async (appointmentId: string) => (await store.find(appointmentId, now))!;

  it('10 concurrent claims never commit more than the payment; each refusal says what remained', async () => {
    for (const amounts of [
      [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
      [5999, 2, 1, 6000, 3000, 2999, 1, 1, 1, 1],
      [700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600],
    ]) {
      const { appointmentId } = await opened('succeeded');
      const record = await read(appointmentId);
      // Every caller read the record before any claim: only the conditional write keeps the total.
      const outcomes = await Promise.all(
        amounts.map((amount, i) => store.claimRefund(record, claim(`k-${i}`, amount), now)),
      );
      const claimed = amounts.filter((_, i) => outcomes[i]?.kind === 'claimed').reduce((a, b) => a + b, 0);
      expect(claimed).toBeLessThanOrEqual(6000);
      const after = await read(appointmentId);
      expect(after.committedCents).toBe(claimed);
      expect(Object.keys(after.claims ?? {})).toHaveLength(outcomes.filter((o) => o.kind === 'claimed').length);
      outcomes.forEach((outcome, i) => {
        if (outcome.kind === 'exceeds') expect(outcome.remainingCents).toBeLessThan(amounts[i]!);
      });
    }
  });

  it('a key is claimed once: the second claim is told the first (its amount)', async () => {
    const { appointmentId } = await opened('succeeded');
    const record = await read(appointmentId);
    expect(await store.claimRefund(record, claim('desk-1', 1000), now)).toEqual({ kind: 'claimed' });
    expect(await store.claimRefund(record, claim('desk-1', 2000), now)).toMatchObject({
      kind: 'taken',
      claim: { key: 'desk-1', amountCents: 1000 },
    });
    expect(await store.claimRefund(record, claim('desk-2', 5500), now)).toEqual({
      kind: 'exceeds',
      remainingCents: 5000,
    });
    expect((await read(appointmentId)).committedCents).toBe(1000);
  });

  it('settled, the claim becomes the refund (once); released, its amount is free again', async () => {
    const { appointmentId } = await opened('succeeded');
    const record = await read(appointmentId);
    const settled = { ...claim('desk-1', 1000) };
    const released = { ...claim('desk-2', 2000) };
    await store.claimRefund(record, settled, now);
    await store.claimRefund(record, released, now);
    expect((await read(appointmentId)).committedCents).toBe(3000);

    const answer = { refundId: 're_claimed0001', amountCents: 1000, status: 'succeeded' };
    await Promise.all([
      store.settleClaim(appointmentId, settled, answer, later(1)),
      store.settleClaim(appointmentId, settled, answer, later(1)),
    ]);
    await store.releaseClaim(appointmentId, released, later(2));
    await store.releaseClaim(appointmentId, released, later(2));
    const after = await read(appointmentId);
    expect(after.committedCents).toBe(1000);
    expect(after.claims).toEqual({ 'desk-1': { ...settled, refundId: 're_claimed0001' } });
    expect(after.refunds).toEqual({
      re_claimed0001: {
        ...answer,
        cause: 'staff',
        actorId: settled.actorId,
        reason: 'goodwill',
        idempotencyKey: 'desk-1',
        at: later(1).toISOString(),
      },
    });
    // A settled claim is not released.
    await store.releaseClaim(appointmentId, settled, later(3));
    expect((await read(appointmentId)).committedCents).toBe(1000);
  });

  it('a refund made elsewhere counts in what is committed; its failure frees it', async () => {
    const { appointmentId } = await opened('succeeded');
    const external = refund('re_dashboard01', { cause: 'external', amountCents: 1000, status: 'succeeded' });
    delete (external as { idempotencyKey?: string }).idempotencyKey;
    await store.recordRefund(appointmentId, external, later(1));
    await store.recordRefund(appointmentId, external, later(1));
    expect((await read(appointmentId)).committedCents).toBe(1000);
    expect(await store.claimRefund(await read(appointmentId), claim('policy', 5001), now)).toEqual({
      kind: 'exceeds',
      remainingCents: 5000,
    });
    await store.recordRefund(appointmentId, { ...external, status: 'failed' }, later(2));
    expect((await read(appointmentId)).committedCents).toBe(0);
  });

  it('a record from before claims gets its ledger from its refunds at its first claim', async () => {
    const { appointmentId } = await opened('succeeded');
    await store.recordRefund(appointmentId, refund('re_legacy00001', { status: 'succeeded', amountCents: 2500 }), now);
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `APPOINTMENT#${appointmentId}`, sk: 'PAYMENT' },
        UpdateExpression: 'REMOVE claims, committedCents',
      }),
    );
    const legacy = await read(appointmentId);
    expect(legacy.committedCents).toBeUndefined();
    expect(await store.claimRefund(legacy, claim('desk-1', 3501), now)).toMatchObject({
      kind: 'exceeds',
      remainingCents: 3500,
    });
    expect(await store.claimRefund(legacy, claim('desk-1', 3500), now)).toEqual({ kind: 'claimed' });
    expect((await read(appointmentId)).committedCents).toBe(6000);
  });
});

describe('webhook receipts', () => {
  it('an event whose object has no id (a balance) is noted without one', async () => {
    const event = { id: `evt_${randomUUID().replaceAll('-', '')}`, type: 'balance.available' };
    expect(await store.receive(event, now)).toBe('new');
    expect(await rawItem(`STRIPE_EVENT#${event.id}`, 'RECEIPT')).not.toHaveProperty('objectId');
  });

  it('new, then unpublished until marked published, then published', async () => {
    const event = {
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type: 'payment_intent.succeeded',
      objectId: 'pi_x00001',
    };
    expect(await store.receive(event, now)).toBe('new');
    expect(await store.receive(event, later(1))).toBe('unpublished');
    await store.markPublished(event.id);
    expect(await store.receive(event, later(2))).toBe('published');
    expect(await store.receive(event, later(3))).toBe('published');
  });

  it('concurrent receptions of one event: one is new', async () => {
    const event = { id: `evt_${randomUUID().replaceAll('-', '')}`, type: 'refund.updated', objectId: 're_x00001' };
    const states = await Promise.all(Array.from({ length: 10 }, () => store.receive(event, now)));
    expect(states.filter((s) => s === 'new')).toHaveLength(1);
    expect(states.filter((s) => s === 'unpublished')).toHaveLength(9);
  });

  it('keeps the event id, its type and its object id, no personal data, and expires 30 days after its reception', async () => {
    const event = { id: `evt_${randomUUID().replaceAll('-', '')}`, type: 'charge.refunded', objectId: 'ch_x00001' };
    await store.receive(event, now);
    await store.receive(event, later(60 * 24 * 10)); // a retry 10 days later does not move the expiry
    const item = await rawItem(`STRIPE_EVENT#${event.id}`, 'RECEIPT');
    const expiresAt = now.getTime() / 1000 + 30 * day;
    expect(item).toEqual({
      pk: `STRIPE_EVENT#${event.id}`,
      sk: 'RECEIPT',
      entity: 'stripe-event-receipt',
      eventId: event.id,
      type: 'charge.refunded',
      objectId: 'ch_x00001',
      receivedAt: now.toISOString(),
      published: false,
      expiresAt,
      expiryDay: '2027-03-31',
      retentionPurpose: 'technical-operation',
    });
    expect(item).not.toHaveProperty('subjectKey');
  });
});

describe('payees', () => {
  it('are saved and read back; a new save replaces the old; none for an unknown practitioner', async () => {
    const practitionerId = randomUUID();
    const payee = {
      practitionerId,
      accountId: 'acct_0000000001',
      chargesEnabled: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      updatedAt: now.toISOString(),
    };
    await store.savePayee(payee, now);
    expect(await store.payee(practitionerId, now)).toEqual(payee);

    const enabled = { ...payee, chargesEnabled: true, detailsSubmitted: true, updatedAt: later(10).toISOString() };
    await store.savePayee(enabled, later(10));
    expect(await store.payee(practitionerId, later(10))).toEqual(enabled);
    expect(await store.payee(randomUUID(), now)).toBeUndefined();
  });

  it('belongs to the practitioner and is kept 5 years from its last update, then no longer read', async () => {
    const practitionerId = randomUUID();
    await store.savePayee(
      {
        practitionerId,
        accountId: 'acct_0000000002',
        chargesEnabled: true,
        payoutsEnabled: true,
        detailsSubmitted: true,
        updatedAt: now.toISOString(),
      },
      now,
    );
    const item = await rawItem(`PAYEE#${practitionerId}`, 'PAYEE');
    const fiveYears = new Date('2032-03-01T09:00:00.000Z');
    expect(item).toMatchObject({
      entity: 'payee',
      subjectKey: `account#${practitionerId}`,
      expiresAt: fiveYears.getTime() / 1000,
      retentionPurpose: 'practitioner-profile',
    });
    expect(await store.payee(practitionerId, new Date(fiveYears.getTime() - 1000))).toBeDefined();
    expect(await store.payee(practitionerId, fiveYears)).toBeUndefined();
  });
});
