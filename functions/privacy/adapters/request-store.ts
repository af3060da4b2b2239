/**
 * Rights requests in the privacy table (ADR 0017): `REQUEST#<rrq>` / `REQUEST`, written whole at
 * each change on condition of the version read. While open it has no expiry and carries
 * `openPk = OPEN`, `openSk = <deadline>#<id>` (index `byDeadline`: the open requests, the most
 * urgent first); answered, it loses them and gets its expiry: 5 years from the answer.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { openItem } from '#shared/dynamo/items.ts';
import { queryAll } from '#shared/dynamo/reads.ts';
import { expiryFor, isDue } from '#shared/retention/expiry.ts';
import { type SubjectKey, subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import { deadlineOf, type RightsRequest } from '../domain/rights-request.ts';
import { rightsRequestEntity } from '../entities.ts';

export const DEADLINE_INDEX = 'byDeadline';

export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

export interface RightsRequestStore {
  /** False when the id exists already. */
  create(request: RightsRequest, now: Date): Promise<boolean>;
  get(id: string, now: Date): Promise<Versioned<RightsRequest> | undefined>;
  /** False when the request changed since it was read. */
  save(request: RightsRequest, readVersion: number, now: Date): Promise<boolean>;
  /** Every open request with its version, the nearest deadline first (an index read: eventually consistent). */
  open(): Promise<Versioned<RightsRequest>[]>;
}

const keyOf = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' });

const subjectKeyOf = (request: RightsRequest): SubjectKey =>
  request.subject.accountId
    ? subjectKeyForAccount(request.subject.accountId)
    : subjectKeyForEmail(request.subject.email ?? '');

function itemOf(request: RightsRequest, version: number, now: Date) {
  const base = openItem(
    rightsRequestEntity,
    { ...keyOf(request.id), request, version, deadline: deadlineOf(request) },
    subjectKeyOf(request),
  );
  if (!request.answer) return { ...base, openPk: 'OPEN', openSk: `${deadlineOf(request)}#${request.id}` };
  return {
    ...base,
    ...expiryFor(rightsRequestEntity.retention.purpose, new Date(`${request.answer.answeredOn}T00:00:00Z`), now),
  };
}

export function dynamoRightsRequestStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): RightsRequestStore {
  const { client, tableName } = deps;
  const put = async (item: Record<string, unknown>, condition: string, values?: Record<string, unknown>) => {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
  return {
    create(request, now) {
      return put(itemOf(request, 1, now), 'attribute_not_exists(pk)');
    },
    async get(id, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: keyOf(id), ConsistentRead: true }),
      );
      if (!Item || isDue(Item as { expiresAt?: number }, now)) return undefined;
      return { value: Item.request as RightsRequest, version: Item.version as number };
    },
    save(request, readVersion, now) {
      return put(itemOf(request, readVersion + 1, now), 'version = :version', { ':version': readVersion });
    },
    async open() {
      const items = await queryAll<{ request: RightsRequest; version: number }>(client, {
        TableName: tableName,
        IndexName: DEADLINE_INDEX,
        KeyConditionExpression: 'openPk = :open',
        ExpressionAttributeValues: { ':open': 'OPEN' },
      });
      return items.map((i) => ({ value: i.request, version: i.version }));
    },
  };
}
