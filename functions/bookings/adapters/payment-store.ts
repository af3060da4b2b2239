/**
 * Payments in the bookings table, with the appointment they pay:
 * - the payment record (pk `APPOINTMENT#<id>`, sk `PAYMENT`): owned by the appointment, so it is
 *   kept exactly as long (5 years from the appointment's date) and goes with it. Stripe ids,
 *   amounts, statuses and dates only: no card data ever reaches our code;
 * - Stripe event receipts (pk `STRIPE_EVENT#<id>`): the webhook's deduplication, kept 30 days
 *   (Stripe retries for 3): the event id, its type and its object's id, nothing else;
 * - payees (pk `PAYEE#<practitionerId>`): the practitioner's connected Stripe account and whether
 *   it can receive payments.
 * Every change of a record is conditioned on what it changes from, so duplicated and reordered
 * webhooks settle to one state.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ownedItem, plainItem, retainedItem } from '#shared/dynamo/items.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { payeeEntity, paymentRecordEntity, stripeEventReceiptEntity } from '../entities.ts';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

/** Why a refund was made: the cancellation policy, a payment after the slot was released, staff, or someone at Stripe. */
export type RefundCause = 'cancellation' | 'late-payment' | 'staff' | 'external';

export interface RefundRecord {
  readonly refundId: string;
  readonly amountCents: number;
  readonly status: string;
  /** `external`: made outside the platform (Stripe's dashboard…), followed from Stripe's events. */
  readonly cause: RefundCause;
  /** The staff member's account id, for a staff refund. */
  readonly actorId?: string;
  readonly reason?: string;
  /** The idempotency key it was asked under (none for an external refund). */
  readonly idempotencyKey?: string;
  readonly at: string;
}

/**
 * A refund the platform asks, by its idempotency key: written (reserving its amount) before Stripe
 * is called, so concurrent refunds can never promise more than the payment; settled with Stripe's
 * refund id, or released when Stripe refused it. Kept after settlement: the key's amount is
 * remembered, so a reuse of the key with another amount is seen.
 */
export interface RefundClaim {
  readonly key: string;
  readonly amountCents: number;
  readonly cause: Exclude<RefundCause, 'external'>;
  readonly actorId?: string;
  readonly reason?: string;
  readonly at: string;
  /** Stripe's refund, once known. */
  readonly refundId?: string;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'taken'; readonly claim: RefundClaim }
  | { readonly kind: 'exceeds'; readonly remainingCents: number };

export interface DisputeRecord {
  readonly disputeId: string;
  readonly amountCents: number;
  readonly status: string;
  readonly reason: string;
  readonly at: string;
}

