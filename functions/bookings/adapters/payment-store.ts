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

export interface RefundRecord {
  readonly refundId: string;
  readonly amountCents: number;
  readonly status: string;
  /** Why: the cancellation policy, a payment that came after the slot was released, or staff. */
  readonly cause: 'cancellation' | 'late-payment' | 'staff';
  /** The staff member's account id, for a staff refund. */
  readonly actorId?: string;
  readonly reason?: string;
  readonly idempotencyKey: string;
  readonly at: string;
}

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
  open(record: Omit<PaymentRecord, 'refunds' | 'disputes' | 'updatedAt'>): Promise<void>;
  find(appointmentId: string, now: Date): Promise<PaymentRecord | undefined>;
  /** Moves the status if it is one of `from`; false when it was not (already settled). */
  settle(appointmentId: string, from: readonly PaymentStatus[], to: PaymentStatus, now: Date): Promise<boolean>;
  /** Records a refund, or its new status; a refund already recorded keeps its cause and key. */
  recordRefund(appointmentId: string, refund: RefundRecord, now: Date): Promise<void>;
  /** Records a dispute (or its new status); the payment then shows in the staff's list of disputes. */
  recordDispute(appointmentId: string, dispute: DisputeRecord, now: Date): Promise<void>;
  /** Payments with a dispute, the latest dispute first (the sparse index `byDispute`). */
  listDisputed(options: { limit: number; cursor?: string }): Promise<{ items: PaymentRecord[]; nextCursor?: string }>;
  /** Notes a webhook event; `new` the first time, then whether its handoff was published. */
  receive(event: { id: string; type: string; objectId: string }, now: Date): Promise<ReceiptState>;
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

export function dynamoPaymentStore(deps: { client: DynamoDBDocumentClient; tableName: string }): PaymentStore {
  const { client, tableName } = deps;
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

    async recordRefund(appointmentId, refund, now) {
      // A new refund is written whole; a known one only gets its status.
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: paymentKey(appointmentId),
            UpdateExpression: 'SET refunds.#id = :refund, updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(refunds.#id)',
            ExpressionAttributeNames: { '#id': refund.refundId },
            ExpressionAttributeValues: { ':refund': refund, ':now': now.toISOString() },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: paymentKey(appointmentId),
            UpdateExpression: 'SET refunds.#id.#status = :status, updatedAt = :now',
            ConditionExpression: 'attribute_exists(refunds.#id)',
            ExpressionAttributeNames: { '#id': refund.refundId, '#status': 'status' },
            ExpressionAttributeValues: { ':status': refund.status, ':now': now.toISOString() },
          }),
        );
      }
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
                objectId: event.objectId,
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
