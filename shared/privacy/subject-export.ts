/**
 * A context's part of an export (ADR 0018), read from its own table: every live item of the
 * subject, found through the subject index (a Query per subject key, never a Scan), with the
 * partitions its root items own, read whole. Each item becomes a record of its entity, without
 * the technical attributes (keys, index keys, retention metadata), with `keptUntil`: the date its
 * retention ends, which the person has a right to know (GDPR art. 15(1)(d)).
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../dynamo/reads.ts';
import type { EntityDefinition } from '../retention/entity.ts';
import { EXPIRES_AT, EXPIRY_DAY, HELD_EXPIRES_AT, isDue, SUBJECT_KEY } from '../retention/expiry.ts';
import { SUBJECT_INDEX, type TableName, tables } from '../tables.ts';
import type { ExportPartName } from './export-parts.ts';

export { partsOfEntities } from './export-parts.ts';

/** Attributes an export leaves out: storage mechanics, not data about the person. */
export function technicalAttributes(table: TableName): ReadonlySet<string> {
  const indexKeys = tables[table].indexes
    .flatMap((index) => [index.partitionKey.name, index.sortKey?.name])
    .filter((name): name is string => Boolean(name && /(Key|Pk|Sk)$/.test(name)));
  return new Set([
    'pk',
    'sk',
    'entity',
    'version',
    'retentionPurpose',
    SUBJECT_KEY,
    EXPIRES_AT,
    EXPIRY_DAY,
    HELD_EXPIRES_AT,
    ...indexKeys,
  ]);
}

/** Explained once in the export's README: added to every record that has an expiry. */
export const KEPT_UNTIL = 'keptUntil';

export type ExportRecord = Record<string, unknown>;
/** A part's records, by entity name (or, for data kept outside our tables, a kind such as `cognito-identity`). */
export type PartRecords = Record<string, ExportRecord[]>;

export interface ExportSource {
  readonly table: TableName;
  readonly tableName: string;
  /** The entity types of that table (the context's entities.ts). */
  readonly entities: readonly EntityDefinition[];
}

type Item = Record<string, unknown> & { pk: string; sk: string };

const keyOf = (item: { pk: string; sk: string }) => `${item.pk}\u0000${item.sk}`;

/** Every live item of the subject in one table, whole. */
export async function subjectItems(
  client: DynamoDBDocumentClient,
  source: ExportSource,
  subjectKeys: readonly string[],
  now: Date,
): Promise<Item[]> {
  const roots = new Set(source.entities.filter((e) => 'owns' in e && e.owns === 'partition').map((e) => e.name));
  // Withheld entities (an export order and its chunks, a lock…) are never read whole.
  const exported = new Set(source.entities.filter((e) => e.personalData && 'part' in e.export).map((e) => e.name));
  const found = new Map<string, Item>();
  const listed: Item[] = [];
  for (const subjectKey of subjectKeys) {
    listed.push(
      ...(
        await queryAll<Item>(client, {
          TableName: source.tableName,
          IndexName: SUBJECT_INDEX,
          KeyConditionExpression: '#subject = :subject',
          ExpressionAttributeNames: { '#subject': SUBJECT_KEY },
          ExpressionAttributeValues: { ':subject': subjectKey },
        })
      ).filter((item) => exported.has(String(item.entity))),
    );
  }
  // A root owns its partition: read it whole (its items may name someone else as their subject).
  const partitions = new Set(listed.filter((i) => roots.has(String(i.entity))).map((i) => i.pk));
  for (const pk of partitions) {
    for (const item of await queryAll<Item>(client, {
      TableName: source.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    })) {
      found.set(keyOf(item), item);
    }
  }
  // The subject index holds a few attributes only: read the others' items whole.
  const missing = [...new Map(listed.filter((i) => !found.has(keyOf(i))).map((i) => [keyOf(i), i])).values()];
  for (let at = 0; at < missing.length; at += 100) {
    let keys: Record<string, unknown>[] | undefined = missing.slice(at, at + 100).map((i) => ({ pk: i.pk, sk: i.sk }));
    for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      if (attempt > 10) throw new Error(`${source.table}: unprocessed keys after ${attempt} attempts`);
      const page = await client.send(
        new BatchGetCommand({ RequestItems: { [source.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of (page.Responses?.[source.tableName] ?? []) as Item[]) found.set(keyOf(item), item);
      keys = page.UnprocessedKeys?.[source.tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return [...found.values()]
    .filter((item) => !isDue(item as { expiresAt?: number }, now))
    .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** An item as the person reads it: its entity's fields, and when its retention ends. */
export function recordOf(item: Item, technical: ReadonlySet<string>): ExportRecord {
  const record: ExportRecord = {};
  for (const [name, value] of Object.entries(item)) {
    if (!technical.has(name)) record[name] = value instanceof Set ? [...value].sort() : value;
  }
  if (typeof item[EXPIRES_AT] === 'number') {
    record[KEPT_UNTIL] = new Date((item[EXPIRES_AT] as number) * 1000).toISOString();
  }
  return record;
}

/** The items sorted into the parts their entities declare; withheld entities and unknown items are left out. */
export function partsOf(
  items: readonly Item[],
  source: ExportSource,
  parts: readonly ExportPartName[],
): Record<ExportPartName, PartRecords> {
  const technical = technicalAttributes(source.table);
  const byName = new Map(source.entities.map((e) => [e.name, e]));
  const out = Object.fromEntries(parts.map((part) => [part, {}])) as Record<ExportPartName, PartRecords>;
  for (const item of items) {
    const entity = byName.get(String(item.entity));
    if (!entity?.personalData || !('part' in entity.export)) continue;
    const part = out[entity.export.part];
    if (!part) continue;
    const records = part[entity.name] ?? [];
    records.push(recordOf(item, technical));
    part[entity.name] = records;
  }
  return out;
}
