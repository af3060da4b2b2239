/**
 * Post-mortem directives and recorded deaths in the privacy table (ADR 0018):
 * `DIRECTIVE#<account>` / `DIRECTIVE` (one per account, expiry 5 years from the account's last
 * activity, slid forward by its activity) and `DEATH#<account>` / `DEATH` (one per account,
 * 5 years from the recording).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { itemData, retainedItem } from '#shared/dynamo/items.ts';
import { slideExpiry } from '#shared/dynamo/sliding.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import type { DeathRecord, Directive } from '../domain/directives.ts';
import { deathRecordEntity, postMortemDirectiveEntity } from '../entities.ts';

export interface DirectiveStore {
  directive(accountId: string, now: Date): Promise<Directive | undefined>;
  saveDirective(directive: Directive, now: Date): Promise<void>;
  /** True when there was one. */
  revokeDirective(accountId: string): Promise<boolean>;
  /** The account was active: the directive's expiry moves with the account's. */
  slideDirective(accountId: string, activeAt: Date, now: Date): Promise<void>;
  /** False when a death is recorded for the account already. */
  recordDeath(record: DeathRecord, now: Date): Promise<boolean>;
  death(accountId: string, now: Date): Promise<DeathRecord | undefined>;
  /** Marks the death's directives executed, once; false when already marked or unknown. */
  markExecuted(accountId: string, outcome: NonNullable<DeathRecord['outcome']>, at: Date): Promise<boolean>;
}

const directiveKey = (accountId: string) => ({ pk: `DIRECTIVE#${accountId}`, sk: 'DIRECTIVE' });
const deathKey = (accountId: string) => ({ pk: `DEATH#${accountId}`, sk: 'DEATH' });
const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoDirectiveStore(deps: { client: DynamoDBDocumentClient; tableName: string }): DirectiveStore {
  const { client, tableName } = deps;
  const read = async (key: { pk: string; sk: string }, now: Date) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item && !isDue(Item as { expiresAt?: number }, now) ? Item : undefined;
  };
  return {
    async directive(accountId, now) {
      const item = await read(directiveKey(accountId), now);
      return item ? itemData<Directive>(item) : undefined;
    },
    async saveDirective(directive, now) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: retainedItem(
            postMortemDirectiveEntity,
            { ...directiveKey(directive.accountId), ...directive },
            { clockStartedAt: now, subjectKey: subjectKeyForAccount(directive.accountId), now },
          ),
        }),
      );
    },
    async revokeDirective(accountId) {
      const { Attributes } = await client.send(
        new DeleteCommand({ TableName: tableName, Key: directiveKey(accountId), ReturnValues: 'ALL_OLD' }),
      );
      return Attributes !== undefined;
    },
    async slideDirective(accountId, activeAt, now) {
      await slideExpiry(deps, postMortemDirectiveEntity, directiveKey(accountId), activeAt, now);
    },
    async recordDeath(record, now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: retainedItem(
              deathRecordEntity,
              { ...deathKey(record.accountId), ...record },
              { clockStartedAt: now, subjectKey: subjectKeyForAccount(record.accountId), now },
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },
    async death(accountId, now) {
      const item = await read(deathKey(accountId), now);
      return item ? itemData<DeathRecord>(item) : undefined;
    },
    async markExecuted(accountId, outcome, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: deathKey(accountId),
            UpdateExpression: 'SET executedAt = :at, outcome = :outcome',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(executedAt)',
            ExpressionAttributeValues: { ':at': at.toISOString(), ':outcome': outcome },
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },
  };
}
