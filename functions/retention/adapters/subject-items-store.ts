/**
 * The cross-table subject index: every item of a data subject, in every table of the contexts,
 * through the sparse `bySubject` index (a Query per table, never a Scan), and the retention
 * metadata writes that holds and erasures make on them. It touches only the retention attributes
 * (`expiresAt`, `expiryDay`, `heldExpiresAt`) and keys, never a context's own attributes.
 * The retention table is left out: its records (holds, audit, erasure log) are the accountability
 * of holds and erasures themselves, kept for their own periods.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EXPIRES_AT, EXPIRY_DAY, HELD_EXPIRES_AT, SUBJECT_KEY } from '#shared/retention/expiry.ts';
import { SUBJECT_INDEX, type TableName } from '#shared/tables.ts';
import type { SubjectItem } from '../domain/data-subject.ts';
import { resumedExpiry } from '../domain/hold.ts';

export type SuspendOutcome = 'held' | 'already-held' | 'no-expiry' | 'gone';
export type ResumeOutcome = 'released' | 'not-held' | 'gone';
export type EraseOutcome = 'erased' | 'held' | 'gone';

export interface SubjectItemsStore {
  /** Every item of the subject, in every table but the retention table's own. */
  find(subjectKey: string): Promise<SubjectItem[]>;
  /**
   * Whether any item of any table names the subject, the retention table's records (holds, audit
   * entries, erasure log) included: one key of the subject index per table at most.
   */
  known(subjectKey: string): Promise<boolean>;
  /** Every item of one partition: what a root owns. */
  partition(table: string, pk: string): Promise<SubjectItem[]>;
  /** Takes the expiry away (TTL and the purge's index no longer see the item) and keeps it as `heldExpiresAt`. */
  suspendExpiry(item: SubjectItem): Promise<SuspendOutcome>;
  /** Gives the held expiry back, with its index day (never before `now`). */
  resumeExpiry(item: SubjectItem, now: Date): Promise<ResumeOutcome>;
  /** Deletes the item, unless a hold took its expiry since it was found. */
  erase(item: SubjectItem): Promise<EraseOutcome>;
  /** Deletes by key whatever is there (erasure replay); true when an item was there. */
  deleteKey(key: Pick<SubjectItem, 'table' | 'pk' | 'sk'>): Promise<boolean>;
}

const names = {
  '#pk': 'pk',
  '#sk': 'sk',
  '#entity': 'entity',
  '#subject': SUBJECT_KEY,
  '#exp': EXPIRES_AT,
  '#held': HELD_EXPIRES_AT,
};
const projection = '#pk, #sk, #entity, #subject, #exp, #held';

function toSubjectItem(table: string, raw: Record<string, unknown>): SubjectItem {
  return {
    table,
    pk: raw.pk as string,
    sk: raw.sk as string,
    ...(typeof raw.subjectKey === 'string' ? { subjectKey: raw.subjectKey } : {}),
    ...(typeof raw.entity === 'string' ? { entity: raw.entity } : {}),
    ...(typeof raw.expiresAt === 'number' ? { expiresAt: raw.expiresAt } : {}),
    ...(typeof raw.heldExpiresAt === 'number' ? { heldExpiresAt: raw.heldExpiresAt } : {}),
  };
}

