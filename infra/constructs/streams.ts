/**
 * Streams: one Lambda event source mapping per consumer × table of the stream consumer table
 * (functions/streams.ts), reading the table's stream from TRIM_HORIZON with the consumer's event
 * filter (only its event names reach the function, and are billed), batch size and retries; a
 * failing batch is split in two, the function may answer a partial batch response, and what
 * still fails after the retries goes to the context's dead-letter queue (SQS: a record naming the
 * function and the stream, with the batch's shard and sequence numbers, never the records
 * themselves). Mappings live in the stack of their target's context. The local cloud's stream
 * poller (local/stream-poller.ts) applies the same table.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '#functions/catalogue.ts';
import type { StreamConsumer } from '#functions/streams.ts';
import type { TableName } from '#shared/tables.ts';
import type { BackendFunction } from './functions.ts';

export interface StreamsProps {
  readonly consumers: readonly StreamConsumer[];
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly functions: Readonly<Partial<Record<FunctionName, BackendFunction>>>;
  /** The context's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** The event filter of a consumer: its event names, and the entity types of the new image if it names them. */
export function streamFilter(consumer: StreamConsumer): Record<string, unknown> {
  return lambda.FilterCriteria.filter({
    eventName: lambda.FilterRule.or(...consumer.eventNames),
    ...(consumer.newImageEntities
      ? { dynamodb: { NewImage: { entity: { S: lambda.FilterRule.or(...consumer.newImageEntities) } } } }
      : {}),
  });
}

export class Streams extends Construct {
  /** The on-failure queue of each consumer, by consumer name. */
  readonly failureQueues: Record<string, sqs.IQueue> = {};

  constructor(scope: Construct, id: string, props: StreamsProps) {
    super(scope, id);
    for (const consumer of props.consumers) {
      const target = props.functions[consumer.target];
      if (!target) throw new Error(`Stream consumer ${consumer.name}: no function ${consumer.target} in this stack`);
      const failures = props.deadLetterQueue;
      this.failureQueues[consumer.name] = failures;
      for (const tableName of consumer.tables) {
        const table = props.tables[tableName];
        if (!table.tableStreamArn)
          throw new Error(`Stream consumer ${consumer.name}: table ${tableName} has no stream`);
        new lambda.EventSourceMapping(this, `${consumer.name}-${tableName}`, {
          target: target.function,
          eventSourceArn: table.tableStreamArn,
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: consumer.batchSize,
          retryAttempts: consumer.maximumRetryAttempts,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(failures),
          filters: [streamFilter(consumer)],
        });
        // What the mapping needs, on this table's stream only. (DynamoEventSource would grant
        // dynamodb:ListStreams on *; the stream's own ARN is enough, as CDK's TableV2 grants it.)
        table.grantStream(
          target.function,
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        );
        table.encryptionKey?.grantDecrypt(target.function);
      }
    }
  }
}
