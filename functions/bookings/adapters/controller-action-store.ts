/**
 * The log of what practitioners did as controllers of their clients' appointment data (exports,
 * erasures), in the bookings table: who, what, how many, when; identifiers only, never a name or
 * an email. Kept 5 years from the action (purpose 'retention-audit'); its subject is the
 * practitioner's account, so it goes with the practitioner's own erasure.
 *
 *   pk `CONTROLLER-ACTIONS#<practitionerId>`, sk `<at ISO>#<actionId>`: a practitioner's actions
 *   are read newest first with one Query.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '#shared/dynamo/items.ts';
import { withoutDue } from '#shared/dynamo/reads.ts';
import { decodeCursor, encodeCursor } from '#shared/http/cursor.ts';
import { subjectKeyForAccount } from '#shared/retention/subject.ts';
import { controllerActionEntity } from '../entities.ts';

export type ControllerActionKind = 'export' | 'erase';

export interface ControllerAction {
  readonly actionId: string;
  readonly action: ControllerActionKind;
  readonly practitionerId: string;
  /** Appointments exported, or erased. */
  readonly count: number;
  /** The client whose appointments were erased (erase only). */
  readonly clientId?: string;
  /** The export's format (export only). */
  readonly format?: 'json' | 'csv';
  readonly at: Date;
}

export interface ControllerActionPage {
  readonly items: ControllerAction[];
  readonly nextCursor?: string;
}

export interface ControllerActionStore {
  record(action: ControllerAction): Promise<void>;
  /** A practitioner's actions, newest first, a page at a time. */
  list(practitionerId: string, options: { limit: number; cursor?: string; now: Date }): Promise<ControllerActionPage>;
}

interface ActionItem {
  pk: string;
  sk: string;
  actionId: string;
  action: ControllerActionKind;
  practitionerId: string;
  count: number;
  clientId?: string;
  format?: 'json' | 'csv';
  at: string;
}

const partition = (practitionerId: string) => `CONTROLLER-ACTIONS#${practitionerId}`;

export function dynamoControllerActionStore(deps: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): ControllerActionStore {
  const { client, tableName } = deps;
  return {
    async record(a) {
      const item: ActionItem = {
        pk: partition(a.practitionerId),
        sk: `${a.at.toISOString()}#${a.actionId}`,
        actionId: a.actionId,
        action: a.action,
        practitionerId: a.practitionerId,
        count: a.count,
        ...(a.clientId !== undefined ? { clientId: a.clientId } : {}),
        ...(a.format !== undefined ? { format: a.format } : {}),
        at: a.at.toISOString(),
      };
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: retainedItem(controllerActionEntity, item, {
            clockStartedAt: a.at,
            subjectKey: subjectKeyForAccount(a.practitionerId),
            now: a.at,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async list(practitionerId, { limit, cursor, now }) {
      const start =
        cursor === undefined ? undefined : decodeCursor(cursor, ['pk', 'sk'], { pk: partition(practitionerId) });
      const page = await client.send(
        new QueryCommand(
          withoutDue(
            {
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': partition(practitionerId) },
              ScanIndexForward: false,
              Limit: limit,
              ...(start ? { ExclusiveStartKey: start } : {}),
            },
            now,
          ),
        ),
      );
      return {
        items: ((page.Items ?? []) as ActionItem[]).map((item) => ({
          actionId: item.actionId,
          action: item.action,
          practitionerId: item.practitionerId,
          count: item.count,
          ...(item.clientId !== undefined ? { clientId: item.clientId } : {}),
          ...(item.format !== undefined ? { format: item.format } : {}),
          at: new Date(item.at),
        })),
        ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
      };
    },
  };
}
