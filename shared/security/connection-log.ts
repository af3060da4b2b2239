/** Connection data of accepted calls to sensitive routes, kept 30 days for fraud prevention. */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { retainedItem } from '../dynamo/items.ts';
import type { SubjectKey } from '../retention/subject.ts';
import { connectionRecordEntity } from './entities.ts';

export interface Connection {
  readonly subjectKey: SubjectKey;
  readonly ip: string;
  readonly userAgent?: string;
  readonly accountId?: string;
  readonly operationId: string;
  readonly status: number;
  readonly requestId: string;
  readonly at: Date;
}

export interface ConnectionLog {
  record(connection: Connection): Promise<void>;
}

export function dynamoConnectionLog(deps: { client: DynamoDBDocumentClient; tableName: string }): ConnectionLog {
  return {
    async record(c) {
      const item = {
        pk: `CONNECTION#${c.subjectKey}`,
        sk: `${c.at.toISOString()}#${c.requestId}`,
        ip: c.ip,
        ...(c.userAgent ? { userAgent: c.userAgent.slice(0, 256) } : {}),
        ...(c.accountId ? { accountId: c.accountId } : {}),
        operationId: c.operationId,
        status: c.status,
        at: c.at.toISOString(),
      };
      await deps.client.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: retainedItem(connectionRecordEntity, item, {
            clockStartedAt: c.at,
            subjectKey: c.subjectKey,
            now: c.at,
          }),
        }),
      );
    },
  };
}
