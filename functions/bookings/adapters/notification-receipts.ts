/**
 * The notification receipts (functions/bookings/entities.ts `notification-receipt`): one item per
 * appointment, kind, version and party in the appointment's partition, so that a notice is sent
 * once however often its event or schedule comes. The claim is a conditional put: it succeeds on
 * no item, on a failed send, or on a claim older than CLAIM_TIMEOUT_MS (a function that died
 * between claim and send); "sent" is final. Owned by the appointment: no expiry of its own.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { transact } from '#shared/dynamo/transactions.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { notificationReceiptEntity } from '../entities.ts';
import type { NotificationReceipts, ReceiptKey } from '../notifications/use-cases.ts';

/** Longer than any notification function runs (their timeout is seconds). */
export const CLAIM_TIMEOUT_MS = 5 * 60_000;

export const receiptKey = (key: ReceiptKey) => ({
  pk: `APPOINTMENT#${key.appointmentId}`,
  sk: `NOTICE#${key.kind}#v${key.version}#${key.party}`,
});

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

export function dynamoNotificationReceipts(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): NotificationReceipts {
  const { client, tableName } = deps;

  const mark = (key: ReceiptKey, state: 'sent' | 'failed', now: Date) =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: receiptKey(key),
        UpdateExpression: 'SET #state = :state, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND #state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':now': now.toISOString(), ':sending': 'sending' },
      }),
    );

  return {
    async claim(key, now) {
      const item = retainedItem(
        notificationReceiptEntity,
        {
          ...receiptKey(key),
          appointmentId: key.appointmentId,
          kind: key.kind,
          version: key.version,
          party: key.party,
          state: 'sending',
          claimedAt: now.toISOString(),
          updatedAt: now.toISOString(),
        },
        { clockStartedAt: key.start, subjectKey: subjectKeyForAccount(key.accountId), now },
      );
      // With the appointment still there, in the same transaction: a receipt is never written into
      // the partition of an appointment erased meanwhile (it would outlive the erasure).
      const result = await transact(client, [
        {
          ConditionCheck: {
            TableName: tableName,
            Key: { pk: `APPOINTMENT#${key.appointmentId}`, sk: 'APPOINTMENT' },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: item,
            ConditionExpression:
              'attribute_not_exists(pk) OR #state = :failed OR (#state = :sending AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':failed': 'failed',
              ':sending': 'sending',
              ':stale': new Date(now.getTime() - CLAIM_TIMEOUT_MS).toISOString(),
            },
          },
        },
      ]);
      // Not committed: the appointment is gone, or another run holds the claim; no mail from this one.
      return result.committed;
    },

    async sent(key, now) {
      await mark(key, 'sent', now).catch((error: unknown) => {
        // Already marked by a run that took over a stale claim: the mail went out either way.
        if (!isConditionFailure(error)) throw error;
      });
    },

    async failed(key, now) {
      await mark(key, 'failed', now).catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
    },
  };
}
