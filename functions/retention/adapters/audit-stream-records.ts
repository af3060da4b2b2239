/**
 * Reads a DynamoDB stream record (the AWS DynamoDBStreamEvent shape Lambda delivers) into what the
 * deletion audit needs: the table, the keys, the time, the TTL mark and three retention attributes
 * of the old image (entity, expiresAt, retentionPurpose). Nothing else of the image is read.
 */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { TableName } from '#shared/tables.ts';
import type { RemovedItem } from '../deletion-audit.ts';

/** arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> → the table's logical name. */
export function tableOfStreamArn(arn: string | undefined, tables: ReadonlyMap<string, TableName>) {
  const name = arn?.match(/:table\/([^/]+)\/stream\//)?.[1];
  return name ? tables.get(name) : undefined;
}

const text = (value: AttributeValue | undefined) => (value?.S !== undefined ? value.S : undefined);
const number = (value: AttributeValue | undefined) => (value?.N !== undefined ? Number(value.N) : undefined);

/** The few attributes the audit reads, or undefined for a record it cannot attribute to a table. */
export function removedItemOf(
  record: DynamoDBRecord,
  tables: ReadonlyMap<string, TableName>,
  now: number,
): RemovedItem | undefined {
  const table = tableOfStreamArn(record.eventSourceARN, tables);
  const keys = record.dynamodb?.Keys;
  const pk = text(keys?.pk);
  const sk = text(keys?.sk);
  if (!table || !record.eventID || pk === undefined || sk === undefined) return undefined;
  const old = record.dynamodb?.OldImage ?? {};
  const entity = text(old.entity);
  const expiresAt = number(old.expiresAt);
  const retentionPurpose = text(old.retentionPurpose);
  return {
    eventId: record.eventID,
    table,
    key: { pk, sk },
    removedAt: record.dynamodb?.ApproximateCreationDateTime ?? now,
    byTtl: record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com',
    old: {
      ...(entity !== undefined ? { entity } : {}),
      ...(expiresAt !== undefined && Number.isFinite(expiresAt) ? { expiresAt } : {}),
      ...(retentionPurpose !== undefined ? { retentionPurpose } : {}),
    },
  };
}
