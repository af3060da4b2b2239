/**
 * The person's choice about the "nouveau message" mail in the messaging table, one small item per
 * account (`MAILALERTS#<account id>` / `MAILALERTS`, entity `mail-alert-choice`): whether they
 * want it, and the change it comes from. A change is written on condition it is not older than
 * the one recorded (change ids begin with their time), so events delivered out of order settle
 * on the latest choice. Kept 5 years from the latest change (purpose `exchange`, sliding), as the
 * privacy context keeps the state it copies; once due, the default applies (the mail is sent).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { slideExpiry } from '#shared/dynamo/sliding.ts';
import { isDue } from '#shared/retention/expiry.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import type { MailAlertChoice } from '../domain/mail-alerts.ts';
import { mailAlertChoiceEntity } from '../entities.ts';

export interface MailAlertStore {
  /** False when a later change is recorded already (this one is older: dropped). */
  record(accountId: string, choice: MailAlertChoice, now: Date): Promise<boolean>;
  /** The person's recorded choice, if any (a due one is none). */
  get(accountId: string, now: Date): Promise<MailAlertChoice | undefined>;
  /** The account was active: the choice lives on with it (shared/dynamo/sliding.ts). */
  slide(accountId: string, activeAt: Date, now: Date): Promise<void>;
}

const keyOf = (accountId: string) => ({ pk: `MAILALERTS#${accountId}`, sk: 'MAILALERTS' });

export function dynamoMailAlertStore(deps: { client: DynamoDBDocumentClient; tableName: string }): MailAlertStore {
  const { client, tableName } = deps;
  return {
    async record(accountId, choice, now) {
      const item = retainedItem(
        mailAlertChoiceEntity,
        {
          ...keyOf(accountId),
          mailAlerts: choice.mailAlerts,
          changeId: choice.changeId,
          changedAt: choice.changedAt,
        },
        { clockStartedAt: new Date(choice.changedAt), subjectKey: subjectKeyForAccount(accountId), now },
      );
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            // The same change again (a repeated event) rewrites the same values.
            ConditionExpression: 'attribute_not_exists(pk) OR changeId <= :changeId',
            ExpressionAttributeValues: { ':changeId': choice.changeId },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
    async get(accountId, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: keyOf(accountId), ConsistentRead: true }),
      );
      if (!Item || isDue(Item as { expiresAt?: number; heldExpiresAt?: number }, now)) return undefined;
      return {
        mailAlerts: Item.mailAlerts as boolean,
        changeId: Item.changeId as string,
        changedAt: Item.changedAt as string,
      };
    },
    async slide(accountId, activeAt, now) {
      await slideExpiry(deps, mailAlertChoiceEntity, keyOf(accountId), activeAt, now);
    },
  };
}
