/**
 * The newsletter table's address partitions (ADR 0020): `ADDR#<digest>` holds the address's
 * subscription (`SUBSCRIPTION`: pending, then confirmed, the same key) and its suppression entry
 * (`SUPPRESSION`). Every item is built from its entity (retention by construction); reads leave
 * out what is due; the 3-year clock slides with shared/dynamo/sliding.ts.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { plainItem, retainedItem } from '#shared/dynamo/items.ts';
import { queryAll, withoutDue } from '#shared/dynamo/reads.ts';
import { type SlideOutcome, slideExpiry } from '#shared/dynamo/sliding.ts';
import { EXPIRY_DAY, isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { EXPIRY_INDEX } from '#shared/tables.ts';
import type {
  AddressState,
  ConfirmedSubscription,
  PendingSubscription,
  Subscription,
  SubscriptionSource,
  Suppression,
  UnsubscribeReason,
} from '../domain/subscription.ts';
import { jobCheckpointEntity, pendingSubscriptionEntity, subscriptionEntity, suppressionEntity } from '../entities.ts';

export interface SubscriptionStore {
  read(digest: string, now: Date): Promise<AddressState>;
  /** Writes the request, replacing a pending one; false when a live confirmed subscription is there. */
  request(digest: string, pending: PendingSubscription, now: Date): Promise<boolean>;
  /**
   * Replaces the pending request by the confirmed subscription (its clock starts now) and lifts the
   * address's suppression, in one transaction; undefined when the request changed meanwhile.
   */
  confirm(digest: string, pending: PendingSubscription, now: Date): Promise<ConfirmedSubscription | undefined>;
  /**
   * Ends the address's subscription at once (deleted, pending or confirmed) and writes its
   * suppression entry, in one transaction. The address comes from the subscription, or from
   * `email` (a bounce names it); without either there is nothing to suppress. Returns the
   * subscription deleted, if any.
   */
  suppress(
    digest: string,
    reason: UnsubscribeReason,
    now: Date,
    email?: string,
  ): Promise<{ deleted: Subscription | undefined; suppressed: boolean }>;
  /** The last contact: the 3-year clock restarts now (one write a day at most; none for a pending request). */
  touch(digest: string, now: Date): Promise<SlideOutcome>;
  /** Claims the renewal ask of the subscription's current expiry; false when asked already or changed. */
  claimRenewalAsk(digest: string, expiresAt: number, now: Date): Promise<boolean>;
  /** Gives the claim back (the mail failed): the next run asks again. */
  releaseRenewalAsk(digest: string, expiresAt: number): Promise<void>;
  /** The digests of the subscriptions whose expiry day is `day` (the byExpiry index, never a Scan). */
  expiringOn(day: string): Promise<string[]>;
  checkpoint(job: string): Promise<string | undefined>;
  saveCheckpoint(job: string, day: string): Promise<void>;
  /**
   * A page of the confirmed subscriptions (the byAudience index, by digest), after `after`:
   * the live ones, and the key to go on from (undefined at the end).
   */
  audiencePage(after: string | undefined, limit: number, now: Date): Promise<AudiencePage>;
  /** Notes a campaign on the subscription before its mail: false when it was sent it already (or it ended). */
  claimCampaign(digest: string, campaignId: string): Promise<boolean>;
  /** Takes the note back (the mail could not be sent this time). */
  releaseCampaign(digest: string, campaignId: string): Promise<void>;
}

export interface Recipient {
  readonly digest: string;
  readonly email: string;
  readonly subscriptionId: string;
}

export interface AudiencePage {
  readonly recipients: readonly Recipient[];
  readonly next: string | undefined;
}

const SUBSCRIPTION = 'SUBSCRIPTION';
const SUPPRESSION = 'SUPPRESSION';
const pkOf = (digest: string) => `ADDR#${digest}`;
const digestOf = (pk: string) => pk.slice('ADDR#'.length);
/** The confirmed subscriptions' partition of the byAudience index. */
export const AUDIENCE = 'CONFIRMED';

interface ProofItem {
  subscriptionId: string;
  email: string;
  wordingVersion: string;
  source: SubscriptionSource;
  requestedAt: string;
}

type Item = Record<string, unknown> & {
  pk: string;
  sk: string;
  entity: string;
  expiresAt?: number;
  heldExpiresAt?: number;
};

const proofOf = (item: Item): Omit<ProofItem, never> => ({
  subscriptionId: String(item.subscriptionId),
  email: String(item.email),
  wordingVersion: String(item.wordingVersion),
  source: item.source as SubscriptionSource,
  requestedAt: String(item.requestedAt),
});

