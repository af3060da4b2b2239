/**
 * The WebSocket API's open connections in the messaging table (ADR 0016): `SOCKET#<connection
 * id>` / `SOCKET`, with `ownerKey` = `ACCOUNT#<account id>` (index `byOwner`, keys only) for the
 * live push. API Gateway closes a connection after 2 hours at most, so the item expires 2 hours
 * and 5 minutes after the connection (its TTL), whether or not `$disconnect` ran.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { queryAll } from '#shared/dynamo/reads.ts';
import { epochSeconds, expiryDayOf } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { webSocketConnectionEntity } from '../entities.ts';

export const OWNER_INDEX = 'byOwner';

/** API Gateway's longest connection (2 h), and a margin. */
export const CONNECTION_LIFETIME_SECONDS = 2 * 3600 + 5 * 60;

const keyOf = (connectionId: string) => ({ pk: `SOCKET#${connectionId}`, sk: 'SOCKET' });
const ownerKey = (accountId: string) => `ACCOUNT#${accountId}`;

export interface ConnectionStore {
  add(connectionId: string, accountId: string, now: Date): Promise<void>;
  remove(connectionId: string): Promise<void>;
  /** The account's connections (an index read: one opened a few milliseconds ago may be missing). */
  of(accountId: string): Promise<string[]>;
}

export function dynamoConnectionStore(deps: { client: DynamoDBDocumentClient; tableName: string }): ConnectionStore {
  const { client, tableName } = deps;
  return {
    async add(connectionId, accountId, now) {
      const item = retainedItem(
        webSocketConnectionEntity,
        { ...keyOf(connectionId), ownerKey: ownerKey(accountId), connectedAt: now.toISOString() },
        { clockStartedAt: now, subjectKey: subjectKeyForAccount(accountId), now },
      );
      // Far sooner than the purpose's 30 days: a connection lives 2 hours at most.
      const expiresAt = epochSeconds(now) + CONNECTION_LIFETIME_SECONDS;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...item, expiresAt, expiryDay: expiryDayOf(expiresAt, now) },
        }),
      );
    },
    async remove(connectionId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: keyOf(connectionId) }));
    },
    async of(accountId) {
      const items = await queryAll<{ pk: string }>(client, {
        TableName: tableName,
        IndexName: OWNER_INDEX,
        KeyConditionExpression: 'ownerKey = :owner',
        ExpressionAttributeValues: { ':owner': ownerKey(accountId) },
      });
      return items.map((i) => i.pk.slice('SOCKET#'.length));
    },
  };
}
