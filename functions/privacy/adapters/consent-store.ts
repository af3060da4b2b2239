/**
 * A person's consents and objections in the privacy table, in one partition per account
 * (`CONSENTS#<account id>`):
 * - `STATE` (`consent-state`): the latest choice per choice id, written whole at each change on
 *   condition of the version read;
 * - `CHANGE#<change id>` (`consent-change`): one per change, the proof (GDPR art. 7(1)): choice,
 *   granted, the wording's version, time, source. Change ids begin with their time, so the
 *   partition lists the changes in order.
 * A change writes both in one transaction: no state without its proof, no proof without its state.
 *
 * Retention (purpose `consent-proof`, 5 years): each change 5 years from itself; the state 5
 * years from its latest change, a sliding clock, so it goes with the newest proof it rests on.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { slideExpiry } from '#shared/dynamo/sliding.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import type { ConsentChange, ConsentState } from '../domain/consents.ts';
import { consentChangeEntity, consentStateEntity } from '../entities.ts';

export interface ConsentStore {
  /** The person's state and its version (0 and an empty state before their first change). */
  read(accountId: string, now: Date): Promise<{ state: ConsentState; version: number }>;
  /** Their last `limit` changes, newest first. */
  history(accountId: string, limit: number, now: Date): Promise<ConsentChange[]>;
  /** Writes the new state and the change together; false when the state changed since it was read. */
  record(accountId: string, change: ConsentChange, state: ConsentState, readVersion: number): Promise<boolean>;
  /** The account was active: the choices live on with it (shared/dynamo/sliding.ts). */
  slide(accountId: string, activeAt: Date, now: Date): Promise<void>;
}

const partition = (accountId: string) => `CONSENTS#${accountId}`;
const CHANGE_PREFIX = 'CHANGE#';

type StateItem = { state: ConsentState; version: number; expiresAt?: number; heldExpiresAt?: number };
type ChangeItem = ConsentChange & { expiresAt?: number; heldExpiresAt?: number };

export function dynamoConsentStore(deps: { client: DynamoDBDocumentClient; tableName: string }): ConsentStore {
  const { client, tableName } = deps;
  return {
    async read(accountId, now) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: partition(accountId), sk: 'STATE' },
          ConsistentRead: true,
        }),
      );
      const item = Item as StateItem | undefined;
      // A due state (its newest proof is 5 years old) reads as none: the defaults apply again.
      // Its version still conditions the next write, which replaces it.
      if (!item) return { state: {}, version: 0 };
      return { state: isDue(item, now) ? {} : item.state, version: item.version };
    },

    async history(accountId, limit, now) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :change)',
          ExpressionAttributeValues: { ':pk': partition(accountId), ':change': CHANGE_PREFIX },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (Items as ChangeItem[])
        .filter((item) => !isDue(item, now))
        .map(({ changeId, choice, granted, wordingVersion, changedAt, source }) => ({
          changeId,
          choice,
          granted,
          wordingVersion,
          changedAt,
          source,
        }));
    },

    async record(accountId, change, state, readVersion) {
      const at = new Date(change.changedAt);
      const retention = { clockStartedAt: at, subjectKey: subjectKeyForAccount(accountId), now: at };
      const stateItem = retainedItem(
        consentStateEntity,
        { pk: partition(accountId), sk: 'STATE', state, version: readVersion + 1 },
        retention,
      );
      const changeItem = retainedItem(
        consentChangeEntity,
        { pk: partition(accountId), sk: `${CHANGE_PREFIX}${change.changeId}`, ...change },
        retention,
      );
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: stateItem,
                  ...(readVersion === 0
                    ? { ConditionExpression: 'attribute_not_exists(pk)' }
                    : {
                        ConditionExpression: 'version = :version',
                        ExpressionAttributeValues: { ':version': readVersion },
                      }),
                },
              },
              { Put: { TableName: tableName, Item: changeItem, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return true;
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (
          (error as Error).name === 'TransactionCanceledException' &&
          reasons?.[0]?.Code === 'ConditionalCheckFailed'
        ) {
          return false;
        }
        throw error;
      }
    },
    async slide(accountId, activeAt, now) {
      await slideExpiry(deps, consentStateEntity, { pk: partition(accountId), sk: 'STATE' }, activeAt, now);
    },
  };
}