export interface PaymentRecord {
  readonly appointmentId: string;
  readonly clientId: string;
  readonly paymentIntentId: string;
  readonly amountCents: number;
  readonly applicationFeeCents: number;
  readonly status: PaymentStatus;
  readonly refunds: Readonly<Record<string, RefundRecord>>;
  /** Refunds the platform asked, by idempotency key (absent on records older than issue 11). */
  readonly claims?: Readonly<Record<string, RefundClaim>>;
  /**
   * What is given back or promised: live refunds (not failed or canceled) plus open claims. The
   * claims' conditional writes keep it at most `amountCents` (absent on records older than issue 11).
   */
  readonly committedCents?: number;
  readonly disputes: Readonly<Record<string, DisputeRecord>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Payee {
  readonly practitionerId: string;
  readonly accountId: string;
  readonly chargesEnabled: boolean;
  readonly payoutsEnabled: boolean;
  readonly detailsSubmitted: boolean;
  readonly updatedAt: string;
}

export type ReceiptState = 'new' | 'unpublished' | 'published';

export interface PaymentStore {
  /** Opens the record of an appointment's payment; an existing record is left as it is. */
  open(record: Omit<PaymentRecord, 'refunds' | 'claims' | 'committedCents' | 'disputes' | 'updatedAt'>): Promise<void>;
  find(appointmentId: string, now: Date): Promise<PaymentRecord | undefined>;
  /** Moves the status if it is one of `from`; false when it was not (already settled). */
  settle(appointmentId: string, from: readonly PaymentStatus[], to: PaymentStatus, now: Date): Promise<boolean>;
  /**
   * Reserves a refund's amount under its key, if what is committed leaves room for it (one
   * conditional write): `taken` when the key was claimed before, `exceeds` with what remains.
   */
  claimRefund(record: PaymentRecord, claim: Omit<RefundClaim, 'refundId'>, now: Date): Promise<ClaimOutcome>;
  /** The claimed refund was made at Stripe: recorded with the claim's cause; once (a second settlement is a no-op). */
  settleClaim(
    appointmentId: string,
    claim: RefundClaim,
    refund: { refundId: string; amountCents: number; status: string },
    now: Date,
  ): Promise<void>;
  /** Stripe refused the claimed refund: its amount is free again (a settled claim is left). */
  releaseClaim(appointmentId: string, claim: RefundClaim, now: Date): Promise<void>;
  /** Records a refund not claimed here (made elsewhere), or a known refund's new status; the committed total follows. */
  recordRefund(appointmentId: string, refund: RefundRecord, now: Date): Promise<void>;
  /** Records a dispute (or its new status); the payment then shows in the staff's list of disputes. */
  recordDispute(appointmentId: string, dispute: DisputeRecord, now: Date): Promise<void>;
  /** Payments with a dispute, the latest dispute first (the sparse index `byDispute`). */
  listDisputed(options: { limit: number; cursor?: string }): Promise<{ items: PaymentRecord[]; nextCursor?: string }>;
  /** Notes a webhook event; `new` the first time, then whether its handoff was published. */
  receive(event: { id: string; type: string; objectId?: string | undefined }, now: Date): Promise<ReceiptState>;
  markPublished(eventId: string): Promise<void>;
  payee(practitionerId: string, now: Date): Promise<Payee | undefined>;
  savePayee(payee: Payee, now: Date): Promise<void>;
}

const paymentKey = (appointmentId: string) => ({ pk: `APPOINTMENT#${appointmentId}`, sk: 'PAYMENT' });
const receiptKey = (eventId: string) => ({ pk: `STRIPE_EVENT#${eventId}`, sk: 'RECEIPT' });
const payeeKey = (practitionerId: string) => ({ pk: `PAYEE#${practitionerId}`, sk: 'PAYEE' });

/** The sparse index of payments with a dispute, for staff. */
export const DISPUTE_INDEX = 'byDispute';

function recordOf(item: Record<string, unknown>): PaymentRecord {
  const { pk: _pk, sk: _sk, entity: _e, subjectKey: _s, disputeKey: _d, lastDisputeAt: _l, ...record } = item;
  return record as unknown as PaymentRecord;
}

const conditionFailed = (error: unknown) => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** A refund that gives (or will give) money back: not failed, not canceled. */
export const isLive = (status: string) => status !== 'failed' && status !== 'canceled';

/** What a record has given back or promised (computed for a record older than the committed total). */
export function committedOf(record: Pick<PaymentRecord, 'refunds' | 'claims' | 'committedCents'>): number {
  if (record.committedCents !== undefined) return record.committedCents;
  const refunded = Object.values(record.refunds)
    .filter((r) => isLive(r.status))
    .reduce((sum, r) => sum + r.amountCents, 0);
  const open = Object.values(record.claims ?? {})
    .filter((c) => !c.refundId)
    .reduce((sum, c) => sum + c.amountCents, 0);
  return refunded + open;
}

export function dynamoPaymentStore(deps: { client: DynamoDBDocumentClient; tableName: string }): PaymentStore {
  const { client, tableName } = deps;

  /** A record from before claims gets its ledger, from its refunds (set once, by whoever comes first). */
  async function ensureLedger(record: PaymentRecord) {
    if (record.claims !== undefined && record.committedCents !== undefined) return;
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: paymentKey(record.appointmentId),
        UpdateExpression:
          'SET claims = if_not_exists(claims, :empty), committedCents = if_not_exists(committedCents, :c)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':empty': {}, ':c': committedOf(record) },
      }),
    );
  }

  return {
    async open(record) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: ownedItem(
              paymentRecordEntity,
              {
                ...paymentKey(record.appointmentId),
                ...record,
                refunds: {},
                claims: {},
                committedCents: 0,
                disputes: {},
                updatedAt: record.createdAt,
              },
              subjectKeyForAccount(record.clientId),
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    },

    async find(appointmentId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: paymentKey(appointmentId), ConsistentRead: true }),
      );
      return Item ? recordOf(Item) : undefined;
    },

    async settle(appointmentId, from, to, now) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: paymentKey(appointmentId),
            UpdateExpression: 'SET #status = :to, updatedAt = :now',
            ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': to,
              ':now': now.toISOString(),
              ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])),
            },
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    async claimRefund(record, claim, now) {
      const key = paymentKey(record.appointmentId);
      if (record.claims === undefined || record.committedCents === undefined) {
        // A record from before claims: its ledger starts from its refunds (set once, by whoever comes first).
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression:
              'SET claims = if_not_exists(claims, :empty), committedCents = if_not_exists(committedCents, :c)',
            ExpressionAttributeValues: { ':empty': {}, ':c': committedOf(record) },
          }),
        );
      }
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET claims.#k = :claim, updatedAt = :now ADD committedCents :amount',
            // DynamoDB conditions have no arithmetic: "committed + amount <= paid" is "committed <= paid - amount".
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(claims.#k) AND committedCents <= :max',
            ExpressionAttributeNames: { '#k': claim.key },
            ExpressionAttributeValues: {
              ':claim': claim,
              ':now': now.toISOString(),
              ':amount': claim.amountCents,
              ':max': record.amountCents - claim.amountCents,
            },
          }),
        );
        return { kind: 'claimed' };
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const latest = Item ? recordOf(Item) : undefined;
      const taken = latest?.claims?.[claim.key];
      if (taken) return { kind: 'taken', claim: taken };
      return { kind: 'exceeds', remainingCents: latest ? Math.max(0, latest.amountCents - committedOf(latest)) : 0 };
    },

    async settleClaim(appointmentId, claim, refund, now) {
      const recorded: RefundRecord = {
        refundId: refund.refundId,
        amountCents: refund.amountCents,
        status: refund.status,
        cause: claim.cause,
        ...(claim.actorId ? { actorId: claim.actorId } : {}),
        ...(claim.reason ? { reason: claim.reason } : {}),
        idempotencyKey: claim.key,
        at: now.toISOString(),
      };
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: paymentKey(appointmentId),
            // The reservation becomes the refund: what Stripe refunded replaces what was reserved.
            UpdateExpression:
              'SET claims.#k.refundId = :id, refunds.#id = :refund, updatedAt = :now ADD committedCents :delta',
            ConditionExpression:
              'attribute_exists(claims.#k) AND attribute_not_exists(claims.#k.refundId) AND attribute_not_exists(refunds.#id)',
            ExpressionAttributeNames: { '#k': claim.key, '#id': refund.refundId },
            ExpressionAttributeValues: {
              ':id': refund.refundId,
              ':refund': recorded,
              ':now': now.toISOString(),
              ':delta': (isLive(refund.status) ? refund.amountCents : 0) - claim.amountCents,
            },
          }),
        );
      } catch (error) {
        // Settled already (by Stripe's refund event, or a retry): the first settlement stands.
        if (!conditionFailed(error)) throw error;
      }
    },

    async releaseClaim(appointmentId, claim, now) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: paymentKey(appointmentId),
            UpdateExpression: 'REMOVE claims.#k SET updatedAt = :now ADD committedCents :minus',
            ConditionExpression: 'attribute_exists(claims.#k) AND attribute_not_exists(claims.#k.refundId)',
            ExpressionAttributeNames: { '#k': claim.key },
            ExpressionAttributeValues: { ':now': now.toISOString(), ':minus': -claim.amountCents },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    },

    async recordRefund(appointmentId, refund, now) {
      const key = paymentKey(appointmentId);
      // A few rounds: a status write is conditioned on the status it read; a concurrent change makes it read again.
      for (let round = 0; round < 5; round++) {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
        if (!Item) throw new Error('No payment record for this refund');
        const record = recordOf(Item);
        await ensureLedger(record);
        const known = record.refunds[refund.refundId];
        if (known?.status === refund.status) return;
        try {
          // Totals move by ADD, never by a value read before: concurrent claims are never overwritten.
          await client.send(
            known
              ? new UpdateCommand({
                  TableName: tableName,
                  Key: key,
                  UpdateExpression: 'SET refunds.#id.#status = :status, updatedAt = :now ADD committedCents :delta',
                  ConditionExpression: 'refunds.#id.#status = :previous',
                  ExpressionAttributeNames: { '#id': refund.refundId, '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':status': refund.status,
                    ':previous': known.status,
                    ':now': now.toISOString(),
                    ':delta':
                      (isLive(refund.status) ? known.amountCents : 0) - (isLive(known.status) ? known.amountCents : 0),
                  },
                })
              : new UpdateCommand({
                  TableName: tableName,
                  Key: key,
                  UpdateExpression: 'SET refunds.#id = :refund, updatedAt = :now ADD committedCents :delta',
                  ConditionExpression: 'attribute_not_exists(refunds.#id)',
                  ExpressionAttributeNames: { '#id': refund.refundId },
                  ExpressionAttributeValues: {
                    ':refund': refund,
                    ':now': now.toISOString(),
                    ':delta': isLive(refund.status) ? refund.amountCents : 0,
                  },
                }),
          );
          return;
        } catch (error) {
          if (!conditionFailed(error)) throw error;
        }
      }
      throw new Error('The payment record kept changing while a refund was recorded; delivered again');
    },

    async recordDispute(appointmentId, dispute, now) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: paymentKey(appointmentId),
          UpdateExpression:
            'SET disputes.#id = :dispute, updatedAt = :now, disputeKey = :disputed, lastDisputeAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#id': dispute.disputeId },
          ExpressionAttributeValues: { ':dispute': dispute, ':now': now.toISOString(), ':disputed': 'DISPUTE' },
        }),
      );
    },

    async listDisputed({ limit, cursor }) {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: DISPUTE_INDEX,
          KeyConditionExpression: 'disputeKey = :disputed',
          ExpressionAttributeValues: { ':disputed': 'DISPUTE' },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor
            ? {
                ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk', 'disputeKey', 'lastDisputeAt'], {
                  disputeKey: 'DISPUTE',
                }),
              }
            : {}),
        }),
      );
      return {
        items: (page.Items ?? []).map(recordOf),
        ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
      };
    },

    async receive(event, now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: plainItem(
              stripeEventReceiptEntity,
              {
                ...receiptKey(event.id),
                eventId: event.id,
                type: event.type,
                ...(event.objectId ? { objectId: event.objectId } : {}),
                receivedAt: now.toISOString(),
                published: false,
              },
              now,
              now,
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'new';
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: receiptKey(event.id), ConsistentRead: true }),
      );
      return Item?.published ? 'published' : 'unpublished';
    },

    async markPublished(eventId) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: receiptKey(eventId),
          UpdateExpression: 'SET published = :yes',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );
    },

    async payee(practitionerId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: payeeKey(practitionerId), ConsistentRead: true }),
      );
      if (!Item || isDue(Item, now)) return undefined;
      return {
        practitionerId: Item.practitionerId,
        accountId: Item.accountId,
        chargesEnabled: Item.chargesEnabled,
        payoutsEnabled: Item.payoutsEnabled,
        detailsSubmitted: Item.detailsSubmitted,
        updatedAt: Item.updatedAt,
      };
    },

    async savePayee(payee, now) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          // The practitioner's payment account follows their profile: 5 years from the last update.
          Item: retainedItem(
            payeeEntity,
            { ...payeeKey(payee.practitionerId), ...payee },
            { clockStartedAt: now, subjectKey: subjectKeyForAccount(payee.practitionerId), now },
          ),
        }),
      );
    },
  };
}