function subscriptionOf(item: Item): Subscription | undefined {
  if (item.entity === pendingSubscriptionEntity.name) {
    return {
      kind: 'pending',
      ...proofOf(item),
      confirmationHash: String(item.confirmationHash),
      confirmationExpiresAt: String(item.confirmationExpiresAt),
      mailedAt: String(item.mailedAt),
    };
  }
  if (item.entity === subscriptionEntity.name) {
    return {
      kind: 'confirmed',
      ...proofOf(item),
      confirmedAt: String(item.confirmedAt),
      confirmationHash: String(item.confirmationHash),
      lastContactAt: String(item.lastContactAt),
      ...(item.renewalAskedAt ? { renewalAskedAt: String(item.renewalAskedAt) } : {}),
      ...(typeof item.renewalAskedFor === 'number' ? { renewalAskedFor: item.renewalAskedFor } : {}),
      expiresAt: Number(item.expiresAt ?? item.heldExpiresAt),
    };
  }
  return undefined;
}

const conditionFailed = (error: unknown) =>
  ['ConditionalCheckFailedException', 'TransactionCanceledException'].includes((error as Error).name);

export function dynamoSubscriptionStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): SubscriptionStore {
  const { client, tableName } = deps;

  const read: SubscriptionStore['read'] = async (digest, now) => {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pkOf(digest) },
        ConsistentRead: true,
      }),
    );
    let subscription: Subscription | undefined;
    let suppression: Suppression | undefined;
    for (const item of Items as Item[]) {
      if (isDue(item, now)) continue;
      if (item.sk === SUBSCRIPTION) subscription = subscriptionOf(item);
      if (item.sk === SUPPRESSION && item.entity === suppressionEntity.name)
        suppression = { reason: item.reason as UnsubscribeReason, suppressedAt: String(item.suppressedAt) };
    }
    return { ...(subscription ? { subscription } : {}), ...(suppression ? { suppression } : {}) };
  };

  const suppressionItem = (digest: string, email: string, reason: UnsubscribeReason, now: Date) =>
    retainedItem(
      suppressionEntity,
      { pk: pkOf(digest), sk: SUPPRESSION, reason, suppressedAt: now.toISOString() },
      { clockStartedAt: now, subjectKey: subjectKeyForEmail(email), now },
    );

  return {
    read,

    async request(digest, pending, now) {
      const { kind: _kind, ...fields } = pending;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: retainedItem(
              pendingSubscriptionEntity,
              { pk: pkOf(digest), sk: SUBSCRIPTION, ...fields },
              { clockStartedAt: now, subjectKey: subjectKeyForEmail(pending.email), now },
            ),
            // Never over a live confirmed subscription; over a pending one or a due one, yes.
            ConditionExpression:
              'attribute_not_exists(pk) OR #entity = :pending OR (attribute_exists(#expiresAt) AND #expiresAt <= :now)',
            ExpressionAttributeNames: { '#entity': 'entity', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: {
              ':pending': pendingSubscriptionEntity.name,
              ':now': Math.floor(now.getTime() / 1000),
            },
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    async confirm(digest, pending, now) {
      const { kind: _kind, confirmationExpiresAt: _expires, mailedAt: _mailed, ...proof } = pending;
      const item = retainedItem(
        subscriptionEntity,
        {
          pk: pkOf(digest),
          sk: SUBSCRIPTION,
          ...proof,
          confirmedAt: now.toISOString(),
          lastContactAt: now.toISOString(),
          audiencePk: AUDIENCE,
          audienceSk: digest,
        },
        { clockStartedAt: now, subjectKey: subjectKeyForEmail(pending.email), now },
      );
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: item,
                  ConditionExpression: '#entity = :pending AND confirmationHash = :hash',
                  ExpressionAttributeNames: { '#entity': 'entity' },
                  ExpressionAttributeValues: {
                    ':pending': pendingSubscriptionEntity.name,
                    ':hash': pending.confirmationHash,
                  },
                },
              },
              // A new confirmed opt-in lifts the address's suppression.
              { Delete: { TableName: tableName, Key: { pk: pkOf(digest), sk: SUPPRESSION } } },
            ],
          }),
        );
      } catch (error) {
        if (conditionFailed(error)) return undefined;
        throw error;
      }
      return subscriptionOf(item as unknown as Item) as ConfirmedSubscription;
    },

    async suppress(digest, reason, now, email) {
      const { subscription } = await read(digest, now);
      const address = subscription?.email ?? email;
      if (!address) return { deleted: undefined, suppressed: false };
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(subscription
              ? [
                  {
                    Delete: {
                      TableName: tableName,
                      Key: { pk: pkOf(digest), sk: SUBSCRIPTION },
                      ConditionExpression: 'subscriptionId = :id',
                      ExpressionAttributeValues: { ':id': subscription.subscriptionId },
                    },
                  },
                ]
              : []),
            { Put: { TableName: tableName, Item: suppressionItem(digest, address, reason, now) } },
          ],
        }),
      );
      return { deleted: subscription, suppressed: true };
    },

    touch(digest, now) {
      return slideExpiry({ client, tableName }, subscriptionEntity, { pk: pkOf(digest), sk: SUBSCRIPTION }, now, now, {
        lastContactAt: now.toISOString(),
      });
    },

    async claimRenewalAsk(digest, expiresAt, now) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pkOf(digest), sk: SUBSCRIPTION },
            UpdateExpression: 'SET renewalAskedAt = :now, renewalAskedFor = :expiresAt',
            ConditionExpression:
              '#entity = :subscription AND #expiresAt = :expiresAt AND (attribute_not_exists(renewalAskedFor) OR renewalAskedFor <> :expiresAt)',
            ExpressionAttributeNames: { '#entity': 'entity', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: {
              ':subscription': subscriptionEntity.name,
              ':expiresAt': expiresAt,
              ':now': now.toISOString(),
            },
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    async releaseRenewalAsk(digest, expiresAt) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pkOf(digest), sk: SUBSCRIPTION },
            UpdateExpression: 'REMOVE renewalAskedAt, renewalAskedFor',
            ConditionExpression: 'renewalAskedFor = :expiresAt',
            ExpressionAttributeValues: { ':expiresAt': expiresAt },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    },

    async expiringOn(day) {
      const items = await queryAll<Item>(client, {
        TableName: tableName,
        IndexName: EXPIRY_INDEX,
        KeyConditionExpression: '#day = :day',
        FilterExpression: '#entity = :subscription',
        ExpressionAttributeNames: { '#day': EXPIRY_DAY, '#entity': 'entity' },
        ExpressionAttributeValues: { ':day': day, ':subscription': subscriptionEntity.name },
      });
      return items.map((item) => digestOf(item.pk));
    },

    async checkpoint(job) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: `JOB#${job}`, sk: 'CHECKPOINT' }, ConsistentRead: true }),
      );
      return Item?.lastDay as string | undefined;
    },

    async audiencePage(after, limit, now) {
      const page = await client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: tableName,
              IndexName: 'byAudience',
              KeyConditionExpression: after
                ? 'audiencePk = :audience AND audienceSk > :after'
                : 'audiencePk = :audience',
              FilterExpression: '#entity = :subscription',
              ExpressionAttributeNames: { '#entity': 'entity' },
              ExpressionAttributeValues: {
                ':audience': AUDIENCE,
                ':subscription': subscriptionEntity.name,
                ...(after ? { ':after': after } : {}),
              },
              Limit: limit,
            },
            now,
          ),
        ),
      );
      return {
        recipients: ((page.Items ?? []) as Item[]).map((item) => ({
          digest: digestOf(item.pk),
          email: String(item.email),
          subscriptionId: String(item.subscriptionId),
        })),
        next: page.LastEvaluatedKey ? String(page.LastEvaluatedKey.audienceSk) : undefined,
      };
    },

    async claimCampaign(digest, campaignId) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pkOf(digest), sk: SUBSCRIPTION },
            UpdateExpression: 'ADD sentCampaigns :campaign',
            ConditionExpression: '#entity = :subscription AND NOT contains(sentCampaigns, :id)',
            ExpressionAttributeNames: { '#entity': 'entity' },
            ExpressionAttributeValues: {
              ':campaign': new Set([campaignId]),
              ':id': campaignId,
              ':subscription': subscriptionEntity.name,
            },
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    async releaseCampaign(digest, campaignId) {
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pkOf(digest), sk: SUBSCRIPTION },
            UpdateExpression: 'DELETE sentCampaigns :campaign',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':campaign': new Set([campaignId]) },
          }),
        )
        .catch((error: unknown) => {
          if (!conditionFailed(error)) throw error;
        });
    },

    async saveCheckpoint(job, day) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: plainItem(jobCheckpointEntity, { pk: `JOB#${job}`, sk: 'CHECKPOINT', lastDay: day }),
        }),
      );
    },
  };
}
