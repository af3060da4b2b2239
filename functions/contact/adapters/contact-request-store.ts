/** Contact requests in the contact table: one item per request, kept 3 years from the request. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { notDue } from '#shared/dynamo/reads.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import type { ContactRequest } from '../domain/contact-request.ts';
import { contactRequestEntity } from '../entities.ts';

export interface ContactRequestStore {
  add(request: ContactRequest): Promise<void>;
  /** The request, or undefined when it does not exist or is past its retention. */
  get(id: string, now: Date): Promise<ContactRequest | undefined>;
  /** Records the notification once; false when it was already recorded. */
  markNotified(id: string, at: Date): Promise<boolean>;
}

interface ContactRequestItem {
  pk: string;
  sk: 'REQUEST';
  id: string;
  name: string;
  email: string;
  phone?: string;
  subject: string;
  message: string;
  receivedAt: string;
  notifiedAt?: string;
  expiresAt?: number;
  heldExpiresAt?: number;
}

const key = (id: string) => ({ pk: `CONTACT#${id}`, sk: 'REQUEST' as const });

export function dynamoContactRequestStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): ContactRequestStore {
  return {
    async add(request) {
      const item: ContactRequestItem = {
        ...key(request.id),
        id: request.id,
        name: request.name,
        email: request.email,
        phone: request.phone,
        subject: request.subject,
        message: request.message,
        receivedAt: request.receivedAt.toISOString(),
      };
      await deps.client.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: retainedItem(contactRequestEntity, item, {
            clockStartedAt: request.receivedAt,
            subjectKey: subjectKeyForEmail(request.email),
            now: request.receivedAt,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(id, now) {
      const { Item } = await deps.client.send(new GetCommand({ TableName: deps.tableName, Key: key(id) }));
      const item = Item as ContactRequestItem | undefined;
      if (!item || isDue(item, now)) return undefined;
      return {
        id: item.id,
        name: item.name,
        email: item.email,
        ...(item.phone ? { phone: item.phone } : {}),
        subject: item.subject,
        message: item.message,
        receivedAt: new Date(item.receivedAt),
        ...(item.notifiedAt ? { notifiedAt: new Date(item.notifiedAt) } : {}),
      };
    },

    async markNotified(id, at) {
      const live = notDue(at);
      try {
        await deps.client.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: key(id),
            UpdateExpression: 'SET notifiedAt = :at',
            ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(notifiedAt) AND (${live.expression})`,
            ExpressionAttributeNames: live.names,
            ExpressionAttributeValues: { ...live.values, ':at': at.toISOString() },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