const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoSubjectItemsStore(deps: {
  client: DynamoDBDocumentClient;
  /** Logical table name → physical name, for every table the function was given. */
  tableNames: Partial<Record<TableName, string>>;
}): SubjectItemsStore {
  const physical = (table: string): string => {
    const name = deps.tableNames[table as TableName];
    if (!name) throw new Error(`No physical name for table ${table}`);
    return name;
  };
  const searched = (Object.keys(deps.tableNames) as TableName[]).filter((table) => table !== 'retention');

  async function query(table: string, input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const items: SubjectItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await deps.client.send(
        new QueryCommand({ ...input, TableName: physical(table), ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []).map((raw) => toSubjectItem(table, raw)));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  const keyOf = (item: Pick<SubjectItem, 'pk' | 'sk'>) => ({ pk: item.pk, sk: item.sk });
  const read = async (item: SubjectItem) =>
    (
      await deps.client.send(
        new GetCommand({ TableName: physical(item.table), Key: keyOf(item), ConsistentRead: true }),
      )
    ).Item;

  return {
    async find(subjectKey) {
      const perTable = await Promise.all(
        searched.map((table) =>
          query(table, {
            IndexName: SUBJECT_INDEX,
            KeyConditionExpression: '#subject = :subject',
            ProjectionExpression: projection,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':subject': subjectKey },
          }),
        ),
      );
      return perTable.flat();
    },

    async known(subjectKey) {
      const tablesOfSubjects = Object.keys(deps.tableNames) as TableName[];
      const found = await Promise.all(
        tablesOfSubjects.map(async (table) => {
          const page = await deps.client.send(
            new QueryCommand({
              TableName: physical(table),
              IndexName: SUBJECT_INDEX,
              KeyConditionExpression: '#subject = :subject',
              ExpressionAttributeNames: { '#subject': SUBJECT_KEY },
              ExpressionAttributeValues: { ':subject': subjectKey },
              Select: 'COUNT',
              Limit: 1,
            }),
          );
          return (page.Count ?? 0) > 0;
        }),
      );
      return found.some(Boolean);
    },

    partition(table, pk) {
      return query(table, {
        KeyConditionExpression: '#pk = :pk',
        ProjectionExpression: projection,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      });
    },

    async suspendExpiry(item) {
      try {
        await deps.client.send(
          new UpdateCommand({
            TableName: physical(item.table),
            Key: keyOf(item),
            UpdateExpression: 'SET #held = #exp REMOVE #exp, #day',
            ConditionExpression: 'attribute_exists(#exp)',
            ExpressionAttributeNames: { '#held': HELD_EXPIRES_AT, '#exp': EXPIRES_AT, '#day': EXPIRY_DAY },
          }),
        );
        return 'held';
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        const current = await read(item);
        if (!current) return 'gone';
        return current[HELD_EXPIRES_AT] !== undefined ? 'already-held' : 'no-expiry';
      }
    },

    async resumeExpiry(item, now) {
      let held = item.heldExpiresAt;
      // A sliding clock may move the held expiry between our read and our write: retry on what is there.
      for (let attempt = 0; attempt < 5; attempt += 1) {
        if (held === undefined) {
          const current = await read(item);
          if (!current) return 'gone';
          if (typeof current[HELD_EXPIRES_AT] !== 'number') return 'not-held';
          held = current[HELD_EXPIRES_AT] as number;
        }
        const resumed = resumedExpiry(held, now);
        try {
          await deps.client.send(
            new UpdateCommand({
              TableName: physical(item.table),
              Key: keyOf(item),
              UpdateExpression: 'SET #exp = :exp, #day = :day REMOVE #held',
              ConditionExpression: '#held = :held',
              ExpressionAttributeNames: { '#held': HELD_EXPIRES_AT, '#exp': EXPIRES_AT, '#day': EXPIRY_DAY },
              ExpressionAttributeValues: { ':exp': resumed.expiresAt, ':day': resumed.expiryDay, ':held': held },
            }),
          );
          return 'released';
        } catch (error) {
          if (!conditionFailed(error)) throw error;
          held = undefined; // read what is there now, and try again with it
        }
      }
      throw new Error(`The held expiry of an item in ${item.table} kept changing`);
    },

    async erase(item) {
      try {
        const { Attributes } = await deps.client.send(
          new DeleteCommand({
            TableName: physical(item.table),
            Key: keyOf(item),
            // Found without a hold: if a hold took its expiry since, the hold wins.
            ...(item.heldExpiresAt === undefined
              ? {
                  ConditionExpression: 'attribute_not_exists(#held)',
                  ExpressionAttributeNames: { '#held': HELD_EXPIRES_AT },
                }
              : {}),
            ReturnValues: 'ALL_OLD',
          }),
        );
        return Attributes ? 'erased' : 'gone';
      } catch (error) {
        if (conditionFailed(error)) return 'held';
        throw error;
      }
    },

    async deleteKey(key) {
      const { Attributes } = await deps.client.send(
        new DeleteCommand({ TableName: physical(key.table), Key: keyOf(key), ReturnValues: 'ALL_OLD' }),
      );
      return Attributes !== undefined;
    },
  };
}
