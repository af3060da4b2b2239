/**
 * Sliding retention clocks ("5 years from the last activity", "3 years from the last contact"):
 * when the clock moves, the root item's expiry moves with it. Cheap by construction:
 * - one conditional UpdateItem on the root only (owned items follow their root, never rewritten);
 * - the condition lets the expiry move only forward and by at least a day, so a person active
 *   all day costs one write a day, and callers may skip the call when they know the expiry is
 *   already within a day (no rewrite storm);
 * - under a legal hold the held expiry moves instead, so the lift resumes the right date.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RetainedEntity } from '../retention/entity.ts';
import { EXPIRES_AT, EXPIRY_DAY, expiryFor, HELD_EXPIRES_AT } from '../retention/expiry.ts';
import type { Keys } from './items.ts';

const ONE_DAY = 24 * 3600;

export type SlideOutcome = 'moved' | 'moved-under-hold' | 'unchanged';

export async function slideExpiry(
  deps: { client: DynamoDBDocumentClient; tableName: string },
  entity: RetainedEntity,
  key: Keys,
  clockMovedTo: Date,
  now: Date,
  /** Attributes written in the same update when the clock moves (e.g. `lastContactAt`). */
  also: Readonly<Record<string, string | number>> = {},
): Promise<SlideOutcome> {
  if (!entity.retention.sliding) throw new Error(`${entity.name} has no sliding retention clock`);
  const next = expiryFor(entity.retention.purpose, clockMovedTo, now);
  const extra = Object.keys(also);
  const extraSet = extra.map((_, i) => `, #also${i} = :also${i}`).join('');
  const attempt = async (update: string, attribute: string) => {
    try {
      await deps.client.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: { pk: key.pk, sk: key.sk },
          UpdateExpression: update + extraSet,
          ConditionExpression: '#entity = :entity AND #attr < :threshold',
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#attr': attribute,
            ...(attribute === EXPIRES_AT ? { '#day': EXPIRY_DAY } : {}),
            ...Object.fromEntries(extra.map((name, i) => [`#also${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':entity': entity.name,
            ':expiresAt': next.expiresAt,
            ':threshold': next.expiresAt - ONE_DAY,
            ...(attribute === EXPIRES_AT ? { ':day': next.expiryDay } : {}),
            ...Object.fromEntries(extra.map((name, i) => [`:also${i}`, also[name]])),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
  if (await attempt('SET #attr = :expiresAt, #day = :day', EXPIRES_AT)) return 'moved';
  if (await attempt('SET #attr = :expiresAt', HELD_EXPIRES_AT)) return 'moved-under-hold';
  return 'unchanged';
}
