/**
 * Export orders and their parts in the privacy table (ADR 0018). The privacy context creates an
 * order and delivers the result; every context holding personal data reads the order (whose data,
 * under which subject keys) and writes its part(s) into it: the one write every context gets on
 * the privacy table (`EXPORT#` keys only, by convention and by this module).
 *
 * A part is JSON text cut in chunks of at most 100,000 UTF-16 units (under DynamoDB's 400 KB item
 * limit in UTF-8); chunk 0 says how many there are and is written last, so a retried part that
 * got shorter never mixes with its stale tail.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemData, ownedItem, retainedItem } from '../dynamo/items.ts';
import { queryAll } from '../dynamo/reads.ts';
import { isDue } from '../retention/expiry.ts';
import type { SubjectKey } from '../retention/subject.ts';
import { dataExportEntity, dataExportPartEntity } from './entities.ts';
import type { ExportPartName } from './export-parts.ts';

export const CHUNK_UNITS = 100_000;

export type ExportDestination =
  /** The person, in the app: mailed that it is ready, reads it at GET /me/exports/{id}. */
  | { readonly kind: 'self' }
  /** A rights request executed by the DPO: the document is mailed to the verified address. */
  | { readonly kind: 'rights-request'; readonly requestId: string; readonly email: string }
  /** A deceased person's directive: their data goes to the person they designated. */
  | { readonly kind: 'designee'; readonly deathId: string; readonly email: string };

export interface ExportOrder {
  readonly exportId: string;
  /** The account whose data it is, when the subject has one. */
  readonly accountId?: string;
  /** Every key the subject's items carry (account, email): what each context looks up. */
  readonly subjectKeys: readonly SubjectKey[];
  readonly expectedParts: readonly ExportPartName[];
  readonly receivedParts: readonly string[];
  readonly state: 'collecting' | 'ready';
  readonly requestedAt: string;
  readonly readyAt?: string;
  readonly destination: ExportDestination;
}

export interface ExportStore {
  create(order: ExportOrder, now: Date): Promise<void>;
  order(exportId: string, now: Date): Promise<ExportOrder | undefined>;
  /** Writes the part's JSON text (replacing an earlier write of the same part). */
  writePart(order: ExportOrder, part: ExportPartName, json: string): Promise<{ chunks: number }>;
  /** Notes a part as received; the order as it is after, or undefined when it is gone. */
  markReceived(exportId: string, part: string): Promise<ExportOrder | undefined>;
  /** Collecting → ready; false when another delivery won (or the order is gone). */
  markReady(exportId: string, at: Date): Promise<boolean>;
  /** The JSON text of each part written so far. */
  parts(exportId: string): Promise<Partial<Record<ExportPartName, string>>>;
}

const pkOf = (exportId: string) => `EXPORT#${exportId}`;
const ORDER = 'ORDER';
const chunkSk = (part: string, index: number) => `PART#${part}#${String(index).padStart(4, '0')}`;

/** Cuts text in chunks of at most `units` UTF-16 units, never inside a surrogate pair. */
export function chunksOf(text: string, units = CHUNK_UNITS): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + units, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(at, end));
    at = end;
  }
  return chunks.length > 0 ? chunks : [''];
}

interface StoredOrder extends Omit<ExportOrder, 'receivedParts'> {
  readonly receivedParts?: Set<string>;
}

const orderOf = (item: Record<string, unknown>): ExportOrder => {
  const stored = itemData<StoredOrder>(item);
  return { ...stored, receivedParts: [...(stored.receivedParts ?? [])].sort() };
};

export function dynamoExportStore(deps: { client: DynamoDBDocumentClient; tableName: string }): ExportStore {
  const { client, tableName } = deps;
  const subjectOf = (order: ExportOrder) => order.subjectKeys[0] as SubjectKey;

  return {
    async create(order, now) {
      const { receivedParts: _none, ...stored } = order;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: retainedItem(
            dataExportEntity,
            { pk: pkOf(order.exportId), sk: ORDER, ...stored },
            { clockStartedAt: now, subjectKey: subjectOf(order), now },
          ),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async order(exportId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: pkOf(exportId), sk: ORDER }, ConsistentRead: true }),
      );
      if (!Item || isDue(Item, now)) return undefined;
      return orderOf(Item);
    },

    async writePart(order, part, json) {
      const chunks = chunksOf(json);
      // Chunk 0 (which says how many there are) last.
      for (let index = chunks.length - 1; index >= 0; index -= 1) {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: ownedItem(
              dataExportPartEntity,
              {
                pk: pkOf(order.exportId),
                sk: chunkSk(part, index),
                part,
                index,
                of: chunks.length,
                body: chunks[index],
              },
              subjectOf(order),
            ),
          }),
        );
      }
      return { chunks: chunks.length };
    },

    async markReceived(exportId, part) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pkOf(exportId), sk: ORDER },
            UpdateExpression: 'ADD receivedParts :part',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':part': new Set([part]) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? orderOf(Attributes) : undefined;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
        throw error;
      }
    },

    async markReady(exportId, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pkOf(exportId), sk: ORDER },
            UpdateExpression: 'SET #state = :ready, readyAt = :at',
            ConditionExpression: '#state = :collecting',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':ready': 'ready', ':collecting': 'collecting', ':at': at.toISOString() },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async parts(exportId) {
      const items = await queryAll<{ part: ExportPartName; index: number; of: number; body: string }>(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :part)',
        ExpressionAttributeValues: { ':pk': pkOf(exportId), ':part': 'PART#' },
        ConsistentRead: true,
      });
      const byPart = new Map<ExportPartName, { of: number; bodies: string[] }>();
      for (const item of items) {
        const entry = byPart.get(item.part) ?? { of: 0, bodies: [] };
        if (item.index === 0) entry.of = item.of;
        entry.bodies[item.index] = item.body;
        byPart.set(item.part, entry);
      }
      const out: Partial<Record<ExportPartName, string>> = {};
      for (const [part, entry] of byPart) {
        // Items of a query come in sort key order: chunk 0 first; its count drops a stale tail.
        out[part] = entry.bodies.slice(0, entry.of).join('');
      }
      return out;
    },
  };
}
